// Package ecg is afscan's signal layer: it reads PhysioNet records in their
// standard formats (WFDB headers, signal formats 16/212/80, MIT annotation
// files, MATLAB v4 .mat as used by CinC 2017), and turns a lead into beats:
// resampling, filtering, QRS detection and RR series.
//
// Units: samples are physical millivolts (mV) unless a name says otherwise;
// sample rates are in hertz and always travel with the samples they describe
// (see Record and Lead). Sample positions are zero-based indices (…Idx).
//
// ecg imports only the standard library and gonum; nothing of the project.
// It is synchronous and keeps no hidden state: callers decide concurrency.
package ecg
