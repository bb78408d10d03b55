package inference

import "math"

// Beat morphology, ectopy and atrial-activity features, all measured on the
// 0.5–40 Hz, polarity-corrected signal at InternalRateHz around the R-peak
// fiducials.
//
// Sources: template (average-beat) analysis and per-beat correlation with
// it, beat clustering, QRS width, R/S amplitudes and P-wave presence follow
// the feature sets of the CinC 2017 winners (Datta et al., "Identifying
// normal, AF and other abnormal ECG rhythms using a cascaded binary
// classifier", CinC 44, 2017; Teijeiro et al., "Abductive reasoning as the
// basis to reproduce expert criteria in ECG atrial fibrillation
// identification", Physiol. Meas. 39, 2018) and of Clifford et al., "AF
// classification from a short single lead ECG recording: the
// PhysioNet/Computing in Cardiology Challenge 2017", CinC 44, 2017. f-wave
// power after QRST cancellation by average-beat subtraction follows
// Slocum et al., "Diagnosis of atrial fibrillation from surface
// electrocardiograms based on computer-detected atrial activity",
// J Electrocardiol 25(1), 1992, and Rieta et al., "Atrial activity
// extraction for atrial fibrillation analysis using blind source
// separation", IEEE TBME 51(7), 2004 (dominant f-wave frequency 4–10 Hz).

const (
	beatPreMs  = 300 // window before the R fiducial: holds the P wave
	beatPostMs = 450 // window after it: holds the T wave
	// QRS region used for correlation and clustering.
	qrsPreMs  = 80
	qrsPostMs = 100
	// corrClusterMin joins a beat to a cluster; corrLowMax marks a beat as
	// poorly correlated with the template (ectopic or noisy).
	corrClusterMin = 0.90
	corrLowMax     = 0.80
	// prematureLocalRel: an RR interval this much shorter than the local
	// mean marks a premature beat (20%, as in common ectopy screening).
	prematureLocalRel = 0.80
	maxClusters       = 16
	// P wave: searched from 250 ms to 30 ms before the QRS onset (PR
	// interval 120–200 ms, P duration ≤ 120 ms: Surawicz & Knilans, Chou's
	// Electrocardiography in Clinical Practice, 6th ed.).
	pSearchStartMs = 250
	pSearchEndMs   = 30
	pPresentCorr   = 0.5
	// f-wave spectrum: the residual is decimated to 50 Hz (block averages,
	// first zero at 50 Hz) and analysed with Welch's method, 128-point Hann
	// segments (2.56 s, 0.39 Hz bins), 50% overlap; "total" is 1–24 Hz.
	fwaveDecim   = 6
	fwaveSegLen  = 128
	fwaveLowHz   = 4
	fwaveHighHz  = 10
	fwaveTotLoHz = 1
	fwaveTotHiHz = 24
	fwavePeakHz  = 1 // half-width of the dominant-peak band for concentration
)

// morphScratch holds the per-call buffers of the morphology features.
type morphScratch struct {
	beats    []int     // fiducials with a full window
	mean     []float64 // first-pass average beat
	tmpl     []float64 // template: average of the beats like the first pass
	corrQRS  []float64
	corrBeat []float64
	leaders  []int  // indices into beats
	sel      []int  // beats being added into a template
	qSums    []sums // per beat: QRS window sums
	bSums    []sums // whole beat window
	pSums    []sums // P-wave search window
	corrP    []float64
	sizes    []int
	resid    []float64
	dec      []float64
	seg      []float64
	psd      []float64
	hann     []float64
	fft      *realFFT
	ramp     []float64
	ppos     []float64
}

