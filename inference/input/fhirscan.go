package input

import (
	"errors"
	"strconv"
)

// errFHIRSlowPath makes DecodeFHIR hand the input to encoding/json: the
// single-pass reader met something whose encoding/json semantics it does
// not reproduce (a key matched only by case folding or through escapes, a
// repeated key, a null, a value of an unexpected type, a Bundle).
var errFHIRSlowPath = errors.New("fhir: slow path")

// fhirReader fills a fhirObservation from JSON text in one pass.
type fhirReader struct {
	s jsonScanner
}

// fields tracks which of up to 64 known keys an object has had: a repeated
// key takes the slow path (encoding/json merges repeated objects).
type fields uint64

// key classifies an object key: the index of the exact field name in
// names, -1 for an unknown key to skip, or errFHIRSlowPath for a key
// encoding/json might match differently (escaped, or equal to a field name
// only under case folding) or a field seen before.
func (f *fields) key(lit []byte, plain bool, names []string) (int, error) {
	if !plain {
		return 0, errFHIRSlowPath
	}
	k := lit[1 : len(lit)-1]
	for i, n := range names {
		if string(k) == n {
			if *f&(1<<i) != 0 {
				return 0, errFHIRSlowPath
			}
			*f |= 1 << i
			return i, nil
		}
	}
	for _, n := range names {
		if equalFold(k, n) {
			return 0, errFHIRSlowPath
		}
	}
	return -1, nil
}

func (d *fhirReader) read(o *fhirObservation) error {
	s := &d.s
	s.ws()
	if s.peek() != '{' {
		return errFHIRSlowPath
	}
	o.raw = s.b
	if err := d.observation(o); err != nil {
		return err
	}
	if err := s.end(); err != nil {
		return err
	}
	if o.ResourceType != nil && *o.ResourceType == "Bundle" {
		return errFHIRSlowPath
	}
	return nil
}

var observationFields = []string{"resourceType", "id", "effectiveDateTime", "effectiveInstant", "effectivePeriod", "valueSampledData", "component", "device"}

func (d *fhirReader) observation(o *fhirObservation) error {
	var seen fields
	return d.s.object(func(lit []byte, plain bool) error {
		f, err := seen.key(lit, plain, observationFields)
		if err != nil {
			return err
		}
		switch f {
		case 0:
			v, err := d.str()
			o.ResourceType = &v
			return err
		case 1:
			return d.strInto(&o.ID)
		case 2:
			return d.strInto(&o.EffectiveDateTime)
		case 3:
			return d.strInto(&o.EffectiveInstant)
		case 4:
			o.EffectivePeriod = new(fhirPeriod)
			return d.period(o.EffectivePeriod)
		case 5:
			o.ValueSampledData = new(fhirSampledData)
			return d.sampledData(o.ValueSampledData)
		case 6:
			if d.s.peek() != '[' {
				return errFHIRSlowPath
			}
			o.Component = []fhirComponent{}
			return d.s.array(func(int) error {
				o.Component = append(o.Component, fhirComponent{})
				return d.component(&o.Component[len(o.Component)-1])
			})
		case 7:
			// Kept as written, like json.RawMessage: fhirDeviceID reads
			// it the same way on both paths.
			start := d.s.i
			err := d.s.skip()
			o.Device = d.s.b[start:d.s.i]
			return err
		}
		return d.s.skip()
	})
}

var periodFields = []string{"start", "end"}

func (d *fhirReader) period(p *fhirPeriod) error {
	if d.s.peek() != '{' {
		return errFHIRSlowPath
	}
	var seen fields
	return d.s.object(func(lit []byte, plain bool) error {
		f, err := seen.key(lit, plain, periodFields)
		if err != nil {
			return err
		}
		switch f {
		case 0:
			return d.strInto(&p.Start)
		case 1:
			return d.strInto(&p.End)
		}
		return d.s.skip()
	})
}

var componentFields = []string{"code", "valueSampledData"}

func (d *fhirReader) component(c *fhirComponent) error {
	if d.s.peek() != '{' {
		return errFHIRSlowPath
	}
	var seen fields
	return d.s.object(func(lit []byte, plain bool) error {
		f, err := seen.key(lit, plain, componentFields)
		if err != nil {
			return err
		}
		switch f {
		case 0:
			return d.codeableConcept(&c.Code)
		case 1:
			c.ValueSampledData = new(fhirSampledData)
			return d.sampledData(c.ValueSampledData)
		}
		return d.s.skip()
	})
}

var codeableConceptFields = []string{"coding", "text"}

