package inference

import (
	"math"
	"math/cmplx"
)

// realFFT is the forward real FFT of gonum's fourier.FFT (a translation of
// Swarztrauber's FFTPACK rfftf) restricted to lengths whose factors are 4
// and 2, computing the same floating-point operations in the same order, so
// its coefficients equal gonum's bit for bit (TestRealFFTMatchesGonum) —
// the f-wave and spectral features were trained on those values. It drops
// the general library's per-access bounds bookkeeping and copies, and hands
// the power spectrum straight to the caller: it is several times faster on
// the 128-point segments of welch.
type realFFT struct {
	n       int
	factors []int     // FFTPACK's ifac[2:2+nf]
	wa      []float64 // twiddles, FFTPACK's rffti layout
	c, ch   []float64 // work arrays
}

// newRealFFT returns the transform of length n, or nil when n has a factor
// other than 2 (callers then use gonum).
func newRealFFT(n int) *realFFT {
	if n < 2 || n&(n-1) != 0 {
		return nil
	}
	// Factorisation as FFTPACK's rffti1: fours first, then a two, moved to
	// the front.
	var factors []int
	nl := n
	for nl%4 == 0 {
		factors = append(factors, 4)
		nl /= 4
	}
	if nl == 2 {
		factors = append([]int{2}, factors...)
	}
	t := &realFFT{n: n, factors: factors, wa: make([]float64, n), c: make([]float64, n), ch: make([]float64, n)}
	nf := len(factors)
	if nf == 1 {
		return t
	}
	argh := 2 * math.Pi / float64(n)
	is, l1 := 0, 1
	for k1 := 0; k1 < nf-1; k1++ {
		ip := factors[k1]
		ld := 0
		l2 := l1 * ip
		ido := n / l2
		for j := 0; j < ip-1; j++ {
			ld += l1
			i := is
			fi := 0.0
			argld := float64(ld) * argh
			for ii := 2; ii < ido; ii += 2 {
				fi++
				arg := fi * argld
				t.wa[i] = math.Cos(arg)
				t.wa[i+1] = math.Sin(arg)
				i += 2
			}
			is += ido
		}
		l1 = l2
	}
	return t
}

// addPower adds to psd (n/2+1 values) the squared magnitudes of the Fourier
// coefficients of seq (n values), as fourier.FFT.Coefficients followed by
// psd[i] += real(c)²+imag(c)² would.
func (t *realFFT) addPower(psd, seq []float64) {
	n := t.n
	c, ch, wa := t.c[:n], t.ch[:n], t.wa
	copy(c, seq[:n])
	nf := len(t.factors)
	na := true
	l2 := n
	iw := n - 1
	for k1 := 1; k1 <= nf; k1++ {
		ip := t.factors[nf-k1]
		l1 := l2 / ip
		ido := n / l2
		iw -= (ip - 1) * ido
		na = !na
		switch ip {
		case 4:
			ix2 := iw + ido
			ix3 := ix2 + ido
			if na {
				radf4(ido, l1, ch, c, wa[iw:], wa[ix2:], wa[ix3:])
			} else {
				radf4(ido, l1, c, ch, wa[iw:], wa[ix2:], wa[ix3:])
			}
		case 2:
			if na {
				radf2(ido, l1, ch, c, wa[iw:])
			} else {
				radf2(ido, l1, c, ch, wa[iw:])
			}
		}
		l2 = l1
	}
	r := c
	if !na {
		r = ch
	}
	psd = psd[:n/2+1]
	v := complex(r[0], 0)
	psd[0] += real(v)*real(v) + imag(v)*imag(v)
	v = complex(r[n-1], 0)
	psd[n/2] += real(v)*real(v) + imag(v)*imag(v)
	for i := 1; i < n/2; i++ {
		v := complex(r[2*i-1], r[2*i])
		psd[i] += real(v)*real(v) + imag(v)*imag(v)
	}
}

// swapRI exchanges the real and imaginary parts of c (FFTPACK's swap).
func swapRI(c complex128) complex128 { return complex(imag(c), real(c)) }

