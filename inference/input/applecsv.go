package input

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/afscan/afscan/ecg"
)

// appleRecordedLayout is the layout of the export's "Recorded Date" value
// (e.g. "2021-01-05 09:12:33 +0100"); it is the same in every locale.
const appleRecordedLayout = "2006-01-02 15:04:05 -0700"

// DecodeAppleCSV decodes the ECG CSV that the iPhone Health app writes for
// each Apple Watch recording (apple_health_export/electrocardiograms/*.csv):
// a key/value header, then one voltage per line.
//
//	Name,…
//	Date of Birth,"Jan 8, 2002"
//	Recorded Date,2021-01-05 09:12:33 +0100
//	Classification,Sinus Rhythm
//	Symptoms,
//	Software Version,1.70
//	Device,"Watch4,4"
//	Sample Rate,512 hertz
//
//	Lead,Lead I
//	Unit,µV
//
//	-265.868
//	…
//
// The header keys are translated with the phone's language (German exports
// say "Messrate,511,562 Hertz", "Einheit,µV"), so fields are recognised by
// their values, not their keys: the sample rate is the value that is a
// number followed by "hertz" or "Hz" (either decimal mark, an ordinary or
// no-break space); the unit is a value that is a voltage symbol (µV, uV, mV,
// V; µV when absent, as Apple Watch records); the recording time is a value
// in the layout above. Keys and values may be quoted, and the separator may
// be ',' or ';'. The voltages follow the phone's locale too: "-265,868" in a
// Portuguese export is -265.868. A number with both marks ("1.234,5") is
// refused rather than guessed.
//
// The first line that is a bare number starts the samples; every non-blank
// line after it must be a number too. Nothing of the header but the lead
// name, the rate, the unit and the recording time reaches the Record: the
// person's name, date of birth, symptoms and Apple's own classification are
// dropped and never appear in errors.
//
// ErrMalformed: no sample-rate line, two different rates, a non-numeric
// line among the samples. ErrUnusable: no samples, a rate that is not
// positive or above MaxSampleRateHz. Input that is not valid UTF-8 is read
// as Latin-1 (a re-saved file's "µ" is byte 0xB5).
func DecodeAppleCSV(data []byte) (*ecg.Record, error) {
	text := textOf(data)
	var (
		rateHz    float64
		haveRate  bool
		unit      = "µV"
		leadName  = "Lead I"
		start     time.Time
		samples   []float64
		inSamples bool
		nHeader   int
	)
	for lineNo := 1; text != ""; lineNo++ {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		// Spreadsheets re-saving the file pad every row to the widest one
		// with trailing separators.
		line = trimSpace(strings.TrimRight(trimSpace(line), ",;\t"))
		if line == "" {
			continue
		}
		if v, ok := parseLocaleNumber(unquote(line)); ok {
			if samples == nil {
				// At most one sample per remaining line: bounded by the input.
				samples = make([]float64, 0, strings.Count(text, "\n")+1)
			}
			samples = append(samples, v)
			inSamples = true
			continue
		}
		if inSamples {
			return nil, fmt.Errorf("%w: line %d is not a voltage: %q", ErrMalformed, lineNo, clip(line))
		}
		nHeader++
		key, value := splitHeader(line)
		if r, ok := parseRateLine(key, value); ok {
			if haveRate && r != rateHz {
				return nil, fmt.Errorf("%w: two different sample rates in the header (%g and %g Hz)", ErrMalformed, rateHz, r)
			}
			rateHz, haveRate = r, true
			continue
		}
		if nHeader > 1 { // the first line holds the person's name
			if _, ok := scaleToMV(value); ok {
				unit = value
				continue
			}
		}
		if t, err := time.Parse(appleRecordedLayout, value); err == nil && start.IsZero() {
			start = t
			continue
		}
		if isLeadKey(key) && value != "" {
			leadName = value
		}
	}
	if !haveRate {
		return nil, fmt.Errorf("%w: no sample rate in the header (a line such as \"Sample Rate,512 hertz\")", ErrMalformed)
	}
	if err := checkRate("sample rate", rateHz); err != nil {
		return nil, err
	}
	scale, _ := scaleToMV(unit)
	if err := toMV(samples, scale); err != nil {
		return nil, err
	}
	return &ecg.Record{
		SampleRateHz: rateHz,
		Leads:        []ecg.Lead{{Name: leadName, Units: "mV", Samples: samples}},
		Start:        start,
	}, nil
}

