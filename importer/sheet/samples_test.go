package sheet

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// samplePath points at the project's copies of the shared samples.
func samplePath(name string) string { return filepath.Join("..", "..", "testdata", name) }

func TestHouseholdsSample(t *testing.T) {
	b, err := Open(samplePath("households.xlsx"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	t.Run("sheets_are_instructions_roster_and_empty", func(t *testing.T) {
		want := []string{"填表说明", "花名册", "Sheet3"}
		if got := b.Sheets(); !slices.Equal(got, want) {
			t.Fatalf("Sheets() = %q, want %q", got, want)
		}
	})

	rows, merges := readSheet(t, b, "花名册")
	cells := []struct {
		name      string
		row, col  int
		kind      Kind
		value     string
		y, m, d   int // for dates
		checkDate bool
	}{
		{name: "household_code_stored_as_number_is_exact", row: 56, col: 5, kind: Number, value: "5001190006000117"},
		{name: "real_date_cell_is_a_date_serial", row: 30, col: 10, kind: Date, value: "44607", y: 2022, m: 2, d: 15, checkDate: true},
		{name: "id_number_stored_as_number_keeps_raw_digits", row: 87, col: 23, kind: Number, value: "500119197609282000"},
		{name: "title_is_shared_string_text", row: 1, col: 1, kind: Text, value: "南川区东城街道防止返贫监测对象花名册"},
		{name: "decimal_income_is_raw", row: 5, col: 18, kind: Number, value: "13425.5"},
	}
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			got, ok := cellAt(rows, c.row, c.col)
			if !ok {
				t.Fatalf("%s%d missing", colName(c.col), c.row)
			}
			if got.Kind != c.kind || got.Value != c.value {
				t.Fatalf("%s%d = %s %q, want %s %q", colName(c.col), c.row, got.Kind, got.Value, c.kind, c.value)
			}
			if c.checkDate {
				serial, _ := strconv.ParseFloat(got.Value, 64)
				y, m, d, ok := DateFromSerial(serial, b.Date1904())
				if !ok || y != c.y || m != c.m || d != c.d {
					t.Fatalf("DateFromSerial(%s) = %d-%d-%d %v", got.Value, y, m, d, ok)
				}
			}
		})
	}

	t.Run("formula_without_cached_value_is_blank", func(t *testing.T) {
		if c, ok := cellAt(rows, 305, 13); ok {
			t.Fatalf("M305 = %+v, want blank", c)
		}
	})

	t.Run("merges_include_title_and_signature_after_iteration", func(t *testing.T) {
		for _, want := range []Merge{{1, 1, 1, 32}, {307, 1, 307, 32}} {
			if !slices.Contains(merges, want) {
				t.Errorf("merges lack %+v (have %d)", want, len(merges))
			}
		}
	})

	t.Run("rows_ascend_and_cells_ascend", func(t *testing.T) {
		for i, r := range rows {
			if i > 0 && r.Num <= rows[i-1].Num {
				t.Fatalf("row %d after %d", r.Num, rows[i-1].Num)
			}
			for j := 1; j < len(r.Cells); j++ {
				if r.Cells[j].Col <= r.Cells[j-1].Col {
					t.Fatalf("row %d: col %d after %d", r.Num, r.Cells[j].Col, r.Cells[j-1].Col)
				}
			}
		}
		if rows[len(rows)-1].Num != 307 {
			t.Fatalf("last row %d, want 307", rows[len(rows)-1].Num)
		}
	})

	t.Run("empty_sheet_has_no_rows", func(t *testing.T) {
		if rows, merges := readSheet(t, b, "Sheet3"); len(rows) != 0 || len(merges) != 0 {
			t.Fatalf("Sheet3: %d rows, %d merges", len(rows), len(merges))
		}
	})
}

// TestOtherSamplesRead makes sure every shipped sample opens and yields rows.
func TestOtherSamplesRead(t *testing.T) {
	for _, name := range []string{"loans.xlsx", "medical_push.xlsx", "summary_template.xlsx"} {
		t.Run(name+"_reads", func(t *testing.T) {
			b, err := Open(samplePath(name), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			total := 0
			for _, s := range b.Sheets() {
				rows, _ := readSheet(t, b, s)
				total += len(rows)
			}
			if total == 0 {
				t.Fatal("no rows in any sheet")
			}
		})
	}
}
