package input

import (
	"errors"
	"fmt"
)

// The two error classes of every decoder. Decoders wrap them with a detail
// (fmt.Errorf("%w: ...", ErrUnusable, ...)), so errors.Is works on any
// returned error.
var (
	// ErrMalformed means the input does not follow its format: a syntax
	// error, a JSON value of the wrong type, a required field missing, a
	// token that is not a number where one is required. The API answers 400.
	ErrMalformed = errors.New("malformed input")
	// ErrUnusable means the input is well formed but not a usable ECG:
	// no samples, NaN or infinite values, a sample rate that is not
	// positive or above MaxSampleRateHz, a unit that is not a voltage,
	// multi-dimensional data, values flagged out of range. The API answers 422.
	ErrUnusable = errors.New("not a usable ECG")
	// ErrUnknownFormat means Decode recognised none of the formats. It wraps
	// ErrMalformed, so errors.Is(err, ErrMalformed) holds for it too.
	ErrUnknownFormat = fmt.Errorf("%w: unrecognised strip format", ErrMalformed)
	// ErrTooLarge means ReadFile refused a file above MaxFileBytes or a
	// WFDB record whose signal files exceed MaxRecordBytes.
	ErrTooLarge = errors.New("file too large")
)

const (
	// MaxSampleRateHz is the highest rate a decoder accepts. It only catches
	// absurd values (a period written in seconds, a sample count in the rate
	// field); the classifier enforces the range it supports
	// (inference.ErrUnsupportedRate).
	MaxSampleRateHz = 100_000
	// MaxFileBytes bounds what ReadFile reads: 64 MiB holds well over a day
	// of one lead at 500 Hz in any text format afscan reads.
	MaxFileBytes = 64 << 20
	// MaxRecordBytes bounds the signal files of a WFDB record ReadFile
	// reads: 256 MiB holds a two-lead 24 h Holter at 1000 Hz in format 212
	// (about 260 MB). Decoded, each stored sample (1–2 bytes) takes 8.
	MaxRecordBytes = 256 << 20
)

// clip shortens s for an error message.
func clip(s string) string {
	const n = 24
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
