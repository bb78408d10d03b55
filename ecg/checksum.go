package ecg

import (
	"errors"
	"fmt"
)

// ErrChecksum means a signal's samples do not add up to the checksum its
// header records. *ChecksumError wraps it.
var ErrChecksum = errors.New("checksum mismatch")

// ChecksumError names the record and signal whose samples do not match the
// header's checksum.
type ChecksumError struct {
	Record     string // record name
	Signal     int    // zero-based signal number
	SignalName string // the signal's description, e.g. "MLII"
	Want, Got  int16  // header checksum and the sum of the samples read
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("record %s signal %d (%s): samples sum to %d, header checksum %d: %v",
		e.Record, e.Signal, e.SignalName, e.Got, e.Want, ErrChecksum)
}

// Unwrap returns ErrChecksum.
func (e *ChecksumError) Unwrap() error { return ErrChecksum }

// Checksum returns WFDB's 16-bit checksum of raw ADC values: their sum
// modulo 65536, read as a signed 16-bit number (header(5)). Invalid-sample
// values count like any other, as in WFDB's getvec. The checksum of no
// samples is 0.
func Checksum(adc []int32) int16 {
	var sum uint32
	for _, v := range adc {
		sum += uint32(v)
	}
	return int16(uint16(sum))
}

// verifiesChecksum reports whether afscan checks s's checksum after reading
// all nSamples samples. WFDB checks it only when the header gives the
// number of samples and the checksum field is present. afscan additionally
// reads a checksum field of 0 as "not recorded": the CinC 2017 headers (and
// other converted data sets) write 0 as a placeholder for every record,
// while a genuine sum of 0 occurs once in 65536 signals, so skipping it costs
// almost nothing and keeps those data sets readable. WFDB itself would print
// a checksum warning for them.
func verifiesChecksum(s SignalSpec, headerNSamples int64) bool {
	return headerNSamples > 0 && s.HasChecksum && s.Checksum != 0
}