// radf2 is FFTPACK's radix-2 forward butterfly: cc is (ido, l1, 2), ch is
// (ido, 2, l1), first index fastest.
func radf2(ido, l1 int, cc, ch, wa1 []float64) {
	ccAt := func(i, k, m int) int { return i + ido*k + ido*l1*m }
	chAt := func(i, m, k int) int { return i + ido*m + ido*2*k }
	for k := 0; k < l1; k++ {
		ch[chAt(0, 0, k)] = cc[ccAt(0, k, 0)] + cc[ccAt(0, k, 1)]
		ch[chAt(ido-1, 1, k)] = cc[ccAt(0, k, 0)] - cc[ccAt(0, k, 1)]
	}
	if ido < 2 {
		return
	}
	if ido > 2 {
		for k := 0; k < l1; k++ {
			// Rows of cc and ch for this k, so that the loop's indices
			// need no bounds checks.
			c0, c1 := cc[ccAt(0, k, 0):][:ido], cc[ccAt(0, k, 1):][:ido]
			h0, h1 := ch[chAt(0, 0, k):][:ido], ch[chAt(0, 1, k):][:ido]
			for i := 2; i < ido; i += 2 {
				ic := ido - i // FFTPACK's idp2-(i+1)
				t2 := complex(wa1[i-2], -wa1[i-1]) * complex(c1[i-1], c1[i])
				z0 := complex(c0[i-1], c0[i])
				s := z0 + t2
				h0[i-1], h0[i] = real(s), imag(s)
				d := cmplx.Conj(z0) - cmplx.Conj(t2)
				h1[ic-1], h1[ic] = real(d), imag(d)
			}
		}
		if ido%2 == 1 {
			return
		}
	}
	for k := 0; k < l1; k++ {
		ch[chAt(0, 1, k)] = -cc[ccAt(ido-1, k, 1)]
		ch[chAt(ido-1, 0, k)] = cc[ccAt(ido-1, k, 0)]
	}
}

// radf4 is FFTPACK's radix-4 forward butterfly: cc is (ido, l1, 4), ch is
// (ido, 4, l1).
func radf4(ido, l1 int, cc, ch, wa1, wa2, wa3 []float64) {
	const hsqt2 = math.Sqrt2 / 2
	ccAt := func(i, k, m int) int { return i + ido*k + ido*l1*m }
	chAt := func(i, m, k int) int { return i + ido*m + ido*4*k }
	for k := 0; k < l1; k++ {
		tr1 := cc[ccAt(0, k, 1)] + cc[ccAt(0, k, 3)]
		tr2 := cc[ccAt(0, k, 0)] + cc[ccAt(0, k, 2)]
		ch[chAt(0, 0, k)] = tr1 + tr2
		ch[chAt(ido-1, 3, k)] = tr2 - tr1
		ch[chAt(ido-1, 1, k)] = cc[ccAt(0, k, 0)] - cc[ccAt(0, k, 2)]
		ch[chAt(0, 2, k)] = cc[ccAt(0, k, 3)] - cc[ccAt(0, k, 1)]
	}
	if ido < 2 {
		return
	}
	if ido > 2 {
		for k := 0; k < l1; k++ {
			// Rows of cc and ch for this k, so that the loop's indices
			// need no bounds checks.
			c0, c1 := cc[ccAt(0, k, 0):][:ido], cc[ccAt(0, k, 1):][:ido]
			c2r, c3r := cc[ccAt(0, k, 2):][:ido], cc[ccAt(0, k, 3):][:ido]
			h0, h1 := ch[chAt(0, 0, k):][:ido], ch[chAt(0, 1, k):][:ido]
			h2, h3 := ch[chAt(0, 2, k):][:ido], ch[chAt(0, 3, k):][:ido]
			for i := 2; i < ido; i += 2 {
				ic := ido - i // FFTPACK's idp2-(i+1)
				z0 := complex(c0[i-1], c0[i])
				c2 := complex(wa1[i-2], -wa1[i-1]) * complex(c1[i-1], c1[i])
				c3 := complex(wa2[i-2], -wa2[i-1]) * complex(c2r[i-1], c2r[i])
				c4 := complex(wa3[i-2], -wa3[i-1]) * complex(c3r[i-1], c3r[i])
				t1 := c2 + c4
				t2 := z0 + c3
				t3 := z0 - c3
				t4 := cmplx.Conj(c4 - c2)
				v := t1 + t2
				h0[i-1], h0[i] = real(v), imag(v)
				v = cmplx.Conj(t2 - t1)
				h3[ic-1], h3[ic] = real(v), imag(v)
				v = swapRI(t4) + t3
				h2[i-1], h2[i] = real(v), imag(v)
				v = cmplx.Conj(t3 - swapRI(t4))
				h1[ic-1], h1[ic] = real(v), imag(v)
			}
		}
		if ido%2 == 1 {
			return
		}
	}
	for k := 0; k < l1; k++ {
		ti1 := -hsqt2 * (cc[ccAt(ido-1, k, 1)] + cc[ccAt(ido-1, k, 3)])
		tr1 := hsqt2 * (cc[ccAt(ido-1, k, 1)] - cc[ccAt(ido-1, k, 3)])
		ch[chAt(ido-1, 0, k)] = tr1 + cc[ccAt(ido-1, k, 0)]
		ch[chAt(ido-1, 2, k)] = cc[ccAt(ido-1, k, 0)] - tr1
		ch[chAt(0, 1, k)] = ti1 - cc[ccAt(ido-1, k, 2)]
		ch[chAt(0, 3, k)] = ti1 + cc[ccAt(ido-1, k, 2)]
	}
}
