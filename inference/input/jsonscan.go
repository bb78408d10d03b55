package input

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxJSONDepth is encoding/json's nesting limit: a document nested deeper
// is a syntax error there, so it is one here too.
const maxJSONDepth = 10000

// jsonScanner reads JSON text in one pass with encoding/json's grammar
// (RFC 8259 numbers, strings with validated escapes, control characters
// refused, invalid UTF-8 tolerated, the same nesting limit). The decoders
// built on it walk the few fields they need and skip the rest, so a strip
// is parsed once, straight from the request bytes, instead of once by
// encoding/json's validator and again into values.
type jsonScanner struct {
	b     []byte
	i     int
	depth int
}

// syntaxError describes the byte at the cursor like encoding/json does.
func (s *jsonScanner) syntaxError(context string) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("%w: JSON syntax error at byte %d: unexpected end of JSON input", ErrMalformed, s.i)
	}
	return fmt.Errorf("%w: JSON syntax error at byte %d: invalid character %s %s", ErrMalformed, s.i+1, quoteChar(s.b[s.i]), context)
}

func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c < ' ' || c >= utf8.RuneSelf:
		return strconv.QuoteRune(rune(c))
	}
	return "'" + string(rune(c)) + "'"
}

// ws skips JSON white space.
func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the byte at the cursor, 0 at the end.
func (s *jsonScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// str reads a string literal at the cursor (which is at '"') and returns it
// with its quotes; plain means it has no escapes and is valid UTF-8, so its
// value is the bytes between the quotes.
func (s *jsonScanner) str() (lit []byte, plain bool, err error) {
	start := s.i
	s.i++
	plain = true
	high := false
	for s.i < len(s.b) {
		// Skip 8 ordinary bytes at a time (a FHIR data string is tens of
		// kilobytes of digits and spaces).
		for s.i+8 <= len(s.b) && !hasSpecialByte(binary.LittleEndian.Uint64(s.b[s.i:])) {
			s.i += 8
		}
		if s.i >= len(s.b) {
			break
		}
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			lit = s.b[start:s.i]
			if high && plain && !utf8.Valid(lit) {
				plain = false
			}
			return lit, plain, nil
		case c == '\\':
			plain = false
			s.i++
			switch s.peek() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				s.i++
				for range 4 {
					if !isHex(s.peek()) {
						return nil, false, s.syntaxError("in \\u hexadecimal character escape")
					}
					s.i++
				}
			default:
				return nil, false, s.syntaxError("in string escape code")
			}
		case c < ' ':
			return nil, false, s.syntaxError("in string literal")
		default:
			if c >= utf8.RuneSelf {
				high = true
			}
			s.i++
		}
	}
	return nil, false, s.syntaxError("")
}

// hasSpecialByte reports whether any of the 8 bytes in w may need a
// string reader's attention: '"', '\\', a control character or a byte of a
// multi-byte UTF-8 sequence. It may report false positives (the byte-wise
// loop then decides), never false negatives.
func hasSpecialByte(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := w ^ (lo * '"')
	b := w ^ (lo * '\\')
	return ((q-lo)&^q|(b-lo)&^b|(w-lo*0x20)|w)&hi != 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// strValue returns a string literal's value as encoding/json decodes it
// (escapes resolved, invalid UTF-8 and lone surrogates as U+FFFD).
func strValue(lit []byte, plain bool) string {
	if plain {
		return string(lit[1 : len(lit)-1])
	}
	var v string
	if err := json.Unmarshal(lit, &v); err != nil {
		// Unreachable: str validated the literal.
		return string(lit[1 : len(lit)-1])
	}
	return v
}

// number reads a number literal at the cursor and returns its value; ok is
// false when it is out of float64 range (encoding/json refuses those). The
// common case — at most 19 significant digits, a value below 2^53 and a
// decimal exponent within ±22 — is computed exactly as m × 10^e or m / 10^-e
// with one correctly rounded operation on exact operands (Clinger's fast
// path), which is what strconv.ParseFloat returns; anything else goes to
// strconv.ParseFloat.
func (s *jsonScanner) number() (v float64, ok bool, err error) {
	b := s.b
	i := s.i
	start := i
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	var m uint64
	nd, exp10 := 0, 0
	trunc := false
	switch {
	case i >= len(b):
		s.i = i
		return 0, false, s.syntaxError("")
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if nd < 19 {
				m = m*10 + uint64(b[i]-'0')
				nd++
			} else {
				trunc = true
			}
			i++
		}
	default:
		s.i = i
		return 0, false, s.syntaxError("in numeric literal")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			s.i = i
			return 0, false, s.syntaxError("after decimal point in numeric literal")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			d := b[i] - '0'
			switch {
			case m == 0 && d == 0:
				exp10--
			case nd < 19:
				m = m*10 + uint64(d)
				nd++
				exp10--
			default:
				trunc = true
			}
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			s.i = i
			return 0, false, s.syntaxError("in exponent of numeric literal")
		}
		e := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if e < 100_000 {
				e = e*10 + int(b[i]-'0')
			}
			i++
		}
		if eneg {
			e = -e
		}
		exp10 += e
	}
	s.i = i
	if !trunc && m <= 1<<53 && exp10 >= -22 && exp10 <= 22 {
		return exactDecimal(m, exp10, neg), true, nil
	}
	f, perr := strconv.ParseFloat(string(b[start:i]), 64)
	return f, perr == nil, nil
}

