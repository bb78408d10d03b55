package validation

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/afscan/afscan/inference"
)

// Report is the validation report. Its JSON keys are fixed by DESIGN.md
// ("Validation report"); keys beyond those are additive. Apart from
// GeneratedAt and DurationS, the same model and data give the same report.
type Report struct {
	Model     inference.ModelInfo `json:"model"`
	Dataset   DatasetInfo         `json:"dataset"`
	Confusion ConfusionTable      `json:"confusion"`
	// PerClass holds one-vs-rest figures of each class over all records.
	PerClass map[string]Figures `json:"per_class"`
	// AF holds AF-vs-rest figures with inconclusive excluded (reference "~"
	// and calls "~"), plus AUC and calibration of the AF probability.
	AF AFFigures `json:"af"`
	// AFIntentToDiagnose holds AF-vs-rest figures over every record with a
	// rhythm reference, inconclusive calls counted as wrong (see
	// Confusion.AFIntentToDiagnose).
	AFIntentToDiagnose Figures `json:"af_intent_to_diagnose"`
	// CinC2017F1 is the challenge score (mean F1 of N, A, O).
	CinC2017F1     Num    `json:"cinc2017_f1"`
	CinC2017F1CI95 [2]Num `json:"cinc2017_f1_ci95"`
	// ChallengeF1 is the challenge's F1 of each of the four classes.
	ChallengeF1 map[string]Num `json:"cinc2017_f1_per_class"`
	// InconclusiveRate is the fraction of all records called "~" (error
	// rows included), the share of strips the device gives no rhythm for.
	InconclusiveRate     Num    `json:"inconclusive_rate"`
	InconclusiveRateCI95 [2]Num `json:"inconclusive_rate_ci95"`
	NInconclusive        int    `json:"n_inconclusive"`
	NRecords             int    `json:"n_records"`
	NErrors              int    `json:"n_errors"`
	ErrorRate            Num    `json:"error_rate"`
	ErrorRateCI95        [2]Num `json:"error_rate_ci95"`

	Criteria     []CriterionResult `json:"criteria"`
	CriteriaFile *FileRef          `json:"criteria_file"`
	Pass         bool              `json:"pass"`

	ROC         ROCReport         `json:"roc"`
	Calibration CalibrationReport `json:"calibration"`
	Subgroups   []Subgroup        `json:"subgroups"`
	// Worst lists the worst misclassified records: missed AF, false AF,
	// other wrong rhythms, inconclusive calls, each most confident first.
	Worst []Row `json:"worst_misclassified"`
	// Errors lists the error rows.
	Errors []Row `json:"errors"`

	Bootstrap BootstrapInfo `json:"bootstrap"`
	Software  Software      `json:"software"`

	// GeneratedAt (RFC 3339, UTC) and DurationS (wall time of the run in
	// seconds) are the only fields that differ between identical runs.
	GeneratedAt string  `json:"generated_at"`
	DurationS   float64 `json:"duration_s"`

	// Predictions are the rows of predictions.csv (not in report.json).
	Predictions []Prediction `json:"-"`
}

// DatasetInfo identifies the data a run used.
type DatasetInfo struct {
	Path string `json:"path"`
	// NRecords counts the scored records (windows in window mode).
	NRecords int `json:"n_records"`
	// SHA256 is the digest of a sha256sum-style manifest ("<hex>  <path>\n"
	// per file, paths relative to Path) of the reference file followed by
	// the data files (.hea .dat .mat .atr .json .csv) of every record, in
	// reference order (files of one record sorted by name); `cd DIR &&
	// sha256sum FILES | sha256sum` reproduces it.
	SHA256        string   `json:"sha256"`
	Reference     string   `json:"reference"`
	RecordsFile   *FileRef `json:"records_file,omitempty"`
	WindowS       float64  `json:"window_s,omitempty"`
	NSourceRecord int      `json:"n_source_records"`
}

// FileRef names a file and its SHA-256.
type FileRef struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// ConfusionTable is the confusion matrix as report.json carries it: rows
// are the reference, columns the call, both in Labels order.
type ConfusionTable struct {
	Labels []string `json:"labels"`
	Matrix [][]int  `json:"matrix"`
}

// Figures are the one-vs-rest figures of a class with their 95% intervals:
// Wilson for sensitivity, specificity and PPV, percentile bootstrap for F1.
type Figures struct {
	N           int  `json:"n"`
	TP          int  `json:"tp"`
	FP          int  `json:"fp"`
	FN          int  `json:"fn"`
	TN          int  `json:"tn"`
	Sensitivity Num  `json:"sensitivity"`
	Specificity Num  `json:"specificity"`
	PPV         Num  `json:"ppv"`
	F1          Num  `json:"f1"`
	CI95        CI95 `json:"ci95"`
}

