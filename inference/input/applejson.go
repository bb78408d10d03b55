package input

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/afscan/afscan/ecg"
)

// healthKitStrip is the shape apps give an HKElectrocardiogram when they
// export it as JSON: the sampling frequency and the voltage measurements of
// its one lead, in volts as HealthKit reports them. HealthKitReporter-style
// exports wrap the same fields in "harmonized".
type healthKitStrip struct {
	SamplingFrequency     json.RawMessage   `json:"samplingFrequency"`
	SamplingFrequencyUnit *string           `json:"samplingFrequencyUnit"`
	VoltageMeasurements   []json.RawMessage `json:"voltageMeasurements"`
	Voltages              []json.RawMessage `json:"voltages"`
	Unit                  *string           `json:"voltageUnit"`
	Harmonized            json.RawMessage   `json:"harmonized"`
}

type healthKitQuantity struct {
	Value *float64 `json:"value"`
	Unit  string   `json:"unit"`
}

type healthKitMeasurement struct {
	Voltage    *float64           `json:"voltage"`
	Value      *float64           `json:"value"`
	Unit       string             `json:"unit"`
	Harmonized *healthKitQuantity `json:"harmonized"`
	Serialized *healthKitQuantity `json:"serialized"`
}

// DecodeAppleHealthJSON decodes a HealthKit-style electrocardiogram export:
//
//	{"samplingFrequency": 512, "voltageMeasurements": [V, ...]}
//
// samplingFrequency is a number in hertz (with an optional
// "samplingFrequencyUnit": "Hz") or {"value": 512, "unit": "Hz"}; the
// measurements (also accepted under "voltages") are numbers or objects
// {"voltage": V}, {"value": V, "unit": "mcV"} or {"harmonized"|"serialized":
// {"value": V, "unit": "V"}} (a "timeSinceSampleStart" is ignored: the rate
// defines the timing). The same fields may sit inside a top-level
// "harmonized" object. Voltages are volts, as HealthKit reports them, unless
// "voltageUnit" or a measurement's own unit (HealthKit spells microvolts
// "mcV") says otherwise; they are converted to mV.
//
// Errors follow DecodeJSON: wrong types and missing fields (a null voltage
// included) are ErrMalformed; an empty or non-finite strip, a bad rate or a
// unit that is not a voltage is ErrUnusable.
func DecodeAppleHealthJSON(data []byte) (*ecg.Record, error) {
	var s healthKitStrip
	if err := strictUnmarshal(data, &s); err != nil {
		return nil, err
	}
	if len(s.SamplingFrequency) == 0 && len(s.Harmonized) > 0 && !isNull(s.Harmonized) {
		var h healthKitStrip
		if err := strictUnmarshal(s.Harmonized, &h); err != nil {
			return nil, err
		}
		s = h
	}
	if len(s.SamplingFrequency) == 0 {
		return nil, fmt.Errorf("%w: samplingFrequency is missing", ErrMalformed)
	}
	rateHz, err := healthKitRate(s.SamplingFrequency)
	if err != nil {
		return nil, err
	}
	if s.SamplingFrequencyUnit != nil && !isHertz(*s.SamplingFrequencyUnit) {
		return nil, fmt.Errorf("%w: samplingFrequencyUnit %q is not hertz", ErrUnusable, clip(*s.SamplingFrequencyUnit))
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
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: no samples", ErrUnusable)
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
		v, mScale, err := healthKitVoltage(m, scale)
		if err != nil {
			return nil, fmt.Errorf("%w (measurement %d)", err, i)
		}
		samples[i] = v * mScale
	}
	if err := toMV(samples, 1); err != nil {
		return nil, err
	}
	return &ecg.Record{
		SampleRateHz: rateHz,
		Leads:        []ecg.Lead{{Name: "Lead I", Units: "mV", Samples: samples}},
	}, nil
}

func isHertz(unit string) bool {
	switch unit {
	case "", "Hz", "hz", "hertz", "Hertz", "count/s":
		return true
	}
	return false
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
		if !isHertz(q.Unit) {
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

// healthKitVoltage returns one measurement's value and the factor to mV:
// its own unit's when it names one, else defaultScale.
func healthKitVoltage(raw json.RawMessage, defaultScale float64) (v, scale float64, err error) {
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		if err := json.Unmarshal(raw, &v); err != nil || isNull(raw) {
			return 0, 0, fmt.Errorf("%w: a voltage measurement must be a number or an object", ErrMalformed)
		}
		return v, defaultScale, nil
	}
	var m healthKitMeasurement
	if err := json.Unmarshal(raw, &m); err != nil {
		return 0, 0, jsonError(err)
	}
	var value *float64
	unit := m.Unit
	switch {
	case m.Voltage != nil:
		value = m.Voltage
	case m.Value != nil:
		value = m.Value
	case m.Harmonized != nil && m.Harmonized.Value != nil:
		value, unit = m.Harmonized.Value, m.Harmonized.Unit
	case m.Serialized != nil && m.Serialized.Value != nil:
		value, unit = m.Serialized.Value, m.Serialized.Unit
	default:
		return 0, 0, fmt.Errorf("%w: a voltage measurement has no voltage", ErrMalformed)
	}
	if unit == "" {
		return *value, defaultScale, nil
	}
	scale, ok := scaleToMV(unit)
	if !ok {
		return 0, 0, fmt.Errorf("%w: measurement unit %q is not a voltage", ErrUnusable, clip(unit))
	}
	return *value, scale, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
