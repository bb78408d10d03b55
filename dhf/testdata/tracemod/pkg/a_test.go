package pkg

import "testing"

// TestPass verifies two requirements.
//
// Verifies: SRS-A-001, SRS-B-001
func TestPass(t *testing.T) {}

// TestFail is a failing test.
//
// Verifies: SRS-A-002
func TestFail(t *testing.T) {}

// TestSkip skips when data is absent.
// Verifies: SRS-A-003, SRS-A-007
func TestSkip(t *testing.T) {}

// TestUnknown names an id the requirements lack.
//
// Verifies: SRS-ZZZ-999
func TestUnknown(t *testing.T) {}

// TestNeverRan is not in the results.
//
// Verifies: SRS-A-004
func TestNeverRan(t *testing.T) {}

// helper is not a test: its Verifies line does not count.
//
// Verifies: SRS-A-005
func helper() {}

// ExampleThing is run by go test.
//
// Verifies: SRS-A-005, SRS-A-007
func ExampleThing() {}
