//go:build race

package ecg

const raceEnabled = true
