package ecg

import "time"

// Record is one recording: one or more leads sampled at a common rate.
// It is the unit every reader returns and every pipeline step consumes.
type Record struct {
	// Name is the record name as PhysioNet spells it (e.g. "100", "A00001").
	Name string
	// SampleRateHz is the sampling frequency of every lead, in hertz.
	SampleRateHz float64
	// Leads holds the signals in file order.
	Leads []Lead
	// Start is the base time from the header, zero when the header has none.
	Start time.Time
}

// Lead is one signal of a Record in physical units.
type Lead struct {
	// Name is the signal description (e.g. "MLII", "ECG").
	Name string
	// Units names the unit of Samples; readers convert voltage to "mV".
	Units string
	// Samples holds the physical values, one per sample at the record's rate.
	Samples []float64
}

// Duration returns the length of the record's first lead as a time span;
// zero for a record with no leads or no rate.
func (r *Record) Duration() time.Duration {
	if len(r.Leads) == 0 || r.SampleRateHz <= 0 {
		return 0
	}
	return time.Duration(float64(len(r.Leads[0].Samples)) / r.SampleRateHz * float64(time.Second))
}
