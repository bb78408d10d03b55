package api

import (
	"bytes"
	"testing"
)

// FuzzContainsQuoted: containsQuoted finds a quoted key exactly where
// bytes.Contains does.
func FuzzContainsQuoted(f *testing.F) {
	for _, s := range []string{
		`{"sample_rate_hz":300,"samples":[1,2]}`,
		`{"samplingFrequency":512,"voltageMeasurements":[]}`,
		`{"a":"\"samplingFrequency\""}`,
		`""samplingFrequency"`,
		`"samplingFrequenc`,
		`{"samples":[1,2],"x":"y","samplingFrequency":1}`,
		``, `"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := containsQuoted(body, healthKitKey), bytes.Contains(body, []byte(healthKitKey)); got != want {
			t.Fatalf("body %q: got %v, want %v", body, got, want)
		}
	})
}
