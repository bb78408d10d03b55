package api

import (
	"fmt"
	"time"

	"github.com/afscan/afscan/ecg"
)

// Code systems of the FHIR output (FHIR R4 terminology).
const (
	systemSNOMED           = "http://snomed.info/sct"
	systemLOINC            = "http://loinc.org"
	systemUCUM             = "http://unitsofmeasure.org"
	systemObsCategory      = "http://terminology.hl7.org/CodeSystem/observation-category"
	systemDataAbsentReason = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
)

// fhirCoding, fhirConcept, ... are the slices of the FHIR R4 data types
// the output uses; field names are FHIR's.
type fhirCoding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type fhirConcept struct {
	Coding []fhirCoding `json:"coding,omitempty"`
	Text   string       `json:"text,omitempty"`
}

type fhirQuantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	System string  `json:"system"`
	Code   string  `json:"code"`
}

type fhirReference struct {
	Display string `json:"display"`
}

type fhirAnnotation struct {
	Text string `json:"text"`
}

type fhirComponent struct {
	Code             fhirConcept   `json:"code"`
	ValueQuantity    *fhirQuantity `json:"valueQuantity,omitempty"`
	DataAbsentReason *fhirConcept  `json:"dataAbsentReason,omitempty"`
	ValueConcept     *fhirConcept  `json:"valueCodeableConcept,omitempty"`
}

// FHIRObservation is the FHIR R4 Observation the service answers with when
// the client accepts application/fhir+json. It carries no subject: the
// service never learns who the patient is.
type FHIRObservation struct {
	ResourceType         string           `json:"resourceType"`
	ID                   string           `json:"id"`
	Status               string           `json:"status"`
	Category             []fhirConcept    `json:"category"`
	Code                 fhirConcept      `json:"code"`
	Issued               string           `json:"issued"`
	ValueCodeableConcept fhirConcept      `json:"valueCodeableConcept"`
	Device               fhirReference    `json:"device"`
	Note                 []fhirAnnotation `json:"note"`
	Component            []fhirComponent  `json:"component"`
}

// rhythmCoding is the SNOMED CT concept of each rhythm label. Inconclusive
// has no clinical finding; it is coded as the qualifier "Inconclusive".
func rhythmCoding(r ecg.Rhythm) fhirCoding {
	switch r {
	case ecg.RhythmNormal:
		return fhirCoding{systemSNOMED, "426783006", "Sinus rhythm"}
	case ecg.RhythmAF:
		return fhirCoding{systemSNOMED, "49436004", "Atrial fibrillation"}
	case ecg.RhythmOther:
		return fhirCoding{systemSNOMED, "698247007", "Cardiac arrhythmia"}
	default:
		return fhirCoding{systemSNOMED, "419984006", "Inconclusive"}
	}
}

// NewFHIRObservation maps a classify response onto a FHIR R4 Observation:
// the rhythm as valueCodeableConcept (SNOMED CT, with the afscan label as
// text), heart rate (LOINC 8867-4, UCUM /min), one probability component per
// label and the signal quality as components, and the model identity as the
// device display and a note.
func NewFHIRObservation(r ClassifyResponse, issued time.Time) FHIRObservation {
	model := fmt.Sprintf("afscan model %s %s (sha256 %s)", r.Model.Name, r.Model.Version, r.Model.SHA256)
	obs := FHIRObservation{
		ResourceType: "Observation",
		ID:           r.ID,
		Status:       "final",
		Category: []fhirConcept{{Coding: []fhirCoding{{
			System: systemObsCategory, Code: "procedure", Display: "Procedure",
		}}}},
		Code: fhirConcept{
			Coding: []fhirCoding{{System: systemLOINC, Code: "8601-7", Display: "EKG impression"}},
			Text:   "ECG rhythm interpretation",
		},
		Issued:               issued.UTC().Format(time.RFC3339Nano),
		ValueCodeableConcept: fhirConcept{Coding: []fhirCoding{rhythmCoding(r.Rhythm)}, Text: string(r.Rhythm)},
		Device:               fhirReference{Display: model},
		Note:                 []fhirAnnotation{{Text: model}},
	}
	hr := fhirComponent{Code: fhirConcept{
		Coding: []fhirCoding{{System: systemLOINC, Code: "8867-4", Display: "Heart rate"}},
		Text:   "heart_rate_bpm",
	}}
	if r.HeartRateBPM > 0 {
		hr.ValueQuantity = &fhirQuantity{Value: r.HeartRateBPM, Unit: "/min", System: systemUCUM, Code: "/min"}
	} else {
		hr.DataAbsentReason = &fhirConcept{Coding: []fhirCoding{{System: systemDataAbsentReason, Code: "unknown", Display: "Unknown"}}}
	}
	obs.Component = append(obs.Component, hr)
	for _, label := range ecg.Rhythms {
		p, ok := r.Probabilities[label]
		if !ok {
			continue
		}
		c := rhythmCoding(label)
		obs.Component = append(obs.Component, fhirComponent{
			Code:          fhirConcept{Coding: []fhirCoding{c}, Text: "probability " + string(label)},
			ValueQuantity: &fhirQuantity{Value: p, Unit: "1", System: systemUCUM, Code: "1"},
		})
	}
	obs.Component = append(obs.Component, fhirComponent{
		Code:          fhirConcept{Text: "signal_quality"},
		ValueQuantity: &fhirQuantity{Value: r.SignalQuality, Unit: "1", System: systemUCUM, Code: "1"},
	})
	if r.Reason != "" {
		obs.Component = append(obs.Component, fhirComponent{
			Code:         fhirConcept{Text: "inconclusive_reason"},
			ValueConcept: &fhirConcept{Text: r.Reason},
		})
	}
	return obs
}