// morphology fills the atrial-activity and morphology entries of f from y
// (filtered, polarity-corrected, mV at fs) and its R fiducials peaks, with
// rr the RR intervals (ms) between them.
func (s *morphScratch) morphology(f []float64, y []float64, fs float64, peaks []int, rr []float64, medRR float64) {
	for i := fPAmpRel; i <= fRAmpCV; i++ {
		f[i] = 0
	}
	for i := fTmpl0; i <= fTmplLast; i++ {
		f[i] = 0
	}
	for i := fSpecLowRel; i <= fTPeakMs; i++ {
		if i != fHRTrendBPM && i != fRMSSDWinMaxNorm && i != fRMSSDWinMinNorm {
			f[i] = 0
		}
	}
	s.spectrumBands(f, y, fs)
	f[fCorrQRSMean], f[fCorrQRSMin], f[fCorrBeatMean], f[fDominantFrac], f[fPremCorrMean] = 1, 1, 1, 1, 1
	n := len(y)
	pre, post := msToSamples(beatPreMs, fs), msToSamples(beatPostMs, fs)
	L := pre + post
	s.beats = s.beats[:0]
	for _, p := range peaks {
		if p-pre >= 0 && p+post <= n {
			s.beats = append(s.beats, p)
		}
	}
	nb := len(s.beats)
	if nb == 0 {
		// No beat to build a template from: the whole signal is residual.
		f[fCorrQRSMean], f[fCorrQRSMin], f[fCorrBeatMean], f[fDominantFrac], f[fPremCorrMean] = 0, 0, 0, 0, 0
		s.fwave(f, y, fs, peaks, nil, pre, post)
		f[fResidRMSRel] = math.Min(f[fResidRMSRel], 10)
		return
	}
	qa, qb := pre-msToSamples(qrsPreMs, fs), pre+msToSamples(qrsPostMs, fs)

	// Two-pass template: the mean of all beats, then the mean of the beats
	// whose QRS correlates with it (the dominant morphology).
	s.mean = zeroed(s.mean, L)
	s.sel = append(s.sel[:0], s.beats...)
	s.addBeats(s.mean, y, pre)
	scale(s.mean, 1/float64(nb))
	s.tmpl = zeroed(s.tmpl, L)
	used := 0
	// Window sums of every beat's QRS and whole window, computed once for
	// all the correlations below (see corrWith).
	s.qSums = s.windowSums(s.qSums, y, pre-qa, pre-qb)
	s.bSums = s.windowSums(s.bSums, y, pre, -post)
	s.corrQRS = s.windowCorrs(s.corrQRS, y, pre-qa, s.mean[qa:qb], s.qSums, sumsOf(s.mean[qa:qb]))
	s.sel = s.sel[:0]
	for bi, p := range s.beats {
		if s.corrQRS[bi] >= corrClusterMin {
			s.sel = append(s.sel, p)
			used++
		}
	}
	s.addBeats(s.tmpl, y, pre)
	if used == 0 {
		copy(s.tmpl, s.mean)
	} else {
		scale(s.tmpl, 1/float64(used))
	}
	T := s.tmpl

	// Per-beat correlation with the template.
	s.corrQRS = s.windowCorrs(s.corrQRS, y, pre-qa, T[qa:qb], s.qSums, sumsOf(T[qa:qb]))
	s.corrBeat = s.windowCorrs(s.corrBeat, y, pre, T, s.bSums, sumsOf(T))
	s.ramp = s.ramp[:0]
	var sumQ, sumB float64
	minQ := 1.0
	low := 0
	for bi, p := range s.beats {
		cq, cb := s.corrQRS[bi], s.corrBeat[bi]
		s.ramp = append(s.ramp, y[p])
		sumQ += cq
		sumB += cb
		minQ = math.Min(minQ, cq)
		if cq < corrLowMax {
			low++
		}
	}
	f[fCorrQRSMean] = sumQ / float64(nb)
	f[fCorrQRSMin] = minQ
	f[fCorrLowFrac] = float64(low) / float64(nb)
	f[fCorrBeatMean] = sumB / float64(nb)
	if m, sd := meanStd(s.ramp); m > 0 {
		f[fRAmpCV] = sd / m
	} else {
		f[fRAmpCV] = 1
	}

	// Leader clustering of QRS shapes: a beat joins the first cluster
	// whose leader it correlates with at ≥ corrClusterMin.
	s.leaders = s.leaders[:0]
	s.sizes = s.sizes[:0]
	for bi, p := range s.beats {
		w := y[p-pre+qa : p-pre+qb]
		joined := false
		for c, l := range s.leaders {
			if corrWith(w, y[s.beats[l]-pre+qa:s.beats[l]-pre+qb], s.qSums[bi], s.qSums[l]) >= corrClusterMin {
				s.sizes[c]++
				joined = true
				break
			}
		}
		if !joined && len(s.leaders) < maxClusters {
			s.leaders = append(s.leaders, bi)
			s.sizes = append(s.sizes, 1)
		}
	}
	big, nClusters := 0, 0
	for _, sz := range s.sizes {
		big = max(big, sz)
		if sz >= 2 {
			nClusters++
		}
	}
	f[fNClusters] = float64(nClusters)
	f[fDominantFrac] = float64(big) / float64(nb)

	// Premature beats and their morphology. A beat is premature when its
	// RR interval is below prematureLocalRel of the mean of the up to four
	// preceding intervals (a local reference tolerates sinus arrhythmia);
	// premature beats whose QRS differs from the template (correlation
	// below corrLowMax) count as ventricular (PVC-like), those that match it
	// (≥ corrClusterMin) as supraventricular (PAC-like): PVCs are wide and
	// differently shaped, PACs conduct normally (de Chazal, O'Dwyer & Reilly,
	// "Automatic classification of heartbeats using ECG morphology and
	// heartbeat interval features", IEEE TBME 51(7), 2004). prem_corr_mean
	// keeps the global-median definition of feature set 1.
	var sumP float64
	var nP, nLocal, nPVC, nPAC, nJudged int
	bi := 0
	for k, p := range peaks {
		if k < 2 {
			continue
		}
		var ref float64
		m := 0
		for j := k - 2; j >= 0 && m < 4; j-- {
			ref += rr[j]
			m++
		}
		ref /= float64(m)
		localPrem := rr[k-1] < prematureLocalRel*ref
		nJudged++
		if localPrem {
			nLocal++
		}
		for bi < nb && s.beats[bi] < p {
			bi++
		}
		if bi == nb || s.beats[bi] != p {
			continue
		}
		c := s.corrQRS[bi]
		if rr[k-1] < prematureRel*medRR {
			sumP += c
			nP++
		}
		if localPrem && c < corrLowMax {
			nPVC++
		}
		if localPrem && c >= corrClusterMin {
			nPAC++
		}
	}
	if nP > 0 {
		f[fPremCorrMean] = sumP / float64(nP)
	}
	if nJudged > 0 {
		f[fPrematureLocalFrac] = float64(nLocal) / float64(nJudged)
		f[fPVCFrac] = float64(nPVC) / float64(nJudged)
		f[fPACFrac] = float64(nPAC) / float64(nJudged)
	}

	// Template fiducials: QRS onset and offset where the slope falls below
	// 15% of its maximum in the QRS region.
	slope := func(k int) float64 {
		if k <= 0 || k >= L-1 {
			return 0
		}
		return (T[k+1] - T[k-1]) / 2
	}
	var maxSlope float64
	for k := qa; k < qb; k++ {
		maxSlope = math.Max(maxSlope, math.Abs(slope(k)))
	}
	th := 0.15 * maxSlope
	onset := pre
	for k := pre; k > qa-msToSamples(40, fs) && k > 1; k-- {
		onset = k
		if math.Abs(slope(k)) < th && math.Abs(slope(k-1)) < th && k < pre-msToSamples(10, fs) {
			break
		}
	}
	// The last steep sample of the QRS region, then forward to flat.
	last := pre
	for k := pre; k < qb; k++ {
		if math.Abs(slope(k)) >= 0.5*maxSlope {
			last = k
		}
	}
	offset := last
	for k := last; k < L-2 && k < qb+msToSamples(60, fs); k++ {
		offset = k
		if math.Abs(slope(k)) < th && math.Abs(slope(k+1)) < th {
			break
		}
	}
	f[fQRSWidthMs] = float64(offset-onset) / fs * 1000
	iso := T[onset]
	var rAmp, sAmp float64
	for k := onset; k <= offset; k++ {
		rAmp = math.Max(rAmp, T[k]-iso)
		if k >= pre {
			sAmp = math.Max(sAmp, iso-T[k])
		}
	}
	ampAbs := math.Max(math.Max(rAmp, sAmp), 0.01)
	f[fRAmpMV] = rAmp
	f[fSAmpRel] = sAmp / ampAbs
	f[fRSRatio] = rAmp / math.Max(rAmp+sAmp, 1e-3)
	// T wave: largest deviation from the isoelectric level 40 ms after the
	// QRS offset up to the end of the window; ST level 60 ms after offset.
	var tDev float64
	tPeak := offset
	for k := min(L, offset+msToSamples(40, fs)); k < L; k++ {
		if d := T[k] - iso; math.Abs(d) > math.Abs(tDev) {
			tDev, tPeak = d, k
		}
	}
	f[fTAmpRel] = tDev / ampAbs
	// R-to-T-peak latency, a QT-interval proxy that needs no T-wave end.
	f[fTPeakMs] = float64(tPeak-pre) / fs * 1000
	if k := offset + msToSamples(60, fs); k < L {
		f[fSTRel] = (T[k] - iso) / ampAbs
	}

	// P wave in the template and its consistency beat to beat.
	pa := max(0, onset-msToSamples(pSearchStartMs, fs))
	pb := max(pa+1, onset-msToSamples(pSearchEndMs, fs))
	pk := pa
	for k := pa; k < pb; k++ {
		if T[k] > T[pk] {
			pk = k
		}
	}
	f[fPAmpRel] = (T[pk] - iso) / ampAbs
	f[fPRMs] = float64(pre-pk) / fs * 1000
	s.ppos = s.ppos[:0]
	var sumPC float64
	present := 0
	s.pSums = s.windowSums(s.pSums, y, pre-pa, pre-pb)
	s.corrP = s.windowCorrs(s.corrP, y, pre-pa, T[pa:pb], s.pSums, sumsOf(T[pa:pb]))
	for bi, p := range s.beats {
		w := y[p-pre : p+post]
		c := s.corrP[bi]
		sumPC += c
		if c >= pPresentCorr {
			present++
		}
		bk := pa
		for k := pa; k < pb; k++ {
			if w[k] > w[bk] {
				bk = k
			}
		}
		s.ppos = append(s.ppos, float64(bk)/fs*1000)
	}
	f[fPCorrMean] = sumPC / float64(nb)
	f[fPPresentFrac] = float64(present) / float64(nb)
	_, f[fPRStdMs] = meanStd(s.ppos)

	// The average beat itself, sampled at fixed offsets from the R peak
	// (mean of ±10 ms), relative to the isoelectric level and the QRS
	// amplitude: it shows the model shapes the fiducial measurements miss
	// (bundle-branch block, T inversion, ST deviation, P morphology), as the
	// median-beat inputs of CinC 2017 entries do (Datta et al. 2017; Hong
	// et al., "ENCASE: an ENsemble ClASsifiEr for ECG classification using
	// expert features and deep neural networks", CinC 44, 2017).
	hw := msToSamples(10, fs)
	for j, off := range templateOffsetsMs {
		c := pre + msToSamples(math.Abs(off), fs)*sign(off)
		lo, hi := max(0, c-hw), min(L, c+hw+1)
		var m float64
		for _, v := range T[lo:hi] {
			m += v
		}
		f[fTmpl0+j] = (m/float64(hi-lo) - iso) / ampAbs
	}

	s.fwave(f, y, fs, peaks, T, pre, post)
	f[fResidRMSRel] = math.Min(f[fResidRMSRel]/ampAbs, 10)
}