// textOf returns data as a string without a UTF-8 byte-order mark, reading
// it as Latin-1 when it is not valid UTF-8.
func textOf(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data)
	}
	var b strings.Builder
	b.Grow(2 * len(data))
	for _, c := range data {
		b.WriteRune(rune(c))
	}
	return b.String()
}

// trimSpace trims white space including no-break spaces.
func trimSpace(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u00a0' || r == '\u202f' || r == '\ufeff'
	})
}

// unquote removes one pair of surrounding double quotes, undoing "" escapes.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return trimSpace(strings.ReplaceAll(s[1:len(s)-1], `""`, `"`))
	}
	return s
}

// splitHeader splits a header line into its key and value. The key ends at
// the first ',' ';' or tab outside quotes; the value is the rest of the line
// (so "Messrate,511,562 Hertz" keeps its decimal comma), unquoted.
func splitHeader(line string) (key, value string) {
	i := 0
	if strings.HasPrefix(line, `"`) {
		i = 1
		for i < len(line) {
			if line[i] == '"' {
				if i+1 < len(line) && line[i+1] == '"' {
					i += 2
					continue
				}
				break
			}
			i++
		}
	}
	j := strings.IndexAny(line[min(i, len(line)):], ",;\t")
	if j < 0 {
		return unquote(line), ""
	}
	j += i
	return unquote(trimSpace(line[:j])), unquote(trimSpace(line[j+1:]))
}

// parseRateLine reads a header line's rate: the key is words in any
// language ("Sample Rate", "Messrate", "Fréquence d'échantillonnage") and
// the value a rate in hertz. Requiring a wordy key keeps prose such as
// "// record 7, 300 Hz," from passing for a header.
func parseRateLine(key, value string) (float64, bool) {
	if key == "" {
		return 0, false
	}
	for _, r := range key {
		if !unicode.IsLetter(r) && r != ' ' && r != '\'' && r != '’' && r != '-' && r != '.' {
			return 0, false
		}
	}
	return parseRate(value)
}

// parseRate reads "512 hertz", "511,562\u00a0Hertz", "512Hz".
func parseRate(value string) (float64, bool) {
	v := strings.ToLower(value)
	var num string
	switch {
	case strings.HasSuffix(v, "hertz"):
		num = v[:len(v)-len("hertz")]
	case strings.HasSuffix(v, "hz"):
		num = v[:len(v)-len("hz")]
	default:
		return 0, false
	}
	return parseLocaleNumber(trimSpace(num))
}

// parseLocaleNumber parses a decimal number written with '.' or ',' as the
// decimal mark (at most one mark, no digit grouping), optionally signed and
// with an exponent.
func parseLocaleNumber(s string) (float64, bool) {
	var buf [32]byte // the usual sample fits: no allocation per line
	b := append(buf[:0], s...)
	marks := 0
	for i, c := range b {
		switch c {
		case ',':
			b[i] = '.'
			marks++
		case '.':
			marks++
		}
	}
	if marks > 1 || !isDecimal(b) {
		return 0, false
	}
	// Out of float64 range is still a number: ±Inf, which toMV refuses as
	// not usable.
	v, _ := strconv.ParseFloat(string(b), 64)
	return v, true
}

// isLeadKey reports whether key names the lead in one of the export's
// languages (English, German, French, Spanish, Portuguese, Italian, Dutch).
func isLeadKey(key string) bool {
	switch strings.ToLower(key) {
	case "lead", "ableitung", "dérivation", "derivación", "derivação", "derivazione", "afleiding":
		return true
	}
	return false
}