// CI95 holds the 95% intervals of Figures, [lower, upper].
type CI95 struct {
	Sensitivity [2]Num `json:"sensitivity"`
	Specificity [2]Num `json:"specificity"`
	PPV         [2]Num `json:"ppv"`
	F1          [2]Num `json:"f1"`
}

// AFFigures are the AF-vs-rest figures on classifiable strips.
type AFFigures struct {
	Figures
	// NExcluded counts records left out: reference "~" or call "~".
	NExcluded int `json:"n_excluded"`
	AUC       Num `json:"auc"`
	Brier     Num `json:"brier"`
	ECE       Num `json:"ece"`
}

// ROCReport is the ROC curve of the AF probability on records with a
// rhythm reference (N, A, O) and a call, with the classifier's own
// operating point (its AF calls) on the same records.
type ROCReport struct {
	NPositive      int            `json:"n_positive"`
	NNegative      int            `json:"n_negative"`
	AUC            Num            `json:"auc"`
	OperatingPoint OperatingPoint `json:"operating_point"`
	Curve          []ROCPoint     `json:"curve"`
}

// OperatingPoint is where the classifier's own AF calls sit on the ROC
// plane; undefined without AF or non-AF records.
type OperatingPoint struct {
	FPR Num `json:"fpr"`
	TPR Num `json:"tpr"`
}

// CalibrationReport is the reliability curve of the AF probability.
type CalibrationReport struct {
	Bins  []CalibrationBin `json:"bins"`
	ECE   Num              `json:"ece"`
	Brier Num              `json:"brier"`
}

// Subgroup holds figures of one band of one dimension.
type Subgroup struct {
	Dimension            string `json:"dimension"`
	Band                 string `json:"band"`
	N                    int    `json:"n"`
	NAF                  int    `json:"n_af"`
	Accuracy             Num    `json:"accuracy"`
	AccuracyCI95         [2]Num `json:"accuracy_ci95"`
	AFSensitivity        Num    `json:"af_sensitivity"`
	AFSensitivityCI95    [2]Num `json:"af_sensitivity_ci95"`
	AFSpecificity        Num    `json:"af_specificity"`
	AFSpecificityCI95    [2]Num `json:"af_specificity_ci95"`
	InconclusiveRate     Num    `json:"inconclusive_rate"`
	InconclusiveRateCI95 [2]Num `json:"inconclusive_rate_ci95"`
	CinC2017F1           Num    `json:"cinc2017_f1"`
}

// Row is one record as listed in the report.
type Row struct {
	Record        string  `json:"record"`
	Reference     string  `json:"reference"`
	Predicted     string  `json:"predicted"`
	Confidence    Num     `json:"confidence"`
	ProbAF        Num     `json:"p_af"`
	HeartRateBPM  Num     `json:"heart_rate_bpm"`
	SignalQuality Num     `json:"signal_quality"`
	DurationS     float64 `json:"duration_s"`
	Error         string  `json:"error,omitempty"`
}

// BootstrapInfo records how bootstrap intervals were drawn.
type BootstrapInfo struct {
	Resamples int    `json:"resamples"`
	Seed      uint64 `json:"seed"`
}

// Software identifies the program that made the report.
type Software struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	CommandLine string `json:"command_line"`
}

// nWorst is how many misclassified records the report lists.
const nWorst = 25

// nROCPoints bounds the ROC points kept in report.json.
const nROCPoints = 400

