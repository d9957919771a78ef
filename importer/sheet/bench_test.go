package sheet

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

const (
	benchRows  = 350000
	benchCols  = 30
	benchSheet = "花名册"
)

// benchWorkbook returns a 350,000 × 30 household roster, generated once and
// cached in the temp directory: writing it takes far longer than reading it.
// Only the benchmark calls this, so a plain go test never builds the file.
func benchWorkbook(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("shouwang-sheet-bench-%dx%d-v1.xlsx", benchRows, benchCols))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", benchSheet); err != nil {
		b.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		b.Fatal(err)
	}
	sw, err := f.NewStreamWriter(benchSheet)
	if err != nil {
		b.Fatal(err)
	}
	header := make([]any, benchCols)
	for i := range header {
		header[i] = fmt.Sprintf("字段%d", i+1)
	}
	if err := sw.SetRow("A1", header); err != nil {
		b.Fatal(err)
	}
	surnames := []string{"张", "王", "李", "刘", "陈", "杨", "黄", "赵", "周", "吴"}
	villages := []string{"金山村", "银河村", "青龙村", "白云社区", "石桥村"}
	row := make([]any, benchCols)
	for r := 0; r < benchRows; r++ {
		hh := r / 4
		row[0] = hh + 1
		row[1] = "东城街道"
		row[2] = villages[hh%len(villages)]
		row[3] = fmt.Sprintf("%d组", hh%12+1)
		row[4] = 5001190006000000 + hh
		row[5] = surnames[hh%10] + "某某"
		row[6] = 4
		row[7] = "脱贫户"
		row[8] = "边缘易致贫户"
		row[9] = excelize.Cell{StyleID: dateStyle, Value: 44562 + hh%365}
		row[10] = "因病"
		row[11] = "否"
		for c := 12; c < 18; c++ {
			row[c] = float64((hh*37+c*101)%50000) + 0.5
		}
		row[18] = "是"
		row[19] = "否"
		row[20] = surnames[r%10] + "成员"
		row[21] = fmt.Sprintf("500119%04d%02d%02d%03d%d", 1950+r%60, r%12+1, r%28+1, r%1000, r%10)
		row[22] = "户主"
		row[23] = "男"
		row[24] = "健康"
		row[25] = "普通劳动力"
		row[26] = "非在校生"
		row[27] = r % 13
		row[28] = "是"
		row[29] = "备注文字"
		if err := sw.SetRow(fmt.Sprintf("A%d", r+2), row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	tmp := path + ".part.xlsx" // SaveAs picks the format from the extension
	if err := f.SaveAs(tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkReadSheet compares a full read of the roster, open included, by
// excelize's row iterator and by this package.
func BenchmarkReadSheet(b *testing.B) {
	path := benchWorkbook(b)
	const wantRows = benchRows + 1

	b.Run("excelize_Rows", func(b *testing.B) {
		n := 0
		for i := 0; i < b.N; i++ {
			f, err := excelize.OpenFile(path)
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.Rows(benchSheet)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			f.Close()
		}
		if n != wantRows*b.N {
			b.Fatalf("read %d rows, want %d", n, wantRows*b.N)
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
	})

	b.Run("sheet_Rows", func(b *testing.B) {
		n, cells := 0, 0
		for i := 0; i < b.N; i++ {
			book, err := Open(path, DefaultLimits())
			if err != nil {
				b.Fatal(err)
			}
			rows, err := book.Rows(benchSheet)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				cells += len(rows.Row().Cells)
				n++
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
			rows.Close()
			book.Close()
		}
		if n != wantRows*b.N || cells != wantRows*benchCols*b.N {
			b.Fatalf("read %d rows and %d cells, want %d and %d", n, cells, wantRows*b.N, wantRows*benchCols*b.N)
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
	})
}
