package splits_test

import (
	"fmt"

	"github.com/afscan/afscan/validation/splits"
)

// The locked CinC 2017 lists are embedded; they never change.
func ExampleCinC2017Train() {
	train, tune := splits.CinC2017Train(), splits.CinC2017Tune()
	fmt.Println(len(train), len(tune), train[0])
	// Output: 5799 1450 A00001
}
