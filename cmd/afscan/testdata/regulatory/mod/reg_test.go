package reg

import "testing"

// TestClassify is tagged.
//
// Verifies: SRS-REG-001
func TestClassify(t *testing.T) {}
