package validation_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/validation"
)

// The Wilson score interval of 98 successes in 100 trials.
func ExampleWilson() {
	lo, hi := validation.Wilson(98, 100)
	fmt.Printf("98/100: [%.4f, %.4f]\n", lo, hi)
	lo, hi = validation.Wilson(0, 20)
	fmt.Printf("0/20:   [%.4f, %.4f]\n", lo, hi)
	// Output:
	// 98/100: [0.9300, 0.9945]
	// 0/20:   [0.0000, 0.1611]
}

// The CinC 2017 challenge score of a confusion matrix (rows: reference,
// columns: answer, order N, A, O, ~).
func ExampleConfusion_CinC2017Score() {
	c := validation.Confusion{
		{50, 2, 5, 3},
		{1, 18, 1, 0},
		{6, 2, 20, 2},
		{1, 0, 1, 3},
	}
	for k, l := range validation.Labels {
		fmt.Printf("F1 %s %.4f\n", l, c.ChallengeF1(k))
	}
	fmt.Printf("score %.4f\n", c.CinC2017Score())
	af := c.AFBinary()
	fmt.Printf("AF sensitivity %.3f specificity %.3f (inconclusive excluded)\n", af.Sensitivity(), af.Specificity())
	// Output:
	// F1 N 0.8475
	// F1 A 0.8571
	// F1 O 0.7018
	// F1 ~ 0.4615
	// score 0.8021
	// AF sensitivity 0.900 specificity 0.953 (inconclusive excluded)
}

// Acceptance criteria are "metric op number" lines of a YAML list.
func ExampleParseCriteria() {
	items, err := validation.ParseCriteria(strings.NewReader(`
criteria:
  - af.sensitivity.ci95_lower >= 0.90
  - inconclusive_rate <= 0.10
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range items {
		fmt.Printf("%s | %s | %g\n", c.Metric, c.Op, c.Threshold)
	}
	_, err = validation.ParseCriteria(strings.NewReader("criteria:\n  - af.sensitivty >= 0.9\n"))
	fmt.Println(err)
	// Output:
	// af.sensitivity.ci95_lower | >= | 0.9
	// inconclusive_rate | <= | 0.1
	// bad acceptance criteria: criterion 1 "af.sensitivty >= 0.9": unknown metric "af.sensitivty" (see `afscan validate --help` for the list)
}

// Cutting an annotated record into 30 s windows labelled from its rhythm
// annotations (code 28, aux "(N", "(AFIB", …): windows that straddle a
// rhythm change, or start before the first rhythm annotation, are dropped.
func ExampleCutWindows() {
	const rateHz = 360
	anns := []ecg.Annotation{
		{SampleIdx: 0, Code: 28, Aux: "(N"},
		{SampleIdx: 45 * rateHz, Code: 28, Aux: "(AFIB"},
		{SampleIdx: 100 * rateHz, Code: 28, Aux: "(B"},
	}
	for _, w := range validation.CutWindows("201", 150*rateHz, rateHz, 30*time.Second, anns) {
		fmt.Printf("%s %3d–%3d s %s %s\n", w.Name, w.StartIdx/rateHz, w.EndIdx/rateHz, validation.Labels[w.Class], w.Rhythm)
	}
	// Output:
	// 201_w000   0– 30 s N (N
	// 201_w002  60– 90 s A (AFIB
	// 201_w004 120–150 s O (B
}
