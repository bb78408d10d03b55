package splits

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"
)

// SeedCinC2017 is the seed that produced the committed CinC 2017 lists.
const SeedCinC2017 = 20170701

// TuneFractionCinC2017 is the share of each class held out in the tune list.
const TuneFractionCinC2017 = 0.2

//go:embed cinc2017-train.txt
var trainCinC2017 string

//go:embed cinc2017-tune.txt
var tuneCinC2017 string

// CinC2017Train returns the record names of the locked training fold, sorted.
// The slice is freshly allocated on each call.
func CinC2017Train() []string { return lines(trainCinC2017) }

// CinC2017Tune returns the record names of the locked tune fold, sorted. The
// slice is freshly allocated on each call.
func CinC2017Tune() []string { return lines(tuneCinC2017) }

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Labelled is one record name with its class label.
type Labelled struct {
	Name  string
	Label string
}

// ReadReference parses a CinC 2017 REFERENCE.csv ("A00001,N" per line).
func ReadReference(r io.Reader) ([]Labelled, error) {
	var out []Labelled
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			continue
		}
		name, label, ok := strings.Cut(l, ",")
		if !ok || name == "" || label == "" {
			return nil, fmt.Errorf("reference line %d: %q is not NAME,LABEL", n, l)
		}
		out = append(out, Labelled{Name: strings.TrimSpace(name), Label: strings.TrimSpace(label)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read reference: %w", err)
	}
	return out, nil
}

// Stratified divides recs into a train and a tune list: within each label the
// names are sorted, shuffled with a SplitMix64 generator seeded from seed and
// the label, and the first round(tuneFraction·n) go to tune. Both lists are
// returned sorted. The procedure depends only on its inputs (not on map
// order, the Go version or math/rand), so it reproduces exactly.
func Stratified(recs []Labelled, seed uint64, tuneFraction float64) (train, tune []string) {
	byLabel := map[string][]string{}
	for _, r := range recs {
		byLabel[r.Label] = append(byLabel[r.Label], r.Name)
	}
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		names := byLabel[l]
		sort.Strings(names)
		g := splitMix64{state: seed ^ fnv64(l)}
		for i := len(names) - 1; i > 0; i-- {
			j := int(g.next() % uint64(i+1))
			names[i], names[j] = names[j], names[i]
		}
		nTune := int(tuneFraction*float64(len(names)) + 0.5)
		tune = append(tune, names[:nTune]...)
		train = append(train, names[nTune:]...)
	}
	sort.Strings(train)
	sort.Strings(tune)
	return train, tune
}

// Format writes names one per line, as the committed list files are.
func Format(names []string) []byte {
	var b bytes.Buffer
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// splitMix64 is Steele, Lea and Flood's SplitMix64 (OOPSLA 2014): tiny,
// fully specified, so the split never depends on a library's generator.
type splitMix64 struct{ state uint64 }

func (g *splitMix64) next() uint64 {
	g.state += 0x9e3779b97f4a7c15
	z := g.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
