package ext_test

import "testing"

/*
TestBlock uses a block comment.

Verifies: SRS-A-001 SRS-A-001
*/
func TestBlock(t *testing.T) {}
