package validation

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

var (
	colBlue  = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colRed   = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	colGrey  = color.RGBA{R: 150, G: 150, B: 150, A: 255}
	plotSize = 4.2 * vg.Inch
)

// ROCSVG renders the ROC curve of the AF probability with the classifier's
// operating point marked, as an inline <svg> element.
func (r *Report) ROCSVG() ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("ROC, AF vs rest (AUC %s)", fmtNum(r.ROC.AUC, 3))
	p.X.Label.Text = "1 − specificity (false positive rate)"
	p.Y.Label.Text = "sensitivity (true positive rate)"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Add(plotter.NewGrid())
	chance, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	chance.Color, chance.Dashes = colGrey, []vg.Length{vg.Points(4), vg.Points(4)}
	p.Add(chance)
	if len(r.ROC.Curve) > 0 {
		xys := make(plotter.XYs, len(r.ROC.Curve))
		for i, pt := range r.ROC.Curve {
			xys[i] = plotter.XY{X: pt.FPR, Y: pt.TPR}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = colBlue, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add("ROC of p(AF)", l)
	}
	op := r.ROC.OperatingPoint
	if op.FPR.Defined() && op.TPR.Defined() {
		s, err := plotter.NewScatter(plotter.XYs{{X: float64(op.FPR), Y: float64(op.TPR)}})
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: colRed, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
		p.Add(s)
		p.Legend.Add("operating point", s)
		p.X.Label.Text += fmt.Sprintf("\noperating point: sensitivity %.3f, specificity %.3f", float64(op.TPR), 1-float64(op.FPR))
	}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), vg.Points(6)
	p.Legend.Padding = vg.Points(3)
	return svg(p)
}

// CalibrationSVG renders the reliability curve of the AF probability
// (observed AF frequency per bin with its Wilson interval against the mean
// predicted probability) with the diagonal of perfect calibration.
func (r *Report) CalibrationSVG() ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Calibration of p(AF) (ECE %s, Brier %s)", fmtNum(r.Calibration.ECE, 3), fmtNum(r.Calibration.Brier, 3))
	p.X.Label.Text = "mean predicted p(AF) in bin"
	p.Y.Label.Text = "observed AF frequency"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Add(plotter.NewGrid())
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	diag.Color, diag.Dashes = colGrey, []vg.Length{vg.Points(4), vg.Points(4)}
	p.Add(diag)
	p.Legend.Add("perfect calibration", diag)
	var pts plotter.XYs
	var errs plotter.YErrors
	for _, b := range r.Calibration.Bins {
		if b.N == 0 {
			continue
		}
		x, y := float64(b.MeanPredicted), float64(b.Observed)
		pts = append(pts, plotter.XY{X: x, Y: y})
		errs = append(errs, struct{ Low, High float64 }{y - float64(b.ObservedCI95[0]), float64(b.ObservedCI95[1]) - y})
	}
	if len(pts) > 0 {
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		l.Color, s.Color = colBlue, colBlue
		s.GlyphStyle.Shape, s.GlyphStyle.Radius = draw.CircleGlyph{}, vg.Points(3)
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{pts, errs})
		if err != nil {
			return nil, err
		}
		eb.Color = colBlue
		p.Add(l, s, eb)
		p.Legend.Add("observed (95% Wilson CI)", l, s)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(6), -vg.Points(6)
	p.Legend.Padding = vg.Points(3)
	return svg(p)
}

// sans sets every text of p in the sans-serif variant of the plot's
// typeface, to match the page; gonum/plot's default is serif.
func sans(p *plot.Plot) {
	for _, f := range []*font.Font{
		&p.Title.TextStyle.Font, &p.Legend.TextStyle.Font,
		&p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font,
	} {
		f.Variant = "Sans"
	}
}

// svg draws p on an SVG canvas and returns the <svg> element without the
// XML prolog, ready to inline in HTML.
func svg(p *plot.Plot) ([]byte, error) {
	sans(p)
	c := vgsvg.New(plotSize, plotSize)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render plot: %w", err)
	}
	b := buf.Bytes()
	if i := bytes.Index(b, []byte("<svg")); i >= 0 {
		b = b[i:]
	}
	return b, nil
}