func (d *fhirReader) codeableConcept(c *fhirCodeableConcept) error {
	if d.s.peek() != '{' {
		return errFHIRSlowPath
	}
	var seen fields
	return d.s.object(func(lit []byte, plain bool) error {
		f, err := seen.key(lit, plain, codeableConceptFields)
		if err != nil {
			return err
		}
		switch f {
		case 0:
			if d.s.peek() != '[' {
				return errFHIRSlowPath
			}
			c.Coding = []fhirCoding{}
			return d.s.array(func(int) error {
				c.Coding = append(c.Coding, fhirCoding{})
				return d.coding(&c.Coding[len(c.Coding)-1])
			})
		case 1:
			return d.strInto(&c.Text)
		}
		return d.s.skip()
	})
}

var codingFields = []string{"system", "code", "display"}

func (d *fhirReader) coding(c *fhirCoding) error {
	if d.s.peek() != '{' {
		return errFHIRSlowPath
	}
	var seen fields
	return d.s.object(func(lit []byte, plain bool) error {
		f, err := seen.key(lit, plain, codingFields)
		if err != nil {
			return err
		}
		switch f {
		case 0:
			return d.strInto(&c.System)
		case 1:
			return d.strInto(&c.Code)
		case 2:
			return d.strInto(&c.Display)
		}
		return d.s.skip()
	})
}

var sampledDataFields = []string{"origin", "period", "interval", "intervalUnit", "factor", "lowerLimit", "upperLimit", "dimensions", "data"}

func (d *fhirReader) sampledData(sd *fhirSampledData) error {
	if d.s.peek() != '{' {
		return errFHIRSlowPath
	}
	var seen fields
	return d.s.object(func(lit []byte, plain bool) error {
		f, err := seen.key(lit, plain, sampledDataFields)
		if err != nil {
			return err
		}
		switch f {
		case 0:
			sd.Origin = new(fhirQuantity)
			return d.quantity(sd.Origin)
		case 1:
			sd.Period, err = d.num()
		case 2:
			sd.Interval, err = d.num()
		case 3:
			return d.strInto(&sd.IntervalUnit)
		case 4:
			sd.Factor, err = d.num()
		case 5:
			sd.LowerLimit, err = d.num()
		case 6:
			sd.UpperLimit, err = d.num()
		case 7:
			sd.Dimensions, err = d.int()
		case 8:
			if d.s.peek() != '"' {
				return errFHIRSlowPath
			}
			lit, plain, err := d.s.str()
			if err != nil {
				return err
			}
			if plain {
				sd.dataRaw = lit[1 : len(lit)-1]
			} else {
				v := strValue(lit, false)
				sd.Data = &v
			}
			return nil
		default:
			return d.s.skip()
		}
		return err
	})
}

var quantityFields = []string{"value", "unit", "system", "code"}

func (d *fhirReader) quantity(q *fhirQuantity) error {
	if d.s.peek() != '{' {
		return errFHIRSlowPath
	}
	var seen fields
	return d.s.object(func(lit []byte, plain bool) error {
		f, err := seen.key(lit, plain, quantityFields)
		if err != nil {
			return err
		}
		switch f {
		case 0:
			q.Value, err = d.num()
			return err
		case 1:
			return d.strInto(&q.Unit)
		case 2:
			return d.strInto(&q.System)
		case 3:
			return d.strInto(&q.Code)
		}
		return d.s.skip()
	})
}

// str reads a string value; any other JSON type takes the slow path.
func (d *fhirReader) str() (string, error) {
	if d.s.peek() != '"' {
		return "", errFHIRSlowPath
	}
	lit, plain, err := d.s.str()
	if err != nil {
		return "", err
	}
	return strValue(lit, plain), nil
}

func (d *fhirReader) strInto(dst *string) error {
	v, err := d.str()
	*dst = v
	return err
}

// num reads a number in float64 range; anything else takes the slow path.
func (d *fhirReader) num() (*float64, error) {
	if c := d.s.peek(); c != '-' && (c < '0' || c > '9') {
		return nil, errFHIRSlowPath
	}
	v, ok, err := d.s.number()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errFHIRSlowPath
	}
	return &v, nil
}

// int reads a number encoding/json would store in an int64 (an integer
// literal in range); anything else takes the slow path.
func (d *fhirReader) int() (*int64, error) {
	if c := d.s.peek(); c != '-' && (c < '0' || c > '9') {
		return nil, errFHIRSlowPath
	}
	start := d.s.i
	if _, _, err := d.s.number(); err != nil {
		return nil, err
	}
	v, err := strconv.ParseInt(string(d.s.b[start:d.s.i]), 10, 64)
	if err != nil {
		return nil, errFHIRSlowPath
	}
	return &v, nil
}
