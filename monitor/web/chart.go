package web

// bar is one bar of a chart: a label, a figure and the list behind it.
type bar struct {
	Label string
	N     int
	Href  string
	Note  string

	Y, W int // laid out by newChart
}

// chart is a horizontal bar chart drawn as SVG by the template, so it needs
// no script and obeys the CSP.
type chart struct {
	Bars   []bar
	Unit   string
	Width  int
	Height int
	LabelW int
	BarX   int
	MaxW   int
}

const (
	chartRow   = 30
	chartWidth = 440
)

func newChart(bars []bar, unit string) chart {
	c := chart{Bars: bars, Unit: unit, Width: chartWidth, Height: max(1, len(bars)) * chartRow}
	longest := 0
	for _, b := range bars {
		longest = max(longest, len([]rune(b.Label)))
	}
	c.LabelW = min(14, max(4, longest))*14 + 8
	c.BarX = c.LabelW
	c.MaxW = c.Width - c.BarX - 96
	top := 0
	for _, b := range bars {
		top = max(top, b.N)
	}
	for i := range c.Bars {
		b := &c.Bars[i]
		b.Y = i * chartRow
		if top > 0 {
			b.W = b.N * c.MaxW / top
		}
		if b.N > 0 {
			b.W = max(b.W, 2)
		}
	}
	return c
}
