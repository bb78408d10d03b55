package input

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestNumberMatchesParseFloat: the scanner's number reader, the samples
// reader (with its plain decimal fast path) and the FHIR data reader give
// strconv.ParseFloat's value bit for bit, on the
// formats encoders write (shortest, fixed 1–9 decimals, exponent) over
// magnitudes from 1e-30 to 1e30 and on hand-picked edge cases.
//
// Verifies: SRS-IO-007
func TestNumberMatchesParseFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var lits []string
	for _, s := range []string{"0", "0.0", "1", "9007199254740992", "9007199254740993", "9007199254740991.5",
		"1234567890123456789", "12345678901234567890", "0.1", "0.3", "4.35", "1e22", "1e23", "1e-22", "1e-23",
		"0.0000000000000000000001", "123456.789012345678", "2.2250738585072014e-308", "1.7976931348623157e308", "5e-324"} {
		lits = append(lits, s, "-"+s)
	}
	for range 20000 {
		v := math.Pow(10, r.Float64()*60-30) * (r.Float64() - 0.5)
		lits = append(lits,
			strconv.FormatFloat(v, 'g', -1, 64),
			strconv.FormatFloat(v, 'f', 1+r.IntN(9), 64),
			strconv.FormatFloat(v, 'e', r.IntN(17), 64),
			strconv.FormatFloat(math.Round(v*1e3)/1e3, 'f', -1, 64))
	}
	for _, lit := range lits {
		want, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
		s := jsonScanner{b: []byte(lit)}
		got, ok, err := s.number()
		if err != nil || !ok || s.i != len(lit) || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("number(%s) = %g, %v, %v at %d; ParseFloat gives %g", lit, got, ok, err, s.i, want)
		}
		if rec, err := DecodeJSON([]byte(`{"sample_rate_hz":300,"samples":[` + lit + `]}`)); err != nil || math.Float64bits(rec.Leads[0].Samples[0]) != math.Float64bits(want) {
			t.Fatalf("samples [%s]: got %v, %v; ParseFloat gives %g", lit, rec, err, want)
		}
		if v, j, ok := fhirPlainDecimal(lit, 0); ok && (j != len(lit) || math.Float64bits(v) != math.Float64bits(want)) {
			t.Fatalf("fhirPlainDecimal(%s) = %g at %d; ParseFloat gives %g", lit, v, j, want)
		}
	}
}

// TestHasSpecialByte: the 8-byte screen never misses a byte the string
// reader must look at.
func TestHasSpecialByte(t *testing.T) {
	special := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	word := func(b [8]byte) uint64 {
		var w uint64
		for i := 7; i >= 0; i-- {
			w = w<<8 | uint64(b[i])
		}
		return w
	}
	for pos := range 8 {
		for c := range 256 {
			b := [8]byte{'0', '1', ' ', '-', '.', '9', 'a', '~'}
			b[pos] = byte(c)
			want := false
			for _, x := range b {
				want = want || special(x)
			}
			if got := hasSpecialByte(word(b)); got != want {
				t.Fatalf("%q: got %v, want %v", b[:], got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		var b [8]byte
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		want := false
		for _, x := range b {
			want = want || special(x)
		}
		if want && !hasSpecialByte(word(b)) {
			t.Fatalf("%q: missed", b[:])
		}
	}
}
