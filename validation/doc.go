// Package validation is afscan's clinical performance harness: it runs a
// Classifier over every record of a reference-labelled data set (CinC 2017
// REFERENCE.csv, a generic record/label CSV, or MIT-BIH rhythm annotations
// cut into fixed windows), scores the calls against the reference and writes
// the report of DESIGN.md ("Validation report"): report.json, report.md, a
// self-contained report.html with plots, and predictions.csv.
//
// Statistics: the 4×4 confusion over the CinC 2017 classes N, A, O, ~ (rows:
// reference, columns: call); per class sensitivity, specificity, PPV and F1;
// AF-vs-rest figures with inconclusive excluded and the inconclusive rate
// beside them; the CinC 2017 challenge score exactly as score2017Challenge.m
// computes it; Wilson score 95% intervals for proportions and seeded
// percentile-bootstrap 95% intervals for F1 and the challenge score; ROC/AUC
// and a reliability curve for the AF probability; figures per subgroup.
// Pre-specified acceptance criteria (YAML, see ParseCriteria) are evaluated
// against those figures.
//
// A record that cannot be read or classified is an error row: it appears in
// predictions.csv and the report with its reason, and it is scored as an
// inconclusive call ("~", as the challenge treats a missing answer): it
// lowers the per-class sensitivity of its reference class and the CinC
// score, raises the inconclusive and error rates (n_errors, error_rate; the
// shipped criteria require none), and never silently leaves a denominator.
// Like every inconclusive call it is outside the AF-vs-rest figures.
//
// Units: proportions are in [0, 1]; durations in seconds (…S) or
// time.Duration; heart rate in beats per minute.
//
// validation imports ecg and inference (for the Result and ModelInfo types)
// and must not import api, dhf, sbom or cmd. It does not read files itself
// beyond directory listings, reference lists and hashing: record and
// annotation readers are passed in (Options), so the harness works with any
// reader afscan has.
package validation
