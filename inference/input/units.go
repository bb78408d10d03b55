package input

import (
	"fmt"
	"math"
	"strings"
)

// scaleToMV returns the factor that converts a value in unit to millivolts,
// and false when unit is not a voltage afscan knows. Symbols are matched
// exactly (UCUM codes "mV", "uV", "V"; "µV" with the micro sign U+00B5 or
// the Greek mu U+03BC), words without regard to case.
func scaleToMV(unit string) (float64, bool) {
	switch strings.TrimSpace(unit) {
	case "mV":
		return 1, true
	case "uV", "µV", "μV", "mcV": // "mcV": HealthKit's HKUnit spelling
		return 1e-3, true
	case "V":
		return 1e3, true
	}
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "millivolt", "millivolts":
		return 1, true
	case "microvolt", "microvolts":
		return 1e-3, true
	case "volt", "volts":
		return 1e3, true
	}
	return 0, false
}

// checkRate validates a sample rate in hertz: finite, positive, at most
// MaxSampleRateHz.
func checkRate(field string, rateHz float64) error {
	switch {
	case math.IsNaN(rateHz) || math.IsInf(rateHz, 0):
		return fmt.Errorf("%w: %s must be a finite number", ErrUnusable, field)
	case rateHz <= 0:
		return fmt.Errorf("%w: %s must be positive, got %g", ErrUnusable, field, rateHz)
	case rateHz > MaxSampleRateHz:
		return fmt.Errorf("%w: %s of %g Hz is above the %d Hz limit", ErrUnusable, field, rateHz, MaxSampleRateHz)
	}
	return nil
}

// toMV scales samples in place to millivolts and checks that every result
// is finite; the index of the first bad sample is in the error.
func toMV(samples []float64, scale float64) error {
	if len(samples) == 0 {
		return fmt.Errorf("%w: no samples", ErrUnusable)
	}
	for i, v := range samples {
		v *= scale
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: sample %d is not a finite voltage", ErrUnusable, i)
		}
		samples[i] = v
	}
	return nil
}
