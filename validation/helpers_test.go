package validation

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// writeWFDB writes a one-lead format-16 WFDB record (gain 1000/mV) of n
// samples of a 1 Hz sine at rateHz into dir.
func writeWFDB(t testing.TB, dir, name string, rateHz float64, n int) {
	t.Helper()
	hea := fmt.Sprintf("%s 1 %g %d\n%s.dat 16 1000/mV 16 0 0 0 0 ECG\n", name, rateHz, n, name)
	dat := make([]byte, 2*n)
	for i := range n {
		v := int16(1000 * math.Sin(2*math.Pi*float64(i)/rateHz))
		binary.LittleEndian.PutUint16(dat[2*i:], uint16(v))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".hea"), []byte(hea), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".dat"), dat, 0o644); err != nil {
		t.Fatal(err)
	}
}

// scripted is a test Classifier whose call for each record is set by the
// record name's suffix after the last "-": N, A, O or I (inconclusive), and
// a name containing "refuse" is refused with ErrSignalTooShort.
// Probabilities favour the call; the AF probability also depends on the
// name so ROC scores vary. It is safe for concurrent use.
type scripted struct{}

var _ Classifier = scripted{}

func (scripted) Model() inference.ModelInfo {
	return inference.ModelInfo{Name: "scripted", Version: "0", SHA256: strings.Repeat("ab", 32)}
}

func (scripted) Classify(ctx context.Context, rec *ecg.Record) (inference.Result, error) {
	if strings.Contains(rec.Name, "refuse") {
		return inference.Result{}, inference.ErrSignalTooShort
	}
	call := rec.Name[strings.LastIndex(rec.Name, "-")+1:]
	r, _ := ecg.RhythmFromCinC(strings.ReplaceAll(call, "I", "~"))
	if r == "" {
		r = ecg.RhythmNormal
	}
	h := 0
	for _, c := range rec.Name {
		h = (h*31 + int(c)) % 97
	}
	jitter := float64(h) / 970 // [0, 0.1)
	p := map[ecg.Rhythm]float64{}
	for _, x := range ecg.Rhythms {
		p[x] = (0.3 - jitter) / 3
	}
	p[r] = 0.7 + jitter
	return inference.Result{
		Rhythm: r, Probabilities: p, HeartRateBPM: 50 + float64(h), SignalQuality: float64(h%10) / 10,
		Duration: rec.Duration(),
	}, nil
}
