package reports_test

import (
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
	"github.com/xuri/excelize/v2"
)

// The benchmarks write 1,000,000 roster members or flags (REPORTS_BENCH_ROWS
// to change it) side by side with a bare excelize StreamWriter writing the
// same cells with no styles, titles, widths, subtotals or formatting work:
// the floor. Each reports ns/op, the ratio to the floor, peak heap (sampled)
// and the output size.
//
//	go test ./reports -run '^$' -bench . -benchtime 1x

func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("REPORTS_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// peakHeap samples the live heap until stop is called and returns the
// highest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// countingWriter counts the bytes of the workbook.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// floorTimes are the floor's wall and CPU time per op.
type floorTimes struct{ ns, cpu float64 }

// measure runs write b.N times and reports peak heap, CPU time, output
// size and, for the report, the ratios to the floor measured before it.
// The stream writers spill to temporary files: run with TMPDIR on a
// tmpfs (/dev/shm) so disk write-back does not swamp the wall times; CPU
// time is the steadier figure either way.
func measure(b *testing.B, floor *floorTimes, write func(w io.Writer) error) {
	b.ReportAllocs()
	stop := peakHeap()
	var out countingWriter
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		out.n = 0
		if err := write(&out); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := float64(cpuTime()-cpu0) / float64(b.N)
	peak := stop()
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(peak)/1e6, "peak-MB")
	b.ReportMetric(float64(out.n)/1e6, "out-MB")
	b.ReportMetric(cpu/1e9, "cpu-s/op")
	if floor.ns == 0 {
		floor.ns, floor.cpu = ns, cpu
	} else {
		b.ReportMetric(ns/floor.ns, "x-floor")
		b.ReportMetric(cpu/floor.cpu, "x-floor-cpu")
	}
}

// benchHouseholds streams households of three members (the last may have
// fewer) until n members, 1,000 households a village. One Household is
// reused: a report must not keep what it is given.
func benchHouseholds(n int) iter.Seq2[reports.RosterHousehold, error] {
	return func(yield func(reports.RosterHousehold, error) bool) {
		h := &monitor.Household{Township: "东城街道", Group: "3组", Type: monitor.TypeLifted, Category: monitor.CatUnstable,
			IdentifiedIn: monitor.YearMonth{Year: 2022, Month: 3}, Risks: []string{"因病", "缺劳动力"},
			Incomes: []monitor.Income{{Year: 2022, PerCapita: 612345}}, Members: make([]monitor.Member, 3)}
		cadre := &monitor.Cadre{Name: "周强", Phone: "13900000009"}
		rels := [3]string{"户主", "配偶", "子"}
		for i, done := 0, 0; done < n; i++ {
			k := min(3, n-done)
			h.Code = "50011900" + strconv.Itoa(10000000+i)
			h.Village = "村" + strconv.Itoa(1000+i/1000)
			h.HeadName = "王德明" + strconv.Itoa(i%100)
			h.Size = k
			h.Members = h.Members[:k]
			for j := range k {
				m := &h.Members[j]
				m.Name = "成员" + strconv.Itoa(j)
				m.IDNumber = "50011919" + strconv.Itoa(70000000 + i%10000000)[:8] + strconv.Itoa(j) + "X"
				m.Relation, m.Sex, m.BirthDate = rels[j], "男", monitor.Date{Year: 1970 + j*20, Month: 3, Day: 11}
				m.Health, m.LaborSkill = "健康", "普通劳动力"
			}
			if !yield(reports.RosterHousehold{H: h, Cadre: cadre}, nil) {
				return
			}
			done += k
		}
	}
}

func BenchmarkRoster(b *testing.B) {
	n := benchRows()
	m := meta()
	var floor floorTimes
	b.Run(fmt.Sprintf("floor/members=%d", n), func(b *testing.B) {
		measure(b, &floor, func(w io.Writer) error {
			f := excelize.NewFile()
			defer f.Close()
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				return err
			}
			row := make([]any, 28)
			r := 1
			hdr := make([]any, 28)
			for i := range hdr {
				hdr[i] = "表头"
			}
			if err := sw.SetRow("A1", hdr); err != nil {
				return err
			}
			for rh := range benchHouseholds(n) {
				h := rh.H
				for j := range h.Members {
					p := &h.Members[j]
					clear(row)
					row[0], row[1], row[2], row[3], row[4] = h.Township, h.Village, h.Group, h.Code, h.HeadName
					row[5], row[6], row[7], row[8], row[9] = h.Size, h.Type, h.Category, h.Risks[0], h.Risks[1]
					row[13], row[14], row[15] = int64(44621), float64(h.Incomes[0].PerCapita)/100, "否"
					row[18], row[19] = rh.Cadre.Name, rh.Cadre.Phone
					row[20], row[21], row[22], row[23], row[24] = p.Name, p.IDNumber, p.Relation, p.Sex, 2022-p.BirthDate.Year
					row[25], row[26] = p.Health, p.LaborSkill
					r++
					if err := sw.SetRow("A"+strconv.Itoa(r), row); err != nil {
						return err
					}
				}
			}
			if err := sw.Flush(); err != nil {
				return err
			}
			return f.Write(w)
		})
	})
	b.Run(fmt.Sprintf("report/members=%d", n), func(b *testing.B) {
		measure(b, &floor, func(w io.Writer) error { return reports.Roster(w, m, benchHouseholds(n)) })
	})
}

// benchFlags streams n flags, 1,000 a village, reusing one Flag value.
func benchFlags(n int) iter.Seq2[monitor.Flag, error] {
	return func(yield func(monitor.Flag, error) bool) {
		f := monitor.Flag{Township: "东城街道", RuleCode: "medical_oop_high", RuleName: "合规自付医疗费用过高", RiskType: "因病",
			Severity: "高", Kind: "risk", Status: monitor.FlagOpen, FirstSeen: d(2022, 10, 31), LastSeen: d(2022, 12, 31), CaseStatus: "open"}
		for i := range n {
			f.HouseholdCode = "50011900" + strconv.Itoa(10000000+i/2)
			f.Village = "村" + strconv.Itoa(1000+i/1000)
			f.HeadName = "王德明" + strconv.Itoa(i%100)
			f.Explanation = "合规自付支出 " + strconv.Itoa(20000+i%9000) + " 元，超过家庭纯收入的50%"
			if !yield(f, nil) {
				return
			}
		}
	}
}

func BenchmarkFlags(b *testing.B) {
	n := benchRows()
	m := meta()
	var floor floorTimes
	b.Run(fmt.Sprintf("floor/flags=%d", n), func(b *testing.B) {
		measure(b, &floor, func(w io.Writer) error {
			f := excelize.NewFile()
			defer f.Close()
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				return err
			}
			row := make([]any, 15)
			r := 1
			for fl := range benchFlags(n) {
				row[0], row[1], row[2], row[3], row[4] = fl.Township, fl.Village, fl.HouseholdCode, fl.HeadName, fl.RuleCode
				row[5], row[6], row[7], row[8], row[9] = fl.RuleName, "致贫返贫风险", fl.RiskType, fl.Severity, fl.Explanation
				row[10], row[11], row[12], row[14] = int64(44865), int64(44926), "预警中", "办理中"
				r++
				if err := sw.SetRow("A"+strconv.Itoa(r), row); err != nil {
					return err
				}
			}
			if err := sw.Flush(); err != nil {
				return err
			}
			return f.Write(w)
		})
	})
	b.Run(fmt.Sprintf("report/flags=%d", n), func(b *testing.B) {
		measure(b, &floor, func(w io.Writer) error { return reports.Flags(w, m, benchFlags(n)) })
	})
}
