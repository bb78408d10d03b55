package input

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// parseFHIRDataRef is parseFHIRData as it was before the in-place reader
// (strings.TrimLeft/IndexAny tokens, isDecimal, strconv.ParseFloat for
// every token): the reference FuzzParseFHIRDataDifferential holds it to.
func parseFHIRDataRef(data string, origin, factor float64) ([]float64, error) {
	n := 1
	for i := 0; i < len(data); i++ {
		if c := data[i]; c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			n++
		}
	}
	samples := make([]float64, 0, n)
	for i, tok := 0, ""; len(data) > 0; i++ {
		data = strings.TrimLeft(data, " \t\r\n")
		if data == "" {
			break
		}
		end := strings.IndexAny(data, " \t\r\n")
		if end < 0 {
			end = len(data)
		}
		tok, data = data[:end], data[end:]
		switch tok {
		case "E":
			return nil, fmt.Errorf("%w: SampledData data marks sample %d as an error (E)", ErrUnusable, i)
		case "L", "U":
			return nil, fmt.Errorf("%w: SampledData data marks sample %d beyond the detection limit (%s)", ErrUnusable, i, tok)
		}
		if !isDecimal(tok) {
			return nil, fmt.Errorf("%w: SampledData data token %d %q is not a decimal", ErrMalformed, i, clip(tok))
		}
		v, err := strconv.ParseFloat(tok, 64)
		if err != nil { // out of float64 range
			return nil, fmt.Errorf("%w: SampledData data value %d is out of range", ErrUnusable, i)
		}
		samples = append(samples, origin+factor*v)
	}
	return samples, nil
}

// FuzzParseFHIRDataDifferential: the in-place data reader accepts and
// refuses like the reference, with the same error class, and gives the same
// samples bit for bit.
//
// Verifies: SRS-IO-007
func FuzzParseFHIRDataDifferential(f *testing.F) {
	for _, s := range []string{
		"1 2 3", " -12 +7\t0.5\r\n1e3 ", "007 -0 +0.0 0.25", "1. .5 1e 1e+ --1 +-1",
		"E", "1 L", "U 2", "1e400", "1e-400", "123456789012345678901234567890 9007199254740993 4.35 0.1",
		"0x10 1_000 Inf NaN infinity", "1,5", "", "   ", "\u00a01", "5\v6",
	} {
		f.Add(s, 0.0, 1.0)
		f.Add(s, -1.5, 0.001)
	}
	f.Fuzz(func(t *testing.T, data string, origin, factor float64) {
		got, gotErr := parseFHIRData(data, origin, factor)
		want, wantErr := parseFHIRDataRef(data, origin, factor)
		if errClass(gotErr) != errClass(wantErr) {
			t.Fatalf("%q: got %s (%v), reference %s (%v)", data, errClass(gotErr), gotErr, errClass(wantErr), wantErr)
		}
		if gotErr == nil {
			if len(got) != len(want) {
				t.Fatalf("%q: got %d samples, reference %d", data, len(got), len(want))
			}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
					t.Fatalf("%q: sample %d: got %g, reference %g", data, i, got[i], want[i])
				}
			}
		}
	})
}
