package web

import (
	"strings"
	"testing"
)

func TestChartSVGEscapes(t *testing.T) {
	c := newChart([]bar{
		{Label: `<script>alert(1)</script>村`, N: 16, Href: "/households?village=%3Cscript%3E", Note: `监测 "8"`},
		{Label: "高桥村", N: 0, Href: "javascript:alert(1)"},
	}, "户")
	svg := string(c.SVG())
	for _, bad := range []string{"<script>", `"8"`, "javascript:"} {
		if strings.Contains(svg, bad) {
			t.Fatalf("chart carries %q unescaped:\n%s", bad, svg)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;村", `href="/households?village=%3Cscript%3E"`, `href="#"`, ">16 · 监测 &#34;8&#34;</text>"} {
		if !strings.Contains(svg, want) {
			t.Fatalf("chart lacks %q:\n%s", want, svg)
		}
	}
}