// readDigits reads the decimal digits at s[i:] into the mantissa m and
// returns it with the index after the last digit. It does not check for
// overflow: callers count the digits read and refuse the value beyond 19
// (what a uint64 holds).
func readDigits[T string | []byte](s T, i int, m uint64) (uint64, int) {
	for i < len(s) && s[i]-'0' < 10 {
		m = m*10 + uint64(s[i]-'0')
		i++
	}
	return m, i
}

// exactDecimal is ±m·10^exp10 for m ≤ 2^53 and |exp10| ≤ 22, where both
// m and the power of ten are exact in float64 and one rounding gives the
// correctly rounded value (Clinger's fast path; the caller checks the
// bounds).
func exactDecimal(m uint64, exp10 int, neg bool) float64 {
	f := float64(m)
	if exp10 < 0 {
		f /= pow10[-exp10]
	} else {
		f *= pow10[exp10]
	}
	if neg {
		f = -f
	}
	return f
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// literal reads true, false or null at the cursor.
func (s *jsonScanner) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if s.peek() != word[k] {
			return s.syntaxError("in literal " + word + " (expecting '" + word[k:k+1] + "')")
		}
		s.i++
	}
	return nil
}

// skip reads and discards one value at the cursor, checking its syntax.
func (s *jsonScanner) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, _, err := s.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, _, err := s.number()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '{':
		return s.object(func(lit []byte, plain bool) error { return s.skip() })
	case c == '[':
		return s.array(func(int) error { return s.skip() })
	}
	return s.syntaxError("looking for beginning of value")
}

// object reads an object at the cursor, calling member with each key's
// literal once the cursor is at the member's value (white space skipped);
// member must consume the value.
func (s *jsonScanner) object(member func(key []byte, plain bool) error) error {
	if empty, err := s.open('}'); empty || err != nil {
		return err
	}
	for {
		if s.peek() != '"' {
			return s.syntaxError("looking for beginning of object key string")
		}
		key, plain, err := s.str()
		if err != nil {
			return err
		}
		s.ws()
		if s.peek() != ':' {
			return s.syntaxError("after object key")
		}
		s.i++
		s.ws()
		if err := member(key, plain); err != nil {
			return err
		}
		if more, err := s.next('}', "after object key:value pair"); !more || err != nil {
			return err
		}
	}
}

// array reads an array at the cursor, calling elem with each element's
// index once the cursor is at it; elem must consume the element.
func (s *jsonScanner) array(elem func(k int) error) error {
	if empty, err := s.open(']'); empty || err != nil {
		return err
	}
	for k := 0; ; k++ {
		if err := elem(k); err != nil {
			return err
		}
		if more, err := s.next(']', "after array element"); !more || err != nil {
			return err
		}
	}
}

// open enters the object or array whose opening bracket is at the cursor
// and skips the white space after it; when the closing bracket follows at
// once it consumes that too and reports the container empty.
func (s *jsonScanner) open(closing byte) (empty bool, err error) {
	if s.depth++; s.depth > maxJSONDepth {
		return false, fmt.Errorf("%w: JSON syntax error at byte %d: exceeded max depth", ErrMalformed, s.i+1)
	}
	s.i++
	s.ws()
	if s.peek() == closing {
		s.i++
		s.depth--
		return true, nil
	}
	return false, nil
}

// next reads what follows a member or element: a comma (more follow; the
// cursor moves to the next one) or the closing bracket (the container
// ends); anything else is a syntax error "after what".
func (s *jsonScanner) next(closing byte, what string) (more bool, err error) {
	s.ws()
	switch s.peek() {
	case ',':
		s.i++
		s.ws()
		return true, nil
	case closing:
		s.i++
		s.depth--
		return false, nil
	}
	return false, s.syntaxError(what)
}

// end checks that only white space follows the top-level value.
func (s *jsonScanner) end() error {
	s.ws()
	if s.i != len(s.b) {
		return s.syntaxError("after top-level value")
	}
	return nil
}

// keyIs reports whether an object key literal names field the way
// encoding/json matches struct fields: exactly, or else under Unicode
// case folding (bytes.EqualFold).
func keyIs(lit []byte, plain bool, field string) bool {
	if plain {
		k := lit[1 : len(lit)-1]
		return string(k) == field || equalFold(k, field)
	}
	k := strValue(lit, false)
	return k == field || equalFold([]byte(k), field)
}

// jsonKind names the JSON type of the value starting with c.
func jsonKindOf(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

func equalFold(k []byte, field string) bool { return bytes.EqualFold(k, []byte(field)) }
