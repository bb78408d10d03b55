// Package ec57 scores a beat detector against reference annotations with
// the beat-by-beat comparison of ANSI/AAMI EC57 (and EC38), reproducing the
// rules of WFDB's bxb, the reference implementation (G. Moody, PhysioNet):
//
//   - Beats are the annotation codes WFDB's isqrs accepts; each maps to an
//     AAMI class N, S, V, F or Q as bxb's amap does (paced and
//     paced-fusion beats count as Q, so paced records are still scored for
//     QRS detection; ventricular flutter waves map to the non-beat class O).
//   - A test beat matches a reference beat within a 150 ms window; among
//     competing candidates the closer pairing wins, with bxb's 2002
//     refinement for two annotations of each kind inside one window.
//   - The first 5 minutes are the learning period and are not scored
//     (bxb's default start time); scoring runs to the record's end.
//   - Reference ventricular flutter/fibrillation episodes (VFON…VFOFF) are
//     excluded: reference annotations inside them are skipped and test
//     beats inside them are not counted. Shutdown intervals (NOISE
//     annotations with both "unreadable" subtype bits, 0x30) turn unmatched
//     beats into X pseudo-beats, which count as bxb counts them.
//
// QRS sensitivity is TP/(TP+FN) and positive predictivity TP/(TP+FP), where
// TP counts matched reference beats of any class, FN reference beats paired
// with O or X, FP test beats paired with O or X. Gross statistics sum the
// counts over records (EC57 §4.3 "gross"); average statistics are the
// mean of per-record figures.
//
// Compare works on annotation slices; Run scores a directory of WFDB
// records, reading test beats from annotation files or detecting them.
// Times are sample indices at the record's sampling rate (…Idx). The
// package imports the project's ecg package and nothing else of the project.
package ec57
