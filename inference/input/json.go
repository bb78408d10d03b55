package input

import (
	"bytes"
	"fmt"

	"github.com/afscan/afscan/ecg"
)

// DecodeJSON decodes an afscan JSON strip:
//
//	{"sample_rate_hz": 300, "samples": [mV, ...], "units": "mV", "device_id": "optional"}
//
// units defaults to "mV"; "uV", "µV" and "V" (and the spelled-out words) are
// converted to mV, anything else is ErrUnusable. A missing sample_rate_hz or
// samples, a value of the wrong JSON type, or a syntax error is
// ErrMalformed; an empty samples array, a rate that is not positive or above
// MaxSampleRateHz, or a sample that overflows on conversion is ErrUnusable.
// JSON has no NaN or infinity, so such values (as strings, or numbers out of
// float64 range) are ErrMalformed. Unknown fields are ignored.
//
// It accepts and refuses exactly what encoding/json.Unmarshal into
// {SampleRateHz *float64; Samples json.RawMessage; Units *string; DeviceID
// string} followed by those checks would (keys matched as encoding/json
// matches them, the last of duplicate keys winning, null leaving a field
// unset), but reads the input once: the samples are parsed straight from
// the bytes as they are scanned.
//
// The Record has one lead named "ECG" with Units "mV"; its Name is the
// device_id (empty when absent). Allocation is proportional to the input's
// length.
func DecodeJSON(data []byte) (*ecg.Record, error) {
	return DecodeJSONInto(nil, data)
}

// DecodeJSONInto is DecodeJSON decoding the samples into dst's memory when
// its capacity holds them (dst's length is ignored): the record's lead then
// aliases dst. When dst is nil or too small it allocates, as DecodeJSON
// does. A server decoding many strips passes a buffer it reuses once the
// record is no longer used, which spares the garbage collector the
// largest allocation of a request.
func DecodeJSONInto(dst []float64, data []byte) (*ecg.Record, error) {
	d := jsonStripDecoder{samples: dst[:0]}
	if err := d.parse(data); err != nil {
		return nil, err
	}
	if !d.hasRate {
		return nil, fmt.Errorf("%w: sample_rate_hz is missing", ErrMalformed)
	}
	if !d.hasSamples {
		return nil, fmt.Errorf("%w: samples is missing", ErrMalformed)
	}
	if err := checkRate("sample_rate_hz", d.rateHz); err != nil {
		return nil, err
	}
	unit := "mV"
	if d.hasUnits {
		unit = d.units
	}
	scale, ok := scaleToMV(unit)
	if !ok {
		return nil, fmt.Errorf("%w: units %q is not a voltage (want mV, uV or V)", ErrUnusable, clip(unit))
	}
	if d.samplesErr != nil {
		return nil, d.samplesErr
	}
	if len(d.samples) == 0 || scale != 1 {
		// The readers only return finite numbers: at scale 1 there is
		// nothing for toMV to check but the length.
		if err := toMV(d.samples, scale); err != nil {
			return nil, err
		}
	}
	return &ecg.Record{
		Name:         d.deviceID,
		SampleRateHz: d.rateHz,
		Leads:        []ecg.Lead{{Name: "ECG", Units: "mV", Samples: d.samples}},
	}, nil
}

// jsonStripDecoder holds the fields of an afscan JSON strip as they are
// read. samplesErr is an element that is not a number in range: like the
// checks on the other fields it is reported only after the rate and unit
// checks, in the order DecodeJSON always reported them.
type jsonStripDecoder struct {
	s          jsonScanner
	rateHz     float64
	hasRate    bool
	samples    []float64
	sized      bool // samples has room for any samples array that follows
	hasSamples bool
	samplesErr error
	units      string
	hasUnits   bool
	deviceID   string
}

func (d *jsonStripDecoder) parse(data []byte) error {
	d.s = jsonScanner{b: data}
	s := &d.s
	s.ws()
	if s.peek() != '{' {
		if s.i >= len(data) {
			return fmt.Errorf("%w: JSON syntax error at byte %d: unexpected end of JSON input", ErrMalformed, s.i)
		}
		if err := s.skip(); err != nil {
			return err
		}
		if err := s.end(); err != nil {
			return err
		}
		return fmt.Errorf("%w: unexpected JSON %s at top level, want an object", ErrMalformed, jsonKindOf(data[skipLeadingSpace(data)]))
	}
	if err := s.object(d.member); err != nil {
		return err
	}
	return s.end()
}

func skipLeadingSpace(b []byte) int {
	s := jsonScanner{b: b}
	s.ws()
	return s.i
}

