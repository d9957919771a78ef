package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// hostileFile builds (once, cached in the temp directory) a workbook whose
// sheet or shared strings part is written by body, streamed through the zip
// writer so that building it costs little memory. Random whitespace between
// elements keeps the compression ratio near the 82 of the file in issue 11,
// under the zip-bomb ratio limit: only the work caps can stop it.
func hostileFile(b *testing.B, name string, sst bool, noise int, body func(w *noisyWriter)) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "shouwang-hostile-v2-"+name+".xlsx")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f, err := os.Create(path + ".part")
	if err != nil {
		b.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, p := range workbookParts(1, false) {
		w, _ := zw.Create(p.name)
		io.WriteString(w, p.body)
	}
	target := "xl/worksheets/sheet1.xml"
	if sst {
		w, _ := zw.Create(target)
		io.WriteString(w, `<worksheet `+nsMain+`><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`)
		target = "xl/sharedStrings.xml"
	}
	w, err := zw.Create(target)
	if err != nil {
		b.Fatal(err)
	}
	nw := &noisyWriter{w: bufio.NewWriterSize(w, 1<<20), rnd: rand.New(rand.NewPCG(1, 2)), every: noise}
	body(nw)
	if err := nw.w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(path+".part", path); err != nil {
		b.Fatal(err)
	}
	return path
}

// noisyWriter writes elements with a random whitespace byte after one in
// every so many, so that deflate cannot squeeze them a thousandfold.
type noisyWriter struct {
	w     *bufio.Writer
	rnd   *rand.Rand
	every int
}

func (n *noisyWriter) put(s string) {
	n.w.WriteString(s)
	if n.rnd.IntN(n.every) == 0 {
		n.w.WriteByte(" \n\t\r"[n.rnd.IntN(4)])
	}
}

// peakRSS returns the process's peak resident set (VmHWM) in MB.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkHostile reads crafted workbooks that inflate to far more work
// than their size, each refused by one cap, and reports the peak RSS of the
// process (run one sub-benchmark per process for a clean figure, e.g.
// go test ./importer/sheet -run '^$' -bench 'Hostile/sst_50M_empty' -benchtime 1x).
// The files are built on the first run and cached in the temp directory.
func BenchmarkHostile(b *testing.B) {
	cases := []struct {
		name  string
		sst   bool
		noise int
		body  func(w *noisyWriter)
		limit string
	}{
		{"sst_50M_empty", true, 24, func(w *noisyWriter) {
			w.put(`<sst ` + nsMain + ` count="50000000" uniqueCount="50000000">`)
			for i := 0; i < 50_000_000; i++ {
				w.put(`<si/>`)
			}
			w.put(`</sst>`)
		}, "MaxSharedStrings"},
		{"sst_long_strings", true, 3, func(w *noisyWriter) {
			w.put(`<sst ` + nsMain + `>`)
			names := []string{"张", "王", "李", "赵"}
			for i := 0; i < 200; i++ {
				w.put(`<si><t>`)
				for j := 0; j < 1<<18; j++ { // 768 KiB of text
					w.w.WriteString(names[w.rnd.IntN(len(names))])
				}
				w.put(`</t></si>`)
			}
			w.put(`</sst>`)
		}, "MaxSharedStringBytes"},
		{"row_of_5M_cells", false, 3, func(w *noisyWriter) {
			w.put(`<worksheet ` + nsMain + `><sheetData><row r="1">`)
			for i := 0; i < 5_000_000; i++ {
				w.put(`<c><v>1</v></c>`)
			}
			w.put(`</row></sheetData></worksheet>`)
		}, "MaxCellsPerRow"},
		{"rows_20M_empty", false, 3, func(w *noisyWriter) {
			w.put(`<worksheet ` + nsMain + `><sheetData>`)
			for i := 0; i < 20_000_000; i++ {
				w.put(`<row/>`)
			}
			w.put(`</sheetData></worksheet>`)
		}, "MaxRows"},
		{"cells_110M", false, 3, func(w *noisyWriter) {
			w.put(`<worksheet ` + nsMain + `><sheetData>`)
			for r := 0; r < 110_000_000/16000; r++ {
				w.put(`<row>`)
				for c := 0; c < 16000; c++ {
					w.put(`<c><v>1</v></c>`)
				}
				w.put(`</row>`)
			}
			w.put(`</sheetData></worksheet>`)
		}, "MaxCells"},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			path := hostileFile(b, tc.name, tc.sst, tc.noise, tc.body)
			st, _ := os.Stat(path)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				book, err := Open(path, DefaultLimits())
				if err != nil {
					b.Fatal(err)
				}
				_, err = readBook(book, "S1")
				book.Close()
				var fe *FormatError
				if !errors.As(err, &fe) || fe.Limit != tc.limit {
					b.Fatalf("err = %v, want file_too_complex from %s", err, tc.limit)
				}
				if i == 0 {
					b.Logf("%s (%.1f MB): %s", tc.name, float64(st.Size())/(1<<20), fe.Message)
				}
			}
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
			b.ReportMetric(peakRSS(), "peak-RSS-MB")
		})
	}
}

