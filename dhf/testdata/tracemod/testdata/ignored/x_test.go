package x

// Verifies: SRS-A-009
func TestIgnored(t *testing.T) {}