// Summarize scores preds (in the order given, which fixes the bootstrap
// draws) and returns a report without provenance, criteria or timing; the
// caller fills those in. resamples and seed set the bootstrap.
func Summarize(preds []Prediction, resamples int, seed uint64) *Report {
	var c Confusion
	cells := make([]uint8, len(preds))
	nErr := 0
	for i := range preds {
		p := &preds[i]
		call := p.Call()
		c.Add(p.Reference, call)
		cells[i] = uint8(p.Reference*nClasses + call)
		if p.Err != nil {
			nErr++
		}
	}
	r := &Report{
		Confusion:   table(&c),
		PerClass:    make(map[string]Figures, nClasses),
		ChallengeF1: make(map[string]Num, nClasses),
		NRecords:    len(preds),
		NErrors:     nErr,
		Bootstrap:   BootstrapInfo{Resamples: resamples, Seed: seed},
		Predictions: preds,
		Criteria:    []CriterionResult{},
		Pass:        true,
	}

	// Bootstrap every F1 and the challenge score from the same resamples.
	stats := []Statistic{
		func(c *Confusion) float64 { return c.CinC2017Score() },
		func(c *Confusion) float64 { k := c.AFBinary(); return k.F1() },
		func(c *Confusion) float64 { k := c.AFIntentToDiagnose(); return k.F1() },
	}
	for k := range nClasses {
		stats = append(stats, func(c *Confusion) float64 { return c.ChallengeF1(k) })
	}
	ci := BootstrapCI(cells, stats, resamples, seed)

	for k := range nClasses {
		r.PerClass[Labels[k]] = figures(c.OneVsRest(k), c.Total(), ci[3+k])
		r.ChallengeF1[Labels[k]] = Num(c.ChallengeF1(k))
	}
	af := c.AFBinary()
	nAF := af.TP + af.FP + af.FN + af.TN
	r.AF = AFFigures{Figures: figures(af, nAF, ci[1]), NExcluded: c.Total() - nAF}
	itd := c.AFIntentToDiagnose()
	r.AFIntentToDiagnose = figures(itd, itd.TP+itd.FP+itd.FN+itd.TN, ci[2])
	r.CinC2017F1 = Num(c.CinC2017Score())
	r.CinC2017F1CI95 = nums(ci[0])
	nInc := c.ColSum(ClassNo)
	r.InconclusiveRate = Num(ratio(nInc, c.Total()))
	r.InconclusiveRateCI95 = wilsonNums(nInc, c.Total())
	r.NInconclusive = nInc
	r.ErrorRate = Num(ratio(nErr, c.Total()))
	r.ErrorRateCI95 = wilsonNums(nErr, c.Total())

	r.ROC, r.Calibration = afCurves(preds)
	r.AF.AUC, r.AF.Brier, r.AF.ECE = r.ROC.AUC, r.Calibration.Brier, r.Calibration.ECE
	r.Subgroups = subgroups(preds)
	r.Worst, r.Errors = listRows(preds)
	return r
}

func table(c *Confusion) ConfusionTable {
	t := ConfusionTable{Labels: Labels[:], Matrix: make([][]int, nClasses)}
	for i := range c {
		t.Matrix[i] = append([]int(nil), c[i][:]...)
	}
	return t
}

func figures(k Counts, n int, f1CI [2]float64) Figures {
	return Figures{
		N: n, TP: k.TP, FP: k.FP, FN: k.FN, TN: k.TN,
		Sensitivity: Num(k.Sensitivity()),
		Specificity: Num(k.Specificity()),
		PPV:         Num(k.PPV()),
		F1:          Num(k.F1()),
		CI95: CI95{
			Sensitivity: wilsonNums(k.TP, k.TP+k.FN),
			Specificity: wilsonNums(k.TN, k.TN+k.FP),
			PPV:         wilsonNums(k.TP, k.TP+k.FP),
			F1:          nums(f1CI),
		},
	}
}

func nums(v [2]float64) [2]Num { return [2]Num{Num(v[0]), Num(v[1])} }

func wilsonNums(x, n int) [2]Num {
	lo, hi := Wilson(x, n)
	return [2]Num{Num(lo), Num(hi)}
}

// afCurves returns the ROC and reliability curves of the AF probability
// over records with a rhythm reference (not "~") and a call (not an error
// row). Inconclusive calls stay in: their AF probability is still a score.
func afCurves(preds []Prediction) (ROCReport, CalibrationReport) {
	var scores []float64
	var pos []bool
	var op Counts
	for i := range preds {
		p := &preds[i]
		if p.Err != nil || p.Reference == ClassNo {
			continue
		}
		isAF := p.Reference == ClassA
		scores = append(scores, p.Prob(ClassA))
		pos = append(pos, isAF)
		calledAF := p.Call() == ClassA
		switch {
		case isAF && calledAF:
			op.TP++
		case isAF:
			op.FN++
		case calledAF:
			op.FP++
		default:
			op.TN++
		}
	}
	curve, auc := ROC(scores, pos)
	roc := ROCReport{
		NPositive: op.TP + op.FN, NNegative: op.FP + op.TN, AUC: Num(auc),
		OperatingPoint: OperatingPoint{FPR: Num(1 - op.Specificity()), TPR: Num(op.Sensitivity())},
		Curve:          thinROC(curve, nROCPoints),
	}
	if roc.Curve == nil {
		roc.Curve = []ROCPoint{}
	}
	// Infinite first threshold does not survive JSON: store it as 1.
	for i := range roc.Curve {
		if math.IsInf(roc.Curve[i].Threshold, 0) {
			roc.Curve[i].Threshold = 1
		}
	}
	bins, ece, brier := Calibration(scores, pos, 10)
	return roc, CalibrationReport{Bins: bins, ECE: Num(ece), Brier: Num(brier)}
}

