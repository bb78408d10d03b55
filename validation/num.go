package validation

import (
	"math"
	"strconv"
)

// Num is a figure that may be undefined (NaN, e.g. a sensitivity without
// positives). It marshals to JSON as a number rounded to 6 decimals, or null
// when undefined, since JSON has no NaN. Rounding keeps report.json stable
// against last-bit differences in summation order.
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, math.Round(f*1e6)/1e6, 'f', -1, 64), nil
}

// Defined reports whether n is a finite number.
func (n Num) Defined() bool { return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0) }

// UnmarshalJSON implements json.Unmarshaler; null reads back as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*n = Num(f)
	return nil
}