// fwave cancels the QRST complexes by subtracting the template T (aligned on
// each fiducial; nil subtracts nothing) and measures the residual's power
// spectrum: fraction in 4–10 Hz, dominant frequency in 4–10 Hz and the
// concentration of power around it. It leaves the residual RMS (mV) in
// f[fResidRMSRel] for the caller to normalise.
func (s *morphScratch) fwave(f []float64, y []float64, fs float64, peaks []int, T []float64, pre, post int) {
	n := len(y)
	s.resid = growFloat(s.resid, n)
	resid := s.resid[:n]
	end := 0 // resid[:end] is written
	if T != nil {
		for _, p := range peaks {
			lo, hi := max(p-pre, end, 0), min(p+post, n)
			if lo >= hi {
				end = max(end, hi)
				continue
			}
			copy(resid[end:lo], y[end:lo])
			tw := T[lo-p+pre:][:hi-lo]
			rw := resid[lo:hi]
			for k, v := range y[lo:hi] {
				rw[k] = v - tw[k]
			}
			end = hi
		}
	}
	copy(resid[end:], y[end:])
	_, rms := meanStd(s.resid)
	f[fResidRMSRel] = rms
	nSeg, df := s.welch(s.resid, fwaveSegLen/2)
	f[fFWaveRatio], f[fFWavePeakHz], f[fFWaveConc] = 0, 0, 0
	if nSeg == 0 {
		return
	}
	bin := func(hz float64) int { return min(len(s.psd)-1, int(math.Round(hz/df))) }
	var band, tot float64
	pk := bin(fwaveLowHz)
	for i := bin(fwaveTotLoHz); i <= bin(fwaveTotHiHz); i++ {
		tot += s.psd[i]
	}
	for i := bin(fwaveLowHz); i <= bin(fwaveHighHz); i++ {
		band += s.psd[i]
		if s.psd[i] > s.psd[pk] {
			pk = i
		}
	}
	if tot <= 0 || band <= 0 {
		return
	}
	f[fFWaveRatio] = band / tot
	f[fFWavePeakHz] = float64(pk) * df
	var conc float64
	w := int(math.Round(fwavePeakHz / df))
	for i := max(0, pk-w); i <= min(len(s.psd)-1, pk+w); i++ {
		conc += s.psd[i]
	}
	f[fFWaveConc] = conc / band
}

