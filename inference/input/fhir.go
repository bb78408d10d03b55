package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/afscan/afscan/ecg"
)

// MDC (ISO/IEEE 11073-10101) codes of the ECG lead potentials a component
// may carry, in order of preference: a single-lead classifier trained on
// lead I-like wearable strips (CinC 2017, AliveCor) reads lead I best, then
// lead II, then an unspecified lead.
const (
	mdcECGElecPotl   = "131328" // MDC_ECG_ELEC_POTL, lead unspecified
	mdcECGElecPotlI  = "131329" // MDC_ECG_ELEC_POTL_I
	mdcECGElecPotlII = "131330" // MDC_ECG_ELEC_POTL_II
)

type fhirObservation struct {
	raw               []byte           // the input, for a Bundle's entries
	ResourceType      *string          `json:"resourceType"`
	ID                string           `json:"id"`
	EffectiveDateTime string           `json:"effectiveDateTime"`
	EffectiveInstant  string           `json:"effectiveInstant"`
	EffectivePeriod   *fhirPeriod      `json:"effectivePeriod"`
	ValueSampledData  *fhirSampledData `json:"valueSampledData"`
	Component         []fhirComponent  `json:"component"`
	// Device is Observation.device as it stands in the input; it never
	// makes an Observation refused (see fhirDeviceID).
	Device json.RawMessage `json:"device"`
}

