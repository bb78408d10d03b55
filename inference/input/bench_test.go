package input

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
)

// benchStrip returns a synthetic ECG-like strip (mV) of d seconds at rateHz.
func benchStrip(seconds, rateHz float64) []float64 {
	n := int(seconds * rateHz)
	s := make([]float64, n)
	for i := range s {
		t := float64(i) / rateHz
		s[i] = math.Round((0.1*math.Sin(2*math.Pi*t)+math.Exp(-math.Pow(math.Mod(t, 0.8)-0.4, 2)/2e-4))*1000) / 1000
	}
	return s
}

var benchLengths = []struct {
	name    string
	seconds float64
}{{"10s", 10}, {"60s", 60}, {"10min", 600}}

func benchInputs(format Format, seconds float64) []byte {
	var b strings.Builder
	switch format {
	case FormatJSON:
		s := benchStrip(seconds, 300)
		b.WriteString(`{"sample_rate_hz": 300, "units": "mV", "samples": [`)
		for i, v := range s {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteString("]}")
	case FormatFHIR:
		s := benchStrip(seconds, 500)
		b.WriteString(`{"resourceType": "Observation", "component": [{"code": {"coding": [{"code": "131329"}]}, "valueSampledData": {"origin": {"value": 0, "code": "uV"}, "period": 2, "factor": 1, "dimensions": 1, "data": "`)
		for i, v := range s {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.Itoa(int(v * 1000)))
		}
		b.WriteString(`"}}]}`)
	case FormatAppleCSV:
		s := benchStrip(seconds, 512)
		b.WriteString(appleHeaderEN)
		for _, v := range s {
			b.WriteString(strings.Replace(strconv.FormatFloat(v*1000, 'f', 3, 64), ".", ",", 1))
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

// BenchmarkDecode measures each decoder through Decode (detection included)
// on 10 s, 60 s and 10 min strips: afscan JSON at 300 Hz, FHIR at 500 Hz in
// µV integers, an Apple CSV at 512 Hz with decimal commas.
func BenchmarkDecode(b *testing.B) {
	for _, f := range []Format{FormatJSON, FormatFHIR, FormatAppleCSV} {
		for _, l := range benchLengths {
			data := benchInputs(f, l.seconds)
			b.Run(fmt.Sprintf("%s/%s", f, l.name), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					rec, got, err := Decode(data, "")
					if err != nil || got != f || len(rec.Leads[0].Samples) == 0 {
						b.Fatalf("got %v, %q", err, got)
					}
				}
			})
		}
	}
}

// BenchmarkDecodeJSON30s measures DecodeJSON alone on a 30 s strip at
// 300 Hz (9000 samples, the CinC 2017 request the service is sized for),
// against the two-pass reference it replaced.
func BenchmarkDecodeJSON30s(b *testing.B) {
	data := benchInputs(FormatJSON, 30)
	for _, d := range []struct {
		name   string
		decode func([]byte) (*ecg.Record, error)
	}{{"scanner", DecodeJSON}, {"reference", decodeJSONRef}} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				rec, err := d.decode(data)
				if err != nil || len(rec.Leads[0].Samples) != 9000 {
					b.Fatalf("got %v", err)
				}
			}
		})
	}
}

// BenchmarkDecodeFHIR30s measures DecodeFHIR alone on a 30 s strip at
// 500 Hz in µV integers (15000 samples).
func BenchmarkDecodeFHIR30s(b *testing.B) {
	data := benchInputs(FormatFHIR, 30)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rec, err := DecodeFHIR(data)
		if err != nil || len(rec.Leads[0].Samples) != 15000 {
			b.Fatalf("got %v", err)
		}
	}
}