// member reads the value of one top-level key.
func (d *jsonStripDecoder) member(key []byte, plain bool) error {
	s := &d.s
	c := s.peek()
	switch {
	case keyIs(key, plain, "samples"):
		switch c {
		case 'n':
			d.hasSamples, d.samples, d.samplesErr = false, d.samples[:0], nil
			return s.literal("null")
		case '[':
			d.hasSamples, d.samples, d.samplesErr = true, d.samples[:0], nil
			return d.readSamples()
		}
		d.hasSamples, d.samples = true, d.samples[:0]
		d.samplesErr = fmt.Errorf("%w: field %q must be an array of numbers", ErrMalformed, "samples")
		return s.skip()
	case keyIs(key, plain, "sample_rate_hz"):
		switch {
		case c == 'n':
			d.hasRate = false
			return s.literal("null")
		case c == '-' || c >= '0' && c <= '9':
			start := s.i
			v, ok, err := s.number()
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: field %q must be a number, got JSON number %s", ErrMalformed, "sample_rate_hz", clip(string(s.b[start:s.i])))
			}
			d.rateHz, d.hasRate = v, true
			return nil
		}
		return d.typeError("sample_rate_hz", "a number", c)
	case keyIs(key, plain, "units"):
		switch c {
		case 'n':
			d.hasUnits = false
			return s.literal("null")
		case '"':
			lit, plain, err := s.str()
			if err != nil {
				return err
			}
			d.units, d.hasUnits = strValue(lit, plain), true
			return nil
		}
		return d.typeError("units", "a string", c)
	case keyIs(key, plain, "device_id"):
		switch c {
		case 'n':
			return s.literal("null") // null leaves a string as it was
		case '"':
			lit, plain, err := s.str()
			if err != nil {
				return err
			}
			d.deviceID = strValue(lit, plain)
			return nil
		}
		return d.typeError("device_id", "a string", c)
	}
	return s.skip()
}

// typeError refuses a value of the wrong JSON type. The value's syntax is
// checked first, so that a syntax error is what is reported when there is
// one at that place.
func (d *jsonStripDecoder) typeError(field, want string, c byte) error {
	if err := d.s.skip(); err != nil {
		return err
	}
	return fmt.Errorf("%w: field %q must be %s, got JSON %s", ErrMalformed, field, want, jsonKindOf(c))
}

// readSamples reads the samples array at the cursor. The result's capacity
// is bounded by the input's length: one more element than there are commas
// in the rest of the input, counted once however many times the key occurs.
// Plain decimals (the way every JSON encoder writes a sample) take a fast
// path; anything else goes through the general number and value readers.
func (d *jsonStripDecoder) readSamples() error {
	s := &d.s
	if !d.sized {
		// Room for every element, so append never copies.
		if n := bytes.Count(s.b[s.i:], []byte{','}) + 1; cap(d.samples) < n {
			d.samples = make([]float64, 0, n)
		}
		d.sized = true
	}
	if empty, err := s.open(']'); empty || err != nil {
		return err
	}
	b := s.b
	for k := 0; ; k++ {
		// Fast path: a plain decimal (-?(0|[1-9][0-9]*)(\.[0-9]+)?, no
		// exponent, at most 19 digits) whose value is exact by Clinger's
		// fast path (mantissa at most 2^53, divided by an exact power of
		// ten); anything else goes to sample, whose number reader gives
		// the same value for a number. Written out here, with the cursor
		// in a local variable: a call per element and the cursor's store
		// cost ~10 % of the loop.
		i := s.i
		neg := i < len(b) && b[i] == '-'
		if neg {
			i++
		}
		start := i
		m, i := readDigits(b, i, 0)
		nd := i - start
		ok := nd == 1 || nd > 1 && b[start] != '0'
		frac := 0
		if ok && i < len(b) && b[i] == '.' {
			fs := i + 1
			m, i = readDigits(b, fs, m)
			frac = i - fs
			ok = frac > 0
		}
		if ok && nd+frac <= 19 && m <= 1<<53 && (i >= len(b) || b[i]|0x20 != 'e') {
			v := exactDecimal(m, -frac, neg)
			if d.samplesErr == nil {
				d.samples = append(d.samples, v)
			}
		} else {
			if err := d.sample(k); err != nil {
				return err
			}
			i = s.i
		}
		if i < len(b) && b[i] == ',' {
			i++
			if i < len(b) && b[i] > ' ' {
				s.i = i
				continue
			}
			s.i = i
			s.ws()
			continue
		}
		s.i = i
		if more, err := s.next(']', "after array element"); !more || err != nil {
			return err
		}
	}
}

// sample reads element k of the samples array through the general readers.
func (d *jsonStripDecoder) sample(k int) error {
	s := &d.s
	c := s.peek()
	if c == '-' || c >= '0' && c <= '9' {
		v, ok, err := s.number()
		if err != nil {
			return err
		}
		if d.samplesErr == nil {
			if ok {
				d.samples = append(d.samples, v)
			} else {
				d.samplesErr = fmt.Errorf("%w: element %d of %q is out of range", ErrMalformed, k, "samples")
			}
		}
		return nil
	}
	start := s.i
	if err := s.skip(); err != nil {
		return err
	}
	if d.samplesErr == nil {
		d.samplesErr = fmt.Errorf("%w: every element of %q must be a JSON number, element %d is %s", ErrMalformed, "samples", k, clip(string(s.b[start:s.i])))
	}
	return nil
}
