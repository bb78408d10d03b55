package input

import (
	"math"
	"os"
	"slices"
	"testing"
)

// Verifies: SRS-IO-007
func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantErr  error
		wantRate float64
		wantMV   []float64
		wantName string
	}{
		{name: "mV default", in: `{"sample_rate_hz": 300, "samples": [0.1, -0.2, 1]}`, wantRate: 300, wantMV: []float64{0.1, -0.2, 1}},
		{name: "mV explicit with device", in: `{"sample_rate_hz": 250.5, "samples": [1], "units": "mV", "device_id": "patch-7"}`, wantRate: 250.5, wantMV: []float64{1}, wantName: "patch-7"},
		{name: "uV", in: `{"sample_rate_hz": 500, "samples": [1000, -250], "units": "uV"}`, wantRate: 500, wantMV: []float64{1, -0.25}},
		{name: "micro sign", in: `{"sample_rate_hz": 500, "samples": [1000], "units": "µV"}`, wantRate: 500, wantMV: []float64{1}},
		{name: "greek mu", in: `{"sample_rate_hz": 500, "samples": [1000], "units": "μV"}`, wantRate: 500, wantMV: []float64{1}},
		{name: "volts", in: `{"sample_rate_hz": 500, "samples": [0.001, -0.0005], "units": "V"}`, wantRate: 500, wantMV: []float64{1, -0.5}},
		{name: "one sample is decoded, length is the classifier's call", in: `{"sample_rate_hz": 300, "samples": [0]}`, wantRate: 300, wantMV: []float64{0}},
		{name: "unknown fields ignored", in: `{"sample_rate_hz": 300, "samples": [0], "extra": {"x": [1]}}`, wantRate: 300, wantMV: []float64{0}},

		{name: "not JSON", in: `sample_rate_hz=300`, wantErr: ErrMalformed},
		{name: "truncated", in: `{"sample_rate_hz": 300, "samples": [0.1,`, wantErr: ErrMalformed},
		{name: "trailing garbage", in: `{"sample_rate_hz": 300, "samples": [0.1]} x`, wantErr: ErrMalformed},
		{name: "array at top", in: `[1, 2, 3]`, wantErr: ErrMalformed},
		{name: "null", in: `null`, wantErr: ErrMalformed},
		{name: "empty input", in: ``, wantErr: ErrMalformed},
		{name: "rate as string", in: `{"sample_rate_hz": "300", "samples": [0.1]}`, wantErr: ErrMalformed},
		{name: "samples as string", in: `{"sample_rate_hz": 300, "samples": "0.1 0.2"}`, wantErr: ErrMalformed},
		{name: "NaN as string", in: `{"sample_rate_hz": 300, "samples": [0.1, "NaN"]}`, wantErr: ErrMalformed},
		{name: "Infinity as string", in: `{"sample_rate_hz": 300, "samples": ["Infinity"]}`, wantErr: ErrMalformed},
		{name: "bare NaN", in: `{"sample_rate_hz": 300, "samples": [NaN]}`, wantErr: ErrMalformed},
		{name: "number beyond float64", in: `{"sample_rate_hz": 300, "samples": [1e999]}`, wantErr: ErrMalformed},
		{name: "null sample", in: `{"sample_rate_hz": 300, "samples": [null, 1]}`, wantErr: ErrMalformed},
		{name: "object sample", in: `{"sample_rate_hz": 300, "samples": [{"v": 1}]}`, wantErr: ErrMalformed},
		{name: "units not a string", in: `{"sample_rate_hz": 300, "samples": [1], "units": 1}`, wantErr: ErrMalformed},
		{name: "missing rate", in: `{"samples": [0.1]}`, wantErr: ErrMalformed},
		{name: "missing samples", in: `{"sample_rate_hz": 300}`, wantErr: ErrMalformed},
		{name: "null samples", in: `{"sample_rate_hz": 300, "samples": null}`, wantErr: ErrMalformed},

		{name: "empty samples", in: `{"sample_rate_hz": 300, "samples": []}`, wantErr: ErrUnusable},
		{name: "rate zero", in: `{"sample_rate_hz": 0, "samples": [1]}`, wantErr: ErrUnusable},
		{name: "rate negative", in: `{"sample_rate_hz": -300, "samples": [1]}`, wantErr: ErrUnusable},
		{name: "rate absurd", in: `{"sample_rate_hz": 1e9, "samples": [1]}`, wantErr: ErrUnusable},
		{name: "unit not a voltage", in: `{"sample_rate_hz": 300, "samples": [1], "units": "mmHg"}`, wantErr: ErrUnusable},
		{name: "unit in wrong case is not millivolt", in: `{"sample_rate_hz": 300, "samples": [1], "units": "MV"}`, wantErr: ErrUnusable},
		{name: "overflow on conversion", in: `{"sample_rate_hz": 300, "samples": [1e306], "units": "V"}`, wantErr: ErrUnusable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := DecodeJSON([]byte(tc.in))
			if !checkDecodeCase(t, rec, err, decoded{err: tc.wantErr, rateHz: tc.wantRate, rateTolHz: 0, lead: "", mV: tc.wantMV}) {
				return
			}
			if rec.Name != tc.wantName {
				t.Errorf("got name %q, want %q", rec.Name, tc.wantName)
			}
		})
	}
}

// Verifies: SRS-IO-007
func TestDecodeJSONGolden(t *testing.T) {
	rec, err := DecodeJSON(readFixture(t, "cinc_A00004_10s.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := cincA00004(t)
	if rec.SampleRateHz != 300 || rec.Name != "cinc2017-A00004" {
		t.Errorf("got rate %g, name %q, want 300, cinc2017-A00004", rec.SampleRateHz, rec.Name)
	}
	checkLead(t, rec.Leads, want)
}

func checkLead(t *testing.T, leads []ecgLead, wantMV []float64) {
	t.Helper()
	if len(leads) != 1 {
		t.Fatalf("got %d leads, want 1", len(leads))
	}
	if leads[0].Units != "mV" {
		t.Errorf("got units %q, want mV", leads[0].Units)
	}
	got := leads[0].Samples
	if len(got) != len(wantMV) {
		t.Fatalf("got %d samples, want %d", len(got), len(wantMV))
	}
	for i := range got {
		if math.Abs(got[i]-wantMV[i]) > 1e-9 {
			t.Fatalf("sample %d: got %g mV, want %g", i, got[i], wantMV[i])
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeJSONInto: the samples land in the given buffer when it has
// room for them and in a new one when it has not; either way they are the
// ones DecodeJSON decodes.
func TestDecodeJSONInto(t *testing.T) {
	data := []byte(`{"sample_rate_hz": 300, "samples": [0.5, -1, 2.25], "device_id": "w1"}`)
	tests := []struct {
		name      string
		dst       []float64
		wantAlias bool
	}{
		{"nil", nil, false},
		{"too small", make([]float64, 2), false},
		{"room, stale length", make([]float64, 7, 16), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := DecodeJSONInto(tc.dst, data)
			if err != nil {
				t.Fatal(err)
			}
			got := rec.Leads[0].Samples
			if want := []float64{0.5, -1, 2.25}; !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if alias := cap(tc.dst) > 0 && &got[:1][0] == &tc.dst[:1][0]; alias != tc.wantAlias {
				t.Errorf("got aliasing %v, want %v", alias, tc.wantAlias)
			}
			if rec.Name != "w1" || rec.SampleRateHz != 300 {
				t.Errorf("got %q at %g Hz", rec.Name, rec.SampleRateHz)
			}
		})
	}
}