// fhirReference is the part of a FHIR Reference that names a device.
type fhirReference struct {
	Reference  string `json:"reference"`
	Identifier *struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"identifier"`
	Display string `json:"display"`
}

// fhirDeviceID names the device of an Observation.device Reference: its
// reference as written ("Device/123" or a URL), else its identifier as
// "system|value" (FHIR token syntax; the value alone when there is no
// system), else its display text; "" when there is none. A device that is
// not a JSON object of that shape is ignored: it is recorded for the audit
// log only and does not change which strips are accepted.
func fhirDeviceID(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var ref fhirReference
	if json.Unmarshal(raw, &ref) != nil {
		return ""
	}
	switch {
	case ref.Reference != "":
		return ref.Reference
	case ref.Identifier != nil && ref.Identifier.Value != "":
		if ref.Identifier.System == "" {
			return ref.Identifier.Value
		}
		return ref.Identifier.System + "|" + ref.Identifier.Value
	}
	return ref.Display
}

type fhirPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type fhirComponent struct {
	Code             fhirCodeableConcept `json:"code"`
	ValueSampledData *fhirSampledData    `json:"valueSampledData"`
}

type fhirCodeableConcept struct {
	Coding []fhirCoding `json:"coding"`
	Text   string       `json:"text"`
}

type fhirCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

// fhirSampledData is SampledData of R4 (period in ms) with R5's
// interval/intervalUnit accepted as well.
type fhirSampledData struct {
	Origin       *fhirQuantity `json:"origin"`
	Period       *float64      `json:"period"`
	Interval     *float64      `json:"interval"`
	IntervalUnit string        `json:"intervalUnit"`
	Factor       *float64      `json:"factor"`
	LowerLimit   *float64      `json:"lowerLimit"`
	UpperLimit   *float64      `json:"upperLimit"`
	Dimensions   *int64        `json:"dimensions"`
	Data         *string       `json:"data"`
	// dataRaw, set by the single-pass reader instead of Data, is the data
	// string's bytes in the input (it had no escapes).
	dataRaw []byte
}

type fhirQuantity struct {
	Value  *float64 `json:"value"`
	Unit   string   `json:"unit"`
	System string   `json:"system"`
	Code   string   `json:"code"`
}

// DecodeFHIR decodes a FHIR R4 Observation whose valueSampledData, or one
// of whose components' valueSampledData, carries the strip. Given a Bundle,
// it decodes the first entry Observation that carries a usable strip. Among
// components it takes lead I (MDC 131329), else lead II (131330), else an
// unspecified ECG lead (131328), else the first component with SampledData.
//
// SampledData is read as the specification says: sample = origin.value +
// factor × data (factor defaults to 1, origin.value to 0), in the unit of
// origin (its UCUM code, else its unit text: mV, uV/µV or V, converted to
// mV); period is the time between samples in milliseconds, so the rate is
// 1000/period Hz. R5's interval with intervalUnit (ms, s, us) is accepted
// in place of period; when both are present they must agree.
//
// ErrMalformed: not JSON, wrong JSON types, resourceType missing, a
// SampledData without origin, period or dimensions, or a data token that is
// not a decimal, "E", "L" or "U". ErrUnusable: a resource other than an
// Observation or a Bundle, no SampledData anywhere, dimensions other than 1, a period
// that is not positive, a unit that is not a voltage, empty data, the
// markers "E" (error), "L" or "U" (beyond the detection limits) in the data,
// a value that is not finite, or an effectivePeriod whose length disagrees
// with the sample count × period by more than 10 % and 1 s.
//
// The Record's Name is the Observation id; Start is effectiveDateTime,
// effectiveInstant or effectivePeriod.start when it is a full RFC 3339 time.
//
// A single-pass reader decodes the usual Observation (exact key names, each
// once, no nulls, values of the expected JSON types) straight from the
// bytes, the data string in place; anything else, and every Bundle, is
// decoded with encoding/json, so both accept and refuse the same inputs.
func DecodeFHIR(data []byte) (*ecg.Record, error) {
	rec, _, err := DecodeFHIRDevice(data)
	return rec, err
}

// DecodeFHIRDevice is DecodeFHIR that also returns the device the
// Observation names (Observation.device, a Reference): its reference as
// written ("Device/123" or a URL), else its identifier as "system|value"
// (the value alone when it has no system), else its display text; "" when
// the Observation names none. For a Bundle it is the device of the entry
// decoded. A device of an unexpected shape is ignored, never refused: it
// only identifies the sender (the service audits its keyed hash).
func DecodeFHIRDevice(data []byte) (*ecg.Record, string, error) {
	var o fhirObservation
	d := fhirReader{s: jsonScanner{b: data}}
	switch err := d.read(&o); {
	case err == errFHIRSlowPath:
		return decodeFHIRStd(data)
	case err != nil:
		return nil, "", err
	}
	return o.record()
}

// decodeFHIRStd is DecodeFHIRDevice with encoding/json doing the parsing.
func decodeFHIRStd(data []byte) (*ecg.Record, string, error) {
	var o fhirObservation
	if err := strictUnmarshal(data, &o); err != nil {
		return nil, "", err
	}
	o.raw = data
	return o.record()
}

// record checks a decoded Observation (or Bundle) and returns its strip
// and device.
func (o fhirObservation) record() (*ecg.Record, string, error) {
	if o.ResourceType != nil && *o.ResourceType == "Bundle" {
		return decodeFHIRBundle(o.raw)
	}
	rec, err := o.strip()
	if err != nil {
		return nil, "", err
	}
	return rec, fhirDeviceID(o.Device), nil
}

// strip checks a decoded Observation (not a Bundle) and returns its strip.
func (o fhirObservation) strip() (*ecg.Record, error) {
	if o.ResourceType == nil {
		return nil, fmt.Errorf("%w: resourceType is missing", ErrMalformed)
	}
	if *o.ResourceType != "Observation" {
		return nil, fmt.Errorf("%w: resource is a %s, want an Observation", ErrUnusable, clip(*o.ResourceType))
	}
	sd, leadName := o.ValueSampledData, "ECG"
	if sd == nil {
		sd, leadName = pickComponent(o.Component)
	}
	if sd == nil {
		return nil, fmt.Errorf("%w: Observation has no valueSampledData (top level or in a component)", ErrUnusable)
	}
	periodMs, err := sd.periodMs()
	if err != nil {
		return nil, err
	}
	samples, err := sd.decode()
	if err != nil {
		return nil, err
	}
	rateHz := 1000 / periodMs
	if err := checkRate("sample rate (1000/period)", rateHz); err != nil {
		return nil, err
	}
	if err := o.checkEffectivePeriod(len(samples), periodMs); err != nil {
		return nil, err
	}
	return &ecg.Record{
		Name:         o.ID,
		SampleRateHz: rateHz,
		Leads:        []ecg.Lead{{Name: leadName, Units: "mV", Samples: samples}},
		Start:        o.start(),
	}, nil
}

// decodeFHIRBundle decodes the first Observation of a Bundle's entries
// that carries a usable strip; when none does, the first Observation's
// error. Bundles inside the Bundle are not followed.
func decodeFHIRBundle(data []byte) (*ecg.Record, string, error) {
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := strictUnmarshal(data, &b); err != nil {
		return nil, "", err
	}
	var first error
	for i, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if len(e.Resource) == 0 || json.Unmarshal(e.Resource, &head) != nil || head.ResourceType != "Observation" {
			continue
		}
		rec, device, err := DecodeFHIRDevice(e.Resource)
		if err == nil {
			return rec, device, nil
		}
		if first == nil {
			first = fmt.Errorf("%w (Bundle entry %d)", err, i)
		}
	}
	if first != nil {
		return nil, "", first
	}
	return nil, "", fmt.Errorf("%w: Bundle holds no Observation", ErrUnusable)
}

// pickComponent returns the preferred component's SampledData and a lead name.
func pickComponent(cs []fhirComponent) (*fhirSampledData, string) {
	best, bestRank, name := -1, 99, ""
	for i, c := range cs {
		if c.ValueSampledData == nil {
			continue
		}
		rank, lead := 3, c.Code.Text
		for _, cd := range c.Code.Coding {
			switch strings.TrimSpace(cd.Code) {
			case mdcECGElecPotlI, "MDC_ECG_ELEC_POTL_I":
				rank, lead = 0, "I"
			case mdcECGElecPotlII, "MDC_ECG_ELEC_POTL_II":
				rank, lead = min(rank, 1), "II"
			case mdcECGElecPotl, "MDC_ECG_ELEC_POTL":
				rank = min(rank, 2)
			}
			if rank == 0 {
				break
			}
		}
		if rank < bestRank {
			best, bestRank, name = i, rank, lead
		}
	}
	if best < 0 {
		return nil, ""
	}
	if name == "" {
		name = "ECG"
	}
	return cs[best].ValueSampledData, name
}

// periodMs returns the time between samples in milliseconds.
func (sd *fhirSampledData) periodMs() (float64, error) {
	var fromInterval float64
	if sd.Interval != nil {
		var unitMs float64
		switch sd.IntervalUnit {
		case "ms", "":
			unitMs = 1
		case "s":
			unitMs = 1000
		case "us":
			unitMs = 1e-3
		default:
			return 0, fmt.Errorf("%w: SampledData intervalUnit %q is not a time unit (want ms, s or us)", ErrUnusable, clip(sd.IntervalUnit))
		}
		fromInterval = *sd.Interval * unitMs
	}
	var p float64
	switch {
	case sd.Period != nil && sd.Interval != nil:
		p = *sd.Period
		if math.Abs(p-fromInterval) > 1e-9*math.Max(math.Abs(p), math.Abs(fromInterval)) {
			return 0, fmt.Errorf("%w: SampledData period %g ms and interval %g ms disagree", ErrUnusable, p, fromInterval)
		}
	case sd.Period != nil:
		p = *sd.Period
	case sd.Interval != nil:
		p = fromInterval
	default:
		return 0, fmt.Errorf("%w: SampledData period is missing", ErrMalformed)
	}
	if !(p > 0) || math.IsInf(p, 0) {
		return 0, fmt.Errorf("%w: SampledData period must be a positive number of milliseconds, got %g", ErrUnusable, p)
	}
	return p, nil
}

// decode checks the SampledData fields and returns the samples in mV.
func (sd *fhirSampledData) decode() ([]float64, error) {
	if sd.Origin == nil {
		return nil, fmt.Errorf("%w: SampledData origin is missing", ErrMalformed)
	}
	if sd.Dimensions == nil {
		return nil, fmt.Errorf("%w: SampledData dimensions is missing", ErrMalformed)
	}
	if d := *sd.Dimensions; d < 1 {
		return nil, fmt.Errorf("%w: SampledData dimensions must be a positive integer, got %d", ErrMalformed, d)
	} else if d != 1 {
		return nil, fmt.Errorf("%w: SampledData has %d dimensions, want 1 (a single lead)", ErrUnusable, d)
	}
	unit := sd.Origin.Code
	if unit == "" {
		unit = sd.Origin.Unit
	}
	scale, ok := scaleToMV(unit)
	if !ok {
		if unit == "" {
			return nil, fmt.Errorf("%w: SampledData origin has no unit (want mV, uV or V)", ErrUnusable)
		}
		return nil, fmt.Errorf("%w: SampledData origin unit %q is not a voltage (want mV, uV or V)", ErrUnusable, clip(unit))
	}
	origin, factor := 0.0, 1.0
	if sd.Origin.Value != nil {
		origin = *sd.Origin.Value
	}
	if sd.Factor != nil {
		factor = *sd.Factor
	}
	var samples []float64
	var err error
	switch {
	case sd.dataRaw != nil && len(bytes.TrimSpace(sd.dataRaw)) > 0:
		samples, err = parseFHIRData(sd.dataRaw, origin, factor)
	case sd.Data != nil && strings.TrimSpace(*sd.Data) != "":
		samples, err = parseFHIRData(*sd.Data, origin, factor)
	default:
		return nil, fmt.Errorf("%w: SampledData data is empty", ErrUnusable)
	}
	if err != nil {
		return nil, err
	}
	return samples, toMV(samples, scale)
}

// parseFHIRData parses the space-separated data string. The result starts
// with a capacity of one more than the number of spaces (tokens separated
// by other white space grow it), so its size is bounded by the string's
// length. Tokens are read in place; a plain decimal of at most
// 19 digits without exponent (what every device writes) is converted
// exactly by Clinger's fast path (the value strconv.ParseFloat returns),
// anything else is checked by isDecimal and converted by strconv.ParseFloat.
func parseFHIRData[T string | []byte](data T, origin, factor float64) ([]float64, error) {
	var spaces int
	switch d := any(data).(type) {
	case string:
		spaces = strings.Count(d, " ")
	case []byte:
		spaces = bytes.Count(d, []byte{' '})
	}
	samples := make([]float64, 0, spaces+1)
	i := 0
	for k := 0; ; k++ {
		for i < len(data) && isFHIRSpace(data[i]) {
			i++
		}
		if i >= len(data) {
			return samples, nil
		}
		if v, j, ok := fhirPlainDecimal(data, i); ok {
			samples = append(samples, origin+factor*v)
			i = j
			continue
		}
		end := i
		for end < len(data) && !isFHIRSpace(data[end]) {
			end++
		}
		tok := data[i:end]
		i = end
		switch string(tok) {
		case "E":
			return nil, fmt.Errorf("%w: SampledData data marks sample %d as an error (E)", ErrUnusable, k)
		case "L", "U":
			return nil, fmt.Errorf("%w: SampledData data marks sample %d beyond the detection limit (%s)", ErrUnusable, k, string(tok))
		}
		if !isDecimal(tok) {
			return nil, fmt.Errorf("%w: SampledData data token %d %q is not a decimal", ErrMalformed, k, clip(string(tok)))
		}
		v, err := strconv.ParseFloat(string(tok), 64)
		if err != nil { // out of float64 range
			return nil, fmt.Errorf("%w: SampledData data value %d is out of range", ErrUnusable, k)
		}
		samples = append(samples, origin+factor*v)
	}
}

func isFHIRSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// fhirPlainDecimal parses the token at s[i:] when it is a plain FHIR
// decimal ([+-]?[0-9]+(\.[0-9]+)?, at most 19 digits, ending at white
// space or the end) whose value Clinger's fast path gives exactly; ok is
// false for anything else.
func fhirPlainDecimal[T string | []byte](s T, i int) (v float64, j int, ok bool) {
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	start := i
	m, i := readDigits(s, i, 0)
	nd := i - start
	if nd == 0 {
		return 0, 0, false
	}
	frac := 0
	if i < len(s) && s[i] == '.' {
		fs := i + 1
		m, i = readDigits(s, fs, m)
		frac = i - fs
		if frac == 0 {
			return 0, 0, false
		}
	}
	if nd+frac > 19 || frac > 22 || m > 1<<53 || i < len(s) && !isFHIRSpace(s[i]) {
		return 0, 0, false
	}
	return exactDecimal(m, -frac, neg), i, true
}

// isDecimal reports whether s is a FHIR decimal (JSON number grammar,
// leniently allowing a leading '+' and leading zeros): no NaN, Inf, hex or
// digit separators that strconv.ParseFloat would accept.
func isDecimal[T string | []byte](s T) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func (o *fhirObservation) start() time.Time {
	for _, s := range []string{o.EffectiveDateTime, o.EffectiveInstant, o.periodStart()} {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func (o *fhirObservation) periodStart() string {
	if o.EffectivePeriod == nil {
		return ""
	}
	return o.EffectivePeriod.Start
}

// checkEffectivePeriod compares effectivePeriod, when it has a full start
// and end, with the strip's length: a period written in the wrong unit
// (seconds for milliseconds, a rate for a period) shows up here.
func (o *fhirObservation) checkEffectivePeriod(nSamples int, periodMs float64) error {
	if o.EffectivePeriod == nil {
		return nil
	}
	start, err1 := time.Parse(time.RFC3339Nano, o.EffectivePeriod.Start)
	end, err2 := time.Parse(time.RFC3339Nano, o.EffectivePeriod.End)
	if err1 != nil || err2 != nil || !end.After(start) {
		return nil
	}
	statedS := end.Sub(start).Seconds()
	stripS := float64(nSamples) * periodMs / 1000
	if d := math.Abs(statedS - stripS); d > 1 && d > 0.1*stripS {
		return fmt.Errorf("%w: %d samples every %g ms last %.3g s but effectivePeriod spans %.3g s", ErrUnusable, nSamples, periodMs, stripS, statedS)
	}
	return nil
}