// BenchmarkAcceptedRSS reads the 350,000 × 30 roster of BenchmarkReadSheet
// and reports the process's peak RSS.
func BenchmarkAcceptedRSS(b *testing.B) {
	path := benchWorkbook(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		book, err := Open(path, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := readBook(book, benchSheet); err != nil {
			b.Fatal(err)
		}
		book.Close()
	}
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
}

// readBook reads a sheet to the end, keeping nothing.
func readBook(book *Book, sheet string) (int, error) {
	rs, err := book.Rows(sheet)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	n := 0
	for rs.Next() {
		n++
	}
	return n, rs.Err()
}

// TestHostileShapesRefusedSmall runs the hostile shapes at a small scale
// with proportionally small caps, so that every plain go test checks that
// each is refused by its cap.
func TestHostileShapesRefusedSmall(t *testing.T) {
	var buf bytes.Buffer
	gen := func(n int, open, el, close string) string {
		buf.Reset()
		buf.WriteString(open)
		for i := 0; i < n; i++ {
			buf.WriteString(el)
		}
		buf.WriteString(close)
		return buf.String()
	}
	lim := Limits{MaxSharedStrings: 1000, MaxCellsPerRow: 100, MaxRows: 1000, MaxCells: 5000}
	tests := []struct {
		name, sheet, sst, limit string
	}{
		{"empty_strings", `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, gen(5000, ``, `<si/>`, ``), "MaxSharedStrings"},
		{"wide_row", gen(5000, `<row r="1">`, `<c><v>1</v></c>`, `</row>`), "", "MaxCellsPerRow"},
		{"empty_rows", gen(5000, ``, `<row/>`, ``), "", "MaxRows"},
		{"many_cells", gen(100, ``, gen(60, `<row>`, `<c><v>1</v></c>`, `</row>`), ``), "", "MaxCells"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(sheetXLSX(t, tt.sheet, tt.sst), "h.xlsx", "S1", lim)
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Limit != tt.limit {
				t.Fatalf("err = %v, want file_too_complex from %s", err, tt.limit)
			}
		})
	}
}

// BenchmarkReadXLS reads a full-height BIFF8 sheet (65,536 rows × 30
// columns, the most an .xls sheet holds) built by the test writer: text in
// the SST, numbers as RK and NUMBER, a date column.
func BenchmarkReadXLS(b *testing.B) {
	const rows, cols = 65536, 30
	var sst []string
	for i := 0; i < rows; i++ {
		sst = append(sst, fmt.Sprintf("500119%04d%02d%02d%03d%d", 1950+i%60, i%12+1, i%28+1, i%1000, i%10))
	}
	sst = append(sst, "张某某", "脱贫户", "因病", "是")
	body := func(w *biff) {
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				switch c % 5 {
				case 0:
					w.rec(recLabelSST, rc(r, c, xfGeneral), le32(r))
				case 1:
					w.rec(recLabelSST, rc(r, c, xfGeneral), le32(rows+c%4))
				case 2:
					w.rec(recRK, rc(r, c, xfGeneral), rkInt(r*c))
				case 3:
					w.rec(recNumber, rc(r, c, xfGeneral), f64(float64(r)+0.5))
				case 4:
					w.rec(recRK, rc(r, c, xfDate14), rkInt(44562+r%365))
				}
			}
		}
	}
	// Built once and cached, so that the peak RSS is the reading's.
	path := filepath.Join(os.TempDir(), "shouwang-sheet-bench-65536x30-v1.xls")
	if _, err := os.Stat(path); err != nil {
		data := xlsFile(b, xlsSpec{codepage: 1200, xfs: excelXFs(), formats: excelFormats, sst: sst,
			sheets: []xlsSheetSpec{{name: "花名册", body: body}}})
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Log("built", path, "; run again for the reading's peak RSS")
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		book, err := Open(path, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		k, err := readBook(book, "花名册")
		book.Close()
		if err != nil || k != rows {
			b.Fatalf("%d rows, %v", k, err)
		}
		n += k
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
}
