package input

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/afscan/afscan/ecg"
)

// healthKitStrip is the shape apps give an HKElectrocardiogram when they
// export it as JSON: the sampling frequency (a number in Hz, or a quantity
// object) and the voltage measurements of the one lead, in volts as HealthKit
// reports them.
type healthKitStrip struct {
	SamplingFrequency   json.RawMessage   `json:"samplingFrequency"`
	VoltageMeasurements []json.RawMessage `json:"voltageMeasurements"`
	Voltages            []json.RawMessage `json:"voltages"`
	Unit                *string           `json:"voltageUnit"`
}

type healthKitQuantity struct {
	Value *float64 `json:"value"`
	Unit  string   `json:"unit"`
}

type healthKitMeasurement struct {
	Voltage *float64 `json:"voltage"`
	Value   *float64 `json:"value"`
}

// DecodeAppleHealthJSON decodes a HealthKit-style electrocardiogram export:
//
//	{"samplingFrequency": 512, "voltageMeasurements": [V, ...]}
//
// samplingFrequency is a number in hertz or {"value": 512, "unit": "Hz"};
// the measurements (also accepted under "voltages") are numbers or objects
// {"voltage": V} / {"value": V} (e.g. with a "timeSinceSampleStart", which
// is ignored: the rate defines the timing). Voltages are volts, as HealthKit
// reports them, unless "voltageUnit" says mV or µV; they are converted to mV.
// Errors follow DecodeJSON: wrong types and missing fields are ErrMalformed,
// an empty or non-finite strip or a bad rate is ErrUnusable.
func DecodeAppleHealthJSON(data []byte) (*ecg.Record, error) {
	var s healthKitStrip
	if err := strictUnmarshal(data, &s); err != nil {
		return nil, err
	}
	if len(s.SamplingFrequency) == 0 {
		return nil, fmt.Errorf("%w: samplingFrequency is missing", ErrMalformed)
	}
	rateHz, err := healthKitRate(s.SamplingFrequency)
	if err != nil {
		return nil, err
	}
	if err := checkRate("samplingFrequency", rateHz); err != nil {
		return nil, err
	}
	raw := s.VoltageMeasurements
	if raw == nil {
		raw = s.Voltages
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: voltageMeasurements is missing", ErrMalformed)
	}
	unit := "V"
	if s.Unit != nil {
		unit = *s.Unit
	}
	scale, ok := scaleToMV(unit)
	if !ok {
		return nil, fmt.Errorf("%w: voltageUnit %q is not a voltage (want V, mV or uV)", ErrUnusable, clip(unit))
	}
	samples := make([]float64, len(raw))
	for i, m := range raw {
		if samples[i], err = healthKitVoltage(m); err != nil {
			return nil, fmt.Errorf("%w (measurement %d)", err, i)
		}
	}
	if err := toMV(samples, scale); err != nil {
		return nil, err
	}
	return &ecg.Record{
		SampleRateHz: rateHz,
		Leads:        []ecg.Lead{{Name: "Lead I", Units: "mV", Samples: samples}},
	}, nil
}

func healthKitRate(raw json.RawMessage) (float64, error) {
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		var q healthKitQuantity
		if err := json.Unmarshal(raw, &q); err != nil {
			return 0, jsonError(err)
		}
		if q.Value == nil {
			return 0, fmt.Errorf("%w: samplingFrequency.value is missing", ErrMalformed)
		}
		if q.Unit != "" && q.Unit != "Hz" && q.Unit != "hertz" && q.Unit != "count/s" {
			return 0, fmt.Errorf("%w: samplingFrequency unit %q is not hertz", ErrUnusable, clip(q.Unit))
		}
		return *q.Value, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || isNull(raw) {
		return 0, fmt.Errorf("%w: samplingFrequency must be a number or a quantity object", ErrMalformed)
	}
	return v, nil
}

func healthKitVoltage(raw json.RawMessage) (float64, error) {
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		var m healthKitMeasurement
		if err := json.Unmarshal(raw, &m); err != nil {
			return 0, jsonError(err)
		}
		switch {
		case m.Voltage != nil:
			return *m.Voltage, nil
		case m.Value != nil:
			return *m.Value, nil
		}
		return 0, fmt.Errorf("%w: a voltage measurement has no voltage", ErrMalformed)
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || isNull(raw) {
		return 0, fmt.Errorf("%w: a voltage measurement must be a number or an object", ErrMalformed)
	}
	return v, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