func row(p *Prediction) Row {
	r := Row{
		Record:        p.Record,
		Reference:     Labels[p.Reference],
		Predicted:     Labels[p.Call()],
		DurationS:     math.Round(p.Duration.Seconds()*1000) / 1000,
		Confidence:    Num(math.NaN()),
		ProbAF:        Num(math.NaN()),
		HeartRateBPM:  Num(math.NaN()),
		SignalQuality: Num(math.NaN()),
	}
	if p.Err != nil {
		r.Predicted = ""
		r.Error = p.Err.Error()
		return r
	}
	r.Confidence = Num(p.Prob(p.Call()))
	r.ProbAF = Num(p.Prob(ClassA))
	r.HeartRateBPM = Num(p.Result.HeartRateBPM)
	r.SignalQuality = Num(p.Result.SignalQuality)
	return r
}

// listRows returns the worst misclassifications and the error rows. Worst
// are ordered by clinical severity first — missed AF (AF called normal or
// other), then false AF, then other wrong rhythm calls, then inconclusive
// calls of a readable reference — and within each by the classifier's
// confidence in its wrong call, ties broken by record name so the list is
// deterministic.
func listRows(preds []Prediction) (worst, errs []Row) {
	worst, errs = []Row{}, []Row{}
	var wrong []*Prediction
	for i := range preds {
		p := &preds[i]
		switch {
		case p.Err != nil:
			errs = append(errs, row(p))
		case p.Call() != p.Reference:
			wrong = append(wrong, p)
		}
	}
	slices.SortStableFunc(wrong, func(a, b *Prediction) int {
		if c := cmp.Compare(severity(a), severity(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Prob(b.Call()), a.Prob(a.Call())); c != 0 {
			return c
		}
		return cmp.Compare(a.Record, b.Record)
	})
	for _, p := range wrong[:min(nWorst, len(wrong))] {
		worst = append(worst, row(p))
	}
	return worst, errs
}

// severity ranks a wrong call: 0 missed AF, 1 false AF, 2 another wrong
// rhythm, 3 inconclusive.
func severity(p *Prediction) int {
	switch call := p.Call(); {
	case call == ClassNo:
		return 3
	case p.Reference == ClassA:
		return 0
	case call == ClassA:
		return 1
	}
	return 2
}

// Metrics returns the figures criteria can refer to, by the names of
// Metrics(); undefined figures are NaN.
func (r *Report) Metrics() map[string]float64 {
	m := make(map[string]float64)
	put := func(base string, v Num, ci [2]Num) {
		m[base], m[base+".ci95_lower"], m[base+".ci95_upper"] = float64(v), float64(ci[0]), float64(ci[1])
	}
	putFigures := func(prefix string, f Figures) {
		put(prefix+"sensitivity", f.Sensitivity, f.CI95.Sensitivity)
		put(prefix+"specificity", f.Specificity, f.CI95.Specificity)
		put(prefix+"ppv", f.PPV, f.CI95.PPV)
		put(prefix+"f1", f.F1, f.CI95.F1)
	}
	putFigures("af.", r.AF.Figures)
	putFigures("af_intent_to_diagnose.", r.AFIntentToDiagnose)
	for _, l := range Labels {
		putFigures("per_class."+l+".", r.PerClass[l])
	}
	put("cinc2017_f1", r.CinC2017F1, r.CinC2017F1CI95)
	put("inconclusive_rate", r.InconclusiveRate, r.InconclusiveRateCI95)
	put("error_rate", r.ErrorRate, r.ErrorRateCI95)
	m["af.auc"] = float64(r.AF.AUC)
	m["af.brier"] = float64(r.AF.Brier)
	m["af.ece"] = float64(r.AF.ECE)
	m["n_records"] = float64(r.NRecords)
	m["n_errors"] = float64(r.NErrors)
	return m
}

// ApplyCriteria evaluates crit on r and records the results, the criteria
// file and the overall verdict.
func (r *Report) ApplyCriteria(crit *Criteria) {
	if crit == nil {
		r.Criteria, r.CriteriaFile, r.Pass = []CriterionResult{}, nil, true
		return
	}
	r.Criteria, r.Pass = Evaluate(crit.Items, r.Metrics())
	r.CriteriaFile = &FileRef{Path: crit.Path, SHA256: crit.SHA256}
}

// Failed returns the names of the criteria that did not hold.
func (r *Report) Failed() []string {
	var out []string
	for _, c := range r.Criteria {
		if !c.Pass {
			out = append(out, fmt.Sprintf("%s (value %s)", c.Name, fmtNum(c.Value, 4)))
		}
	}
	return out
}

// fmtNum formats a figure with prec decimals, "n/a" when undefined.
func fmtNum(v Num, prec int) string {
	if !v.Defined() {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", prec, float64(v))
}
