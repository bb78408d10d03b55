package train_test

import (
	"fmt"

	"github.com/afscan/afscan/model/train"
)

// Wilson score interval of 8 successes in 10 (Newcombe, Stat Med 1998,
// table I: 0.4902–0.9433).
func ExampleNewProportion() {
	p := train.NewProportion(8, 10)
	fmt.Printf("%.1f [%.4f, %.4f]\n", p.Value, p.Low, p.High)
	// Output: 0.8 [0.4902, 0.9433]
}

// The CinC 2017 score is the mean F1 of N, A and O; "~" does not count.
func ExampleConfusion_CinCScore() {
	var c train.Confusion
	c.Add(0, 0) // N called N
	c.Add(1, 1) // A called A
	c.Add(2, 0) // O called N
	c.Add(3, 3) // ~ called ~
	fmt.Printf("F1 N %.3f A %.3f O %.3f, score %.3f\n", c.F1(0), c.F1(1), c.F1(2), c.CinCScore())
	// Output: F1 N 0.667 A 1.000 O 0.000, score 0.556
}
