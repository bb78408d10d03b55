package input

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/afscan/afscan/ecg"
)

// Format names a strip format Decode recognises.
type Format string

// The formats of Decode and ReadFile.
const (
	FormatUnknown   Format = ""
	FormatJSON      Format = "afscan-json"          // DecodeJSON
	FormatFHIR      Format = "fhir-observation"     // DecodeFHIR
	FormatAppleCSV  Format = "apple-health-csv"     // DecodeAppleCSV
	FormatHealthKit Format = "apple-healthkit-json" // DecodeAppleHealthJSON
	FormatWFDB      Format = "wfdb"                 // a WFDB header; ReadFile reads the record
)

// Decode detects the strip format from data's content and decodes it. A
// JSON object is FHIR when it has "resourceType", afscan JSON when it has
// "sample_rate_hz" or "samples", HealthKit JSON when it has
// "samplingFrequency", "voltageMeasurements" or "harmonized" (any other
// object gets afscan JSON's error for what it lacks); text is
// an Apple Health CSV when a header line's value is a rate in hertz, and a
// WFDB header when its first line is a WFDB record line. nameHint (a file
// name, may be empty) is consulted only when the content settles nothing:
// a ".csv" or ".json" name then gets that decoder's specific error.
//
// A WFDB header cannot be decoded from its bytes alone (the samples are in
// a sibling signal file): Decode returns FormatWFDB with an ErrUnknownFormat
// error; use ReadFile. Unrecognised content is ErrUnknownFormat, which
// wraps ErrMalformed. The other errors are the decoders'.
func Decode(data []byte, nameHint string) (*ecg.Record, Format, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark, as Windows editors write
	f := Detect(data)
	switch f {
	case FormatUnknown:
		switch strings.ToLower(filepath.Ext(nameHint)) {
		case ".csv":
			f = FormatAppleCSV
		case ".json":
			f = FormatJSON
		default:
			return nil, FormatUnknown, fmt.Errorf("%w (want afscan JSON, a FHIR Observation, an Apple Health ECG CSV or a WFDB record)", ErrUnknownFormat)
		}
	case FormatWFDB:
		return nil, FormatWFDB, fmt.Errorf("%w: a WFDB header needs its signal file; read the record from disk", ErrUnknownFormat)
	}
	var rec *ecg.Record
	var err error
	switch f {
	case FormatJSON:
		rec, err = DecodeJSON(data)
	case FormatFHIR:
		rec, err = DecodeFHIR(data)
	case FormatHealthKit:
		rec, err = DecodeAppleHealthJSON(data)
	case FormatAppleCSV:
		rec, err = DecodeAppleCSV(data)
	}
	return rec, f, err
}

// Detect returns the format data's content looks like, FormatUnknown when
// none. It reads at most the top-level keys of a JSON object and the first
// lines of a text file.
func Detect(data []byte) Format {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return FormatUnknown
	}
	if trimmed[0] == '{' {
		return detectJSON(trimmed)
	}
	text := textOf(trimmed)
	if looksLikeWFDB(text) {
		return FormatWFDB
	}
	if looksLikeAppleCSV(text) {
		return FormatAppleCSV
	}
	return FormatUnknown
}

// detectJSON looks at the top-level keys of a JSON object, skipping the
// values without decoding them; it stops at the first syntax error.
func detectJSON(data []byte) Format {
	s := jsonScanner{b: data}
	s.ws()
	if s.peek() != '{' {
		return FormatUnknown
	}
	var found Format
	errFHIR := errors.New("FHIR")
	err := s.object(func(lit []byte, plain bool) error {
		switch strValue(lit, plain) {
		case "resourceType":
			return errFHIR
		case "sample_rate_hz", "samples":
			found = FormatJSON
		case "samplingFrequency", "voltageMeasurements", "harmonized":
			if found == FormatUnknown {
				found = FormatHealthKit
			}
		}
		return s.skip()
	})
	if err == errFHIR {
		return FormatFHIR
	}
	if found == FormatUnknown {
		// A JSON object nobody claims: let afscan JSON report what is missing.
		return FormatJSON
	}
	return found
}

// wfdbRecordLine matches a WFDB header's record line: name[/segments]
// signals [rate[/counter][(base)] [samples [time [date]]]].
var wfdbRecordLine = regexp.MustCompile(`^[A-Za-z0-9_.\-]+(/\d+)?[ \t]+\d+([ \t]+[0-9.eE+\-]+(/[0-9.eE+\-]+)?(\([^)]*\))?)?([ \t]+\d+)?([ \t]+\S+){0,2}[ \t]*$`)

func looksLikeWFDB(text string) bool {
	for range 64 {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			if text == "" {
				return false
			}
			continue
		}
		return wfdbRecordLine.MatchString(line)
	}
	return false
}

// looksLikeAppleCSV reports whether a header line (before the first sample)
// carries a rate in hertz.
func looksLikeAppleCSV(text string) bool {
	for range 64 {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		line = trimSpace(strings.TrimRight(trimSpace(line), ",;\t"))
		if _, ok := parseLocaleNumber(unquote(line)); ok {
			return false
		}
		if key, value := splitHeader(line); value != "" {
			if _, ok := parseRateLine(key, value); ok {
				return true
			}
		}
		if text == "" {
			return false
		}
	}
	return false
}
