package input

import (
	"encoding/json"
	"errors"
	"fmt"
)

// jsonError turns an encoding/json error into an ErrMalformed one-liner that
// names the field and the JSON type found, without Go type names.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, ErrMalformed) || errors.Is(err, ErrUnusable):
		return err
	case errors.As(err, &syn):
		return fmt.Errorf("%w: JSON syntax error at byte %d: %s", ErrMalformed, syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fmt.Errorf("%w: unexpected JSON %s at top level", ErrMalformed, typ.Value)
		}
		return fmt.Errorf("%w: field %q must be %s, got JSON %s", ErrMalformed, field, jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "float64", "float32":
		return "a number"
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "of another type"
}

// strictUnmarshal decodes data into v and refuses trailing content.
func strictUnmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(err)
	}
	return nil
}
