package inference

import (
	"bufio"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The fixtures in testdata/ are synthetic strips (synth, fixed seeds), one
// sample in mV per line; the first line is "# rate_hz=R". Regenerate with
// AFSCAN_WRITE_FIXTURES=1 go test -run TestWriteFixtures ./inference/.
var fixtures = map[string]synth{
	"sinus-300hz.csv":     {rateHz: 300, durationS: 10, rrMs: regularRR(850), pAmpMV: 0.15, noiseMV: 0.02, seed: 21},
	"irregular-250hz.csv": {rateHz: 250, durationS: 10, rrMs: irregularRR(650, 0.35, 22), fwaveMV: 0.04, noiseMV: 0.02, seed: 22},
	"inverted-500hz.csv":  {rateHz: 500, durationS: 4, rrMs: regularRR(700), pAmpMV: 0.1, noiseMV: 0.02, invert: true, seed: 23},
}

func TestWriteFixtures(t *testing.T) {
	if os.Getenv("AFSCAN_WRITE_FIXTURES") == "" {
		t.Skip("set AFSCAN_WRITE_FIXTURES=1 to rewrite testdata/*.csv")
	}
	for name, s := range fixtures {
		var b strings.Builder
		b.WriteString("# rate_hz=" + strconv.FormatFloat(s.rateHz, 'g', -1, 64) + "\n")
		for _, v := range s.samples() {
			b.WriteString(strconv.FormatFloat(v, 'f', 4, 64) + "\n")
		}
		if err := os.WriteFile(filepath.Join("testdata", name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readFixture returns the samples (mV) and rate of a testdata strip.
func readFixture(t testing.TB, name string) ([]float64, float64) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var x []float64
	var rate float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if r, ok := strings.CutPrefix(line, "# rate_hz="); ok {
			if rate, err = strconv.ParseFloat(r, 64); err != nil {
				t.Fatal(err)
			}
			continue
		}
		v, err := strconv.ParseFloat(line, 64)
		if err != nil {
			t.Fatal(err)
		}
		x = append(x, v)
	}
	return x, rate
}

// encodeStrip packs a rate and samples into the byte form FuzzExtract
// decodes: little-endian uint16 rate in Hz, then int16 samples in µV·10.
func encodeStrip(x []float64, rateHz float64) []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(rateHz))
	for _, v := range x {
		b = binary.LittleEndian.AppendUint16(b, uint16(int16(math.Max(-32768, math.Min(32767, v*100)))))
	}
	return b
}

func decodeStrip(b []byte) ([]float64, float64) {
	if len(b) < 2 {
		return nil, 0
	}
	rate := float64(binary.LittleEndian.Uint16(b))
	b = b[2:]
	x := make([]float64, len(b)/2)
	for i := range x {
		x[i] = float64(int16(binary.LittleEndian.Uint16(b[2*i:]))) / 100
	}
	return x, rate
}
