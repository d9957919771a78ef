package reports_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/shouwang/shouwang/reports"
)

// TestLibreOfficeRender converts one workbook of each report to PDF with
// LibreOffice, where it is installed: the workbooks must open and render
// outside Excel too. Set REPORTS_RENDER_DIR to keep the files to look at
// (pdftoppm -png turns the pages into images).
func TestLibreOfficeRender(t *testing.T) {
	lo := ""
	for _, name := range []string{"libreoffice", "soffice"} {
		if p, err := exec.LookPath(name); err == nil {
			lo = p
			break
		}
	}
	if lo == "" {
		t.Skip("LibreOffice is not installed (Debian: apt-get install libreoffice-calc): workbooks not rendered to PDF")
	}
	if testing.Short() {
		t.Skip("rendering with LibreOffice takes a while; skipped in -short")
	}
	dir := os.Getenv("REPORTS_RENDER_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	m := meta()
	lm := m
	lm.AsOf = loansAsOf
	vm := m
	vm.Place = "东城街道皂角井社区"
	s := stats(asOf, 2022)
	tmpl, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	tstats, _ := templateStats()
	books := []struct {
		name  string
		write func(w io.Writer) error
	}{
		{"roster", func(w io.Writer) error { return reports.Roster(w, m, reports.Rows(rosterRows(households()))) }},
		{"flags", func(w io.Writer) error { return reports.Flags(w, m, reports.Rows(flags())) }},
		{"notice", func(w io.Writer) error { return reports.Notice(w, vm, d(2023, 1, 5), d(2023, 1, 11), noticeEntries()) }},
		{"measures", func(w io.Writer) error {
			return reports.Measures(w, m, reports.Rows(measureRows()), s.Coverage())
		}},
		{"loans", func(w io.Writer) error { return reports.Loans(w, lm, reports.Rows(loanRows())) }},
		{"summary", func(w io.Writer) error { return reports.Summary(w, m, s) }},
		{"template", func(w io.Writer) error {
			_, err := reports.FillTemplate(w, bytes.NewReader(tmpl), m, tstats)
			return err
		}},
		{"yearly", func(w io.Writer) error { return reports.Yearly(w, m, s.Yearly) }},
	}
	args := []string{"-env:UserInstallation=file://" + filepath.Join(t.TempDir(), "profile"),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir}
	for _, b := range books {
		var buf bytes.Buffer
		if err := b.write(&buf); err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		path := filepath.Join(dir, b.name+".xlsx")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, lo, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", lo, err, out)
	}
	for _, b := range books {
		pdf, err := os.ReadFile(filepath.Join(dir, b.name+".pdf"))
		if err != nil {
			t.Errorf("%s: no PDF: %v\n%s", b.name, err, out)
			continue
		}
		if len(pdf) == 0 || !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Errorf("%s: PDF empty or not a PDF (%d bytes)", b.name, len(pdf))
		}
	}
}