// welch decimates x (at InternalRateHz) by fwaveDecim and leaves its Welch
// power spectrum (segments every hop samples of the decimated signal) in
// s.psd; it returns the number of averaged segments (0
// when x is shorter than one segment) and the bin width in hertz.
func (s *morphScratch) welch(x []float64, hop int) (nSeg int, dfHz float64) {
	nd := len(x) / fwaveDecim
	s.dec = growFloat(s.dec, nd)
	dec := s.dec[:nd]
	for i := range dec {
		// The block sum written out: the loop's additions, in its order
		// (the constant below fails to compile unless fwaveDecim is 6).
		const _ = uint(fwaveDecim-6) + uint(6-fwaveDecim)
		w := x[i*fwaveDecim:][:fwaveDecim]
		var acc float64
		acc += w[0]
		acc += w[1]
		acc += w[2]
		acc += w[3]
		acc += w[4]
		acc += w[5]
		dec[i] = acc / fwaveDecim
	}
	if s.fft == nil {
		s.fft = newRealFFT(fwaveSegLen)
		s.hann = make([]float64, fwaveSegLen)
		for i := range s.hann {
			s.hann[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(fwaveSegLen))
		}
		s.seg = make([]float64, fwaveSegLen)
		s.psd = make([]float64, fwaveSegLen/2+1)
	}
	clear(s.psd)
	seg, hann := s.seg[:fwaveSegLen], s.hann[:fwaveSegLen]
	for start := 0; start+fwaveSegLen <= nd; start += hop {
		d := dec[start:][:fwaveSegLen]
		m, _ := meanStd(d)
		for i, v := range d {
			seg[i] = (v - m) * hann[i]
		}
		s.fft.addPower(s.psd, s.seg)
		nSeg++
	}
	return nSeg, InternalRateHz / fwaveDecim / fwaveSegLen
}

