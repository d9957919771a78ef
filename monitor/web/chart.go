package web

import (
	"fmt"
	"html/template"
	"strings"
)

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

// SVG draws the chart. It is written here rather than by the template:
// html/template's contextual escaping of a 60-village chart was most of
// the county dashboard's time under load. Labels, notes and links are
// user data and are escaped here just the same.
func (c chart) SVG() template.HTML {
	var b strings.Builder
	b.Grow(256 * (len(c.Bars) + 1))
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img">`, c.Width, c.Height, c.Width, c.Height)
	for _, bar := range c.Bars {
		note, title := "", ""
		if bar.Note != "" {
			note = " · " + esc(bar.Note)
			title = "（" + esc(bar.Note) + "）"
		}
		fmt.Fprintf(&b, "\n  <a href=\"%s\">\n    <title>%s：%d %s%s</title>", esc(safeHref(bar.Href)), esc(bar.Label), bar.N, esc(c.Unit), title)
		fmt.Fprintf(&b, "\n    <text x=\"%d\" y=\"%d\" class=\"chart-label\" text-anchor=\"end\">%s</text>", c.LabelW-8, bar.Y+20, esc(bar.Label))
		fmt.Fprintf(&b, "\n    <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" rx=\"3\" class=\"chart-bar\"></rect>", c.BarX, bar.Y+6, bar.W)
		fmt.Fprintf(&b, "\n    <text x=\"%d\" y=\"%d\" class=\"chart-value\">%d%s</text>\n  </a>", c.BarX+bar.W+6, bar.Y+20, bar.N, note)
	}
	b.WriteString("\n</svg>")
	return template.HTML(b.String())
}

// safeHref keeps a chart link inside the app: only site-relative paths.
func safeHref(h string) string {
	if strings.HasPrefix(h, "/") && !strings.HasPrefix(h, "//") {
		return h
	}
	return "#"
}
