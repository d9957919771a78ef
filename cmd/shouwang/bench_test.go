package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/fixtures"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

// benchRoster writes (once per machine) a generated roster of n households
// in the plain national-export layout and returns its path.
func benchRoster(b *testing.B, n int) string {
	return benchFile(b, fmt.Sprintf("shouwang-bench-roster-%d-v1.xlsx", n), func(w io.Writer) error {
		_, err := synth.WriteRoster(w, synth.Config{Seed: 1, Households: n})
		return err
	})
}

// benchFile writes a benchmark's input once per machine under
// os.TempDir() and returns its path.
func benchFile(b *testing.B, name string, write func(w io.Writer) error) string {
	b.Helper()
	p := filepath.Join(os.TempDir(), name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	f, err := os.Create(p + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	if err := write(f); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		b.Fatal(err)
	}
	return p
}

func benchHouseholds() int {
	if s := os.Getenv("SHOUWANG_BENCH_HOUSEHOLDS"); s != "" {
		var n int
		fmt.Sscan(s, &n)
		return n
	}
	return 100000
}

// peakMem runs fn and returns the process's peak resident memory while it
// ran (Linux VmHWM, reset before), falling back to the peak heap sampled
// every 20 ms where /proc is not there.
func peakMem(fn func()) uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	resetHWM := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	var peak uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	}()
	fn()
	close(done)
	if resetHWM {
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(line, "VmHWM:") {
					var kb uint64
					fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "VmHWM:"), "kB")), &kb)
					return kb << 10
				}
			}
		}
	}
	return peak
}

// benchNational writes (once per machine) the national system's export of
// n households — 177 columns, streamed as the system writes it — and
// returns its path.
func benchNational(b *testing.B, n int) string {
	return benchFile(b, fmt.Sprintf("shouwang-bench-national-%d-v1.xlsx", n), func(w io.Writer) error {
		_, err := fixtures.WriteNational(w, fixtures.National{Seed: 1, Households: n, Flavor: fixtures.System})
		return err
	})
}

// BenchmarkImport compares, in one run, excelize merely reading every cell
// of a 100,000-household roster with Shouwang's full import (parse,
// validate, write) into SQLite and PostgreSQL, and the re-import of the
// unchanged file. The national_ steps do the same with the national
// system's export of as many households (about 350,000 rows × 177 columns).
//
//	go test ./cmd/shouwang -run '^$' -bench Import -benchtime 1x
//	go test ./cmd/shouwang -run '^$' -bench 'Import/national' -benchtime 1x -timeout 60m
func BenchmarkImport(b *testing.B) {
	n := benchHouseholds()
	for _, shape := range []struct {
		prefix, sheet string
		path          func(b *testing.B, n int) string
	}{
		{"", synth.RosterSheet, benchRoster},
		{"national_", fixtures.NationalSheet, benchNational},
	} {
		benchImportShape(b, shape.prefix, shape.sheet, func(b *testing.B) string { return shape.path(b, n) })
	}
}

func benchImportShape(b *testing.B, prefix, sheetName string, path func(b *testing.B) string) {
	b.Run(prefix+"excelize_read", func(b *testing.B) {
		path := path(b)
		for i := 0; i < b.N; i++ {
			f, err := excelize.OpenFile(path)
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.Rows(sheetName)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				cols, _ := rows.Columns(excelize.Options{RawCellValue: true})
				n += len(cols)
			}
			rows.Close()
			f.Close()
		}
	})
	b.Run(prefix+"parse_only", func(b *testing.B) {
		path := path(b)
		for i := 0; i < b.N; i++ {
			var hs int
			peak := peakMem(func() {
				book, err := sheet.Open(path, sheet.Limits{MaxFileBytes: 1 << 30})
				if err != nil {
					b.Fatal(err)
				}
				f, err := importer.ParseHouseholds(book, "bench.xlsx", importer.Options{DefaultYear: 2022})
				if err != nil {
					b.Fatal(err)
				}
				hs = len(f.Households)
				book.Close()
			})
			b.ReportMetric(float64(hs), "households")
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
		}
	})
	for _, e := range storetest.DSNs(b) { // a fresh registry for each shape
		ctx := context.Background()
		db, err := store.Open(ctx, e.DSN)
		if err != nil {
			b.Fatal(err)
		}
		for _, round := range []string{"import", "reimport"} {
			b.Run(prefix+e.Name+"_"+round, func(b *testing.B) {
				path := path(b)
				for i := 0; i < b.N; i++ {
					var rep *monitor.ImportReport
					peak := peakMem(func() {
						app := &App{Getenv: func(string) string { return "" }, Now: time.Now}
						rep, err = app.importAny(ctx, db, monitor.KindHouseholds, path, store.ImportOptions{Actor: "bench", SkipInvalid: true}, "")
						if err != nil {
							b.Fatal(err)
						}
					})
					h := rep.Households
					if h.Created+h.Unchanged+h.Updated != h.InFile {
						b.Fatalf("not every household written: %+v, errors %v", h, rep.Errors[:min(3, len(rep.Errors))])
					}
					b.ReportMetric(float64(h.Created), "created")
					b.ReportMetric(float64(h.Unchanged), "unchanged")
					b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
				}
			})
		}
		db.Close()
	}
}