// spectrumBands fills the relative powers of y in 0.5–3 Hz (T and P waves,
// residual wander), 3–8 Hz (P/T and slow QRS), 8–15 Hz (QRS) and 15–24 Hz
// (sharp QRS, muscle noise), the spectral bands of the CinC 2017 feature
// sets (e.g. Zabihi et al., "Detection of atrial fibrillation in ECG
// hand-held devices using a random forest classifier", CinC 44, 2017).
// Wide QRS complexes move power down, noise moves it up.
func (s *morphScratch) spectrumBands(f []float64, y []float64, fs float64) {
	if fs != InternalRateHz {
		return
	}
	nSeg, df := s.welch(y, fwaveSegLen) // band ratios need no overlap
	if nSeg == 0 {
		return
	}
	edges := [...]float64{0.5, 3, 8, 15, 24}
	var p [4]float64
	var tot float64
	for i, v := range s.psd {
		hz := float64(i) * df
		for b := range p {
			if hz >= edges[b] && hz < edges[b+1] {
				p[b] += v
				tot += v
			}
		}
	}
	if tot <= 0 {
		return
	}
	f[fSpecLowRel], f[fSpecMidRel], f[fSpecQRSRel], f[fSpecHighRel] = p[0]/tot, p[1]/tot, p[2]/tot, p[3]/tot
}

// templateOffsetsMs are the offsets from the R peak (ms) at which the
// template is sampled into the tmpl_* features.
var templateOffsetsMs = [...]float64{-240, -180, -120, -60, 40, 80, 160, 240, 320, 400}

func sign(v float64) int {
	if v < 0 {
		return -1
	}
	return 1
}

func msToSamples(ms, fs float64) int { return int(ms*fs/1000 + 0.5) }

// zeroed returns b with length n and all values 0.
func zeroed(b []float64, n int) []float64 {
	b = growFloat(b, n)
	clear(b)
	return b
}

// addBeats adds to dst the windows y[p-pre:][:len(dst)] of the beats in
// s.sel, in order. Four beats go through each element at a time: every
// element still receives the same additions in the same order, with one
// load and store of it per four beats.
func (s *morphScratch) addBeats(dst, y []float64, pre int) {
	sel, L := s.sel, len(dst)
	k := 0
	for ; k+4 <= len(sel); k += 4 {
		w0 := y[sel[k]-pre:][:L]
		w1 := y[sel[k+1]-pre:][:L]
		w2 := y[sel[k+2]-pre:][:L]
		w3 := y[sel[k+3]-pre:][:L]
		for i, v := range w0 {
			dst[i] = dst[i] + v + w1[i] + w2[i] + w3[i]
		}
	}
	for ; k < len(sel); k++ {
		addTo(dst, y[sel[k]-pre:][:L])
	}
}

