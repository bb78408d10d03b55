// Package dhf generates the design history file (DHF) evidence of a
// Software-as-a-Medical-Device from machine-readable sources: the intended
// use, the requirements, the ISO 14971 risk file and the results of the
// tests that verify them.
//
// It classifies an intended use by the IMDRF SaMD N12 (2014) framework, EU
// MDR Annex VIII Rule 11 (read with MDCG 2019-11) and IEC 62304:2006+A1:2015
// §4.3; it builds the requirements→tests trace matrix from the Go source
// ("// Verifies: SRS-XXX-NNN" lines in test doc comments, read with go/ast)
// and from `go test -json` output; and it gathers everything into a bundle
// with a SHA-256 manifest.
//
// dhf imports no other afscan package: it works on any Go module, so other
// manufacturers can use the same generators on their own SaMD. Every
// function that reads files or runs commands takes a context; time enters
// only through explicit timestamps, so outputs are reproducible.
package dhf
