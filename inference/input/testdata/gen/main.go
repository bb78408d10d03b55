// Command gen writes the golden fixtures of package input from a real
// CinC 2017 record: the first 10 s of A00004 (atrial fibrillation, 300 Hz,
// 16-bit, 1000 adu/mV, a 24-byte MATLAB v4 header) as afscan JSON, as a FHIR
// Observation, and as Apple Health ECG CSV exports in three locales
// (resampled by linear interpolation to the export's rate), and as a WFDB
// format 16 record. Nothing personal
// is real: the header names and dates are invented.
//
//	go run ./testdata/gen -data ~/.cache/afscan/data/<hash>/training2017
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	record   = "A00004"
	rateHz   = 300.0
	nSamples = 3000 // 10 s
	aduPerMV = 1000.0
)

func main() {
	dir := flag.String("data", "", "CinC 2017 training2017 directory")
	out := flag.String("out", "testdata", "output directory")
	flag.Parse()
	raw, err := os.ReadFile(filepath.Join(*dir, record+".mat"))
	if err != nil {
		log.Fatal(err)
	}
	adu := make([]int16, nSamples)
	for i := range adu {
		adu[i] = int16(binary.LittleEndian.Uint16(raw[24+2*i:]))
	}
	mv := make([]float64, nSamples)
	for i, a := range adu {
		mv[i] = float64(a) / aduPerMV
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(*out, name), []byte(body), 0o644); err != nil {
			log.Fatal(err)
		}
	}

	js, _ := json.Marshal(map[string]any{"sample_rate_hz": rateHz, "samples": mv, "units": "mV", "device_id": "cinc2017-" + record})
	write("cinc_A00004_10s.json", string(js)+"\n")

	var data strings.Builder
	for i, a := range adu {
		if i > 0 {
			data.WriteByte(' ')
		}
		data.WriteString(strconv.Itoa(int(a)))
	}
	obs := map[string]any{
		"resourceType": "Observation",
		"id":           "cinc2017-" + record,
		"status":       "final",
		"category": []any{map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "procedure"}}}},
		"code": map[string]any{"coding": []any{map[string]any{
			"system": "urn:oid:2.16.840.1.113883.6.24", "code": "131328", "display": "MDC_ECG_ELEC_POTL"}}},
		"effectivePeriod": map[string]any{"start": "2000-01-05T05:05:15Z", "end": "2000-01-05T05:05:25Z"},
		"component": []any{map[string]any{
			"code": map[string]any{"coding": []any{map[string]any{
				"system": "urn:oid:2.16.840.1.113883.6.24", "code": "131329", "display": "MDC_ECG_ELEC_POTL_I"}}},
			"valueSampledData": map[string]any{
				"origin":     map[string]any{"value": 0, "unit": "mV", "system": "http://unitsofmeasure.org", "code": "mV"},
				"period":     1000 / rateHz,
				"factor":     1 / aduPerMV,
				"lowerLimit": -32.768,
				"upperLimit": 32.767,
				"dimensions": 1,
				"data":       data.String(),
			},
		}},
	}
	fj, _ := json.MarshalIndent(obs, "", "  ")
	write("cinc_A00004_10s.fhir.json", string(fj)+"\n")

	// Apple exports: µV with three decimals at the watch's rate.
	apple := func(exportHz float64) []string {
		n := int(10 * exportHz)
		lines := make([]string, n)
		for i := range n {
			t := float64(i) * rateHz / exportHz
			j := int(t)
			f := t - float64(j)
			v := mv[j]
			if j+1 < nSamples {
				v = mv[j]*(1-f) + mv[j+1]*f
			}
			lines[i] = strconv.FormatFloat(v*1000, 'f', 3, 64)
		}
		return lines
	}
	en := apple(512)
	write("apple_en_US.csv", "Name,Jane Example\nDate of Birth,\"Jan 8, 1962\"\nRecorded Date,2021-01-05 09:12:33 +0100\n"+
		"Classification,Atrial Fibrillation\nSymptoms,\nSoftware Version,1.70\nDevice,\"Watch4,4\"\nSample Rate,512 hertz\n\n\n"+
		"Lead,Lead I\nUnit,µV\n\n"+strings.Join(en, "\n")+"\n")
	pt := make([]string, len(en))
	for i, s := range en {
		pt[i] = strings.Replace(s, ".", ",", 1)
	}
	write("apple_pt_PT.csv", "Name,João Exemplo\nDate of Birth,\"8 de jan. de 1962\"\nRecorded Date,2021-01-05 09:12:33 +0000\n"+
		"Classification,Fibrilhação auricular\nSymptoms,\nSoftware Version,1.70\nDevice,\"Watch4,4\"\nSample Rate,512 hertz\n\n\n"+
		"Lead,Lead I\nUnit,µV\n\n"+strings.Join(pt, "\n")+"\n")
	de := apple(511.562)
	for i, s := range de {
		de[i] = strings.Replace(s, ".", ",", 1)
	}
	write("apple_de_DE.csv", "Name\nGeburtstag,\"08.01.1962\"\nAufzeichnungsdatum,2021-01-05 09:12:33 +0100\n"+
		"Klassifizierung,Vorhofflimmern\nSymptome,\nSoftwareversion,1.70\nGerät,\"Watch4,4\"\nMessrate,511,562\u00a0Hertz\n\n\n"+
		"Ableitung,Ableitung I\nEinheit,µV\n\n"+strings.Join(de, "\n")+"\n")
	// WFDB format 16 record: header with the checksum and initial value.
	dat := make([]byte, 2*nSamples)
	var sum int16
	for i, a := range adu {
		binary.LittleEndian.PutUint16(dat[2*i:], uint16(a))
		sum += a
	}
	write("cinc_A00004_10s.dat", string(dat))
	write("cinc_A00004_10s.hea", fmt.Sprintf("cinc_A00004_10s 1 300 %d\ncinc_A00004_10s.dat 16 1000/mV 16 0 %d %d 0 ECG\n", nSamples, adu[0], sum))
	fmt.Println("wrote fixtures from", record)
}