func addTo(dst, src []float64) {
	for i, v := range src[:len(dst)] {
		dst[i] += v
	}
}

func scale(x []float64, a float64) {
	for i := range x {
		x[i] *= a
	}
}

// sums holds Σx and Σx² of a window, accumulated in index order.
type sums struct{ s, ss float64 }

func sumsOf(a []float64) sums {
	var s, ss float64
	for _, x := range a {
		s += x
		ss += x * x
	}
	return sums{s, ss}
}

// windowSums writes to dst[:0] sumsOf(y[p-before : p-after]) for every beat
// p, four beats side by side (eight independent addition chains instead
// of two).
func (s *morphScratch) windowSums(dst []sums, y []float64, before, after int) []sums {
	dst = dst[:0]
	beats := s.beats
	L := before - after
	k := 0
	for ; k+4 <= len(beats); k += 4 {
		w0 := y[beats[k]-before:][:L]
		w1 := y[beats[k+1]-before:][:L]
		w2 := y[beats[k+2]-before:][:L]
		w3 := y[beats[k+3]-before:][:L]
		var s0, s1, s2, s3, q0, q1, q2, q3 float64
		for i, a := range w0 {
			b, c, d := w1[i], w2[i], w3[i]
			s0 += a
			q0 += a * a
			s1 += b
			q1 += b * b
			s2 += c
			q2 += c * c
			s3 += d
			q3 += d * d
		}
		dst = append(dst, sums{s0, q0}, sums{s1, q1}, sums{s2, q2}, sums{s3, q3})
	}
	for ; k < len(beats); k++ {
		dst = append(dst, sumsOf(y[beats[k]-before:][:L]))
	}
	return dst
}

// windowCorrs writes to dst[:0] the correlation of y[p-before:][:len(ref)]
// with ref for every beat p, given the windows' sums (windowSums) and
// refSums = sumsOf(ref): corrWith's value, with four beats' cross products
// summed side by side.
func (s *morphScratch) windowCorrs(dst []float64, y []float64, before int, ref []float64, winSums []sums, refSums sums) []float64 {
	dst = dst[:0]
	beats := s.beats
	L := len(ref)
	k := 0
	for ; k+4 <= len(beats); k += 4 {
		w0 := y[beats[k]-before:][:L]
		w1 := y[beats[k+1]-before:][:L]
		w2 := y[beats[k+2]-before:][:L]
		w3 := y[beats[k+3]-before:][:L]
		var c0, c1, c2, c3 float64
		for i, r := range ref {
			c0 += w0[i] * r
			c1 += w1[i] * r
			c2 += w2[i] * r
			c3 += w3[i] * r
		}
		dst = append(dst,
			corrFromSums(L, c0, winSums[k], refSums), corrFromSums(L, c1, winSums[k+1], refSums),
			corrFromSums(L, c2, winSums[k+2], refSums), corrFromSums(L, c3, winSums[k+3], refSums))
	}
	for ; k < len(beats); k++ {
		dst = append(dst, corrWith(y[beats[k]-before:][:L], ref, winSums[k], refSums))
	}
	return dst
}

// corrWith is Pearson's correlation of equal-length a and b given
// sa = sumsOf(a) and sb = sumsOf(b) (0 when either is constant). A beat's
// or the template's window sums serve all its correlations, so each pair
// costs only its cross products.
func corrWith(a, b []float64, sa, sb sums) float64 {
	n := float64(len(a))
	if n == 0 {
		return 0
	}
	b = b[:len(a)]
	var sab float64
	for i, x := range a {
		sab += x * b[i]
	}
	return corrFromSums(len(a), sab, sa, sb)
}

// corrFromSums is Pearson's correlation of n pairs from the cross-product
// sum sab and each side's sums (0 when either side is constant).
func corrFromSums(nPairs int, sab float64, sa, sb sums) float64 {
	if nPairs == 0 {
		return 0
	}
	n := float64(nPairs)
	va := sa.ss - sa.s*sa.s/n
	vb := sb.ss - sb.s*sb.s/n
	if va <= 0 || vb <= 0 {
		return 0
	}
	return (sab - sa.s*sb.s/n) / math.Sqrt(va*vb)
}
