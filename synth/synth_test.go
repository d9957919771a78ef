package synth

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/monitor"
)

func TestDeterminism(t *testing.T) {
	base := Households(Config{Seed: 42, Households: 50})
	tests := []struct {
		name string
		cfg  Config
		same bool
	}{
		{"same seed gives identical households", Config{Seed: 42, Households: 50}, true},
		{"different seed gives different households", Config{Seed: 43, Households: 50}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Households(tt.cfg)
			if len(got) != 50 {
				t.Fatalf("got %d households, want 50", len(got))
			}
			if same := reflect.DeepEqual(got, base); same != tt.same {
				t.Errorf("DeepEqual = %v, want %v", same, tt.same)
			}
		})
	}
	t.Run("Each streams the same households", func(t *testing.T) {
		i := 0
		err := Each(Config{Seed: 42, Households: 50}, func(h *monitor.Household) error {
			if !reflect.DeepEqual(h, base[i]) {
				t.Errorf("household %d differs from Households", i)
			}
			i++
			return nil
		})
		if err != nil || i != 50 {
			t.Fatalf("Each: %d households, err %v", i, err)
		}
	})
	t.Run("Each stops at the callback's error", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := Each(Config{Seed: 1, Households: 10}, func(*monitor.Household) error {
			n++
			return stop
		})
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("n=%d err=%v, want 1 and stop", n, err)
		}
	})
}

func TestInvalidConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"short region is refused", Config{Households: 1, Region: "5001"}},
		{"letters in region are refused", Config{Households: 1, Region: "50011a"}},
		{"too many villages are refused", Config{Households: 1, VillagesPer: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Each(tt.cfg, func(*monitor.Household) error { return nil }); err == nil {
				t.Fatal("Each accepted an invalid config")
			}
		})
	}
}

func TestHouseholdsAreConsistent(t *testing.T) {
	const n = 20000
	hs := Households(Config{Seed: 7, Households: n})
	if len(hs) != n {
		t.Fatalf("got %d households, want %d", len(hs), n)
	}
	cfg, _ := Config{}.withDefaults()
	ref := monitor.Date{Year: cfg.Year, Month: 12, Day: 31}
	ids := map[string]bool{}
	codes := map[string]bool{}
	var members, monitored, eliminated, lifted int
	sizes := make([]int, 7)
	for _, h := range hs {
		members += len(h.Members)
		if len(h.Members) <= 6 {
			sizes[len(h.Members)]++
		}
		if h.Monitored() {
			monitored++
		}
		if h.RiskEliminated {
			eliminated++
		}
		if h.Type == monitor.TypeLifted {
			lifted++
		}
	}

	check := func(name string, bad func(h *monitor.Household) string) {
		t.Run(name, func(t *testing.T) {
			fails := 0
			for _, h := range hs {
				if msg := bad(h); msg != "" {
					if fails++; fails <= 5 {
						t.Errorf("household %s: %s", h.Code, msg)
					}
				}
			}
			if fails > 5 {
				t.Errorf("… %d households in all", fails)
			}
		})
	}

	check("every ID is valid, unique and agrees with birth date and sex", func(h *monitor.Household) string {
		for _, m := range h.Members {
			id, birth, sex, p := monitor.ParseIDNumber(m.IDNumber, false)
			switch {
			case p != nil:
				return fmt.Sprintf("ID %s: %s", m.IDNumber, p.Message)
			case id != m.IDNumber || len(id) != 18:
				return fmt.Sprintf("ID %q not in normal form", m.IDNumber)
			case ids[id]:
				return fmt.Sprintf("ID %s used twice", id)
			case birth != m.BirthDate:
				return fmt.Sprintf("ID %s says born %s, member %s", id, birth, m.BirthDate)
			case sex != m.Sex:
				return fmt.Sprintf("ID %s says %s, member %s", id, sex, m.Sex)
			case !strings.HasPrefix(id, cfg.Region):
				return fmt.Sprintf("ID %s outside region", id)
			}
			ids[id] = true
		}
		return ""
	})
	check("household code is 16 unique digits", func(h *monitor.Household) string {
		if len(h.Code) != 16 || !digits(h.Code) || !strings.HasPrefix(h.Code, cfg.Region) || codes[h.Code] {
			return fmt.Sprintf("bad or repeated code %q", h.Code)
		}
		codes[h.Code] = true
		return ""
	})
	check("exactly one head, first, whose name and ID the household carries", func(h *monitor.Household) string {
		heads := 0
		for _, m := range h.Members {
			if m.Relation == "户主" {
				heads++
			}
		}
		if heads != 1 || h.Members[0].Relation != "户主" {
			return fmt.Sprintf("%d heads, first is %s", heads, h.Members[0].Relation)
		}
		if h.HeadName != h.Members[0].Name || h.HeadIDNumber != h.Members[0].IDNumber {
			return "head name or ID differs from the first member"
		}
		return ""
	})
	check("spouse is of the other sex", func(h *monitor.Household) string {
		for _, m := range h.Members[1:] {
			if m.Relation == "配偶" && m.Sex == h.Members[0].Sex {
				return "spouse of the same sex"
			}
		}
		return ""
	})
	check("relations are known and ages plausible", func(h *monitor.Household) string {
		headAge := monitor.AgeOn(h.Members[0].BirthDate, ref)
		for _, m := range h.Members {
			if _, ok := monitor.NormalizeRelation(m.Relation); !ok {
				return "unknown relation " + m.Relation
			}
			age := monitor.AgeOn(m.BirthDate, ref)
			switch {
			case age < 0 || age > 100:
				return fmt.Sprintf("%s aged %d", m.Relation, age)
			case (m.Relation == "子" || m.Relation == "女") && headAge-age < 17:
				return fmt.Sprintf("child aged %d of a head aged %d", age, headAge)
			case (m.Relation == "父亲" || m.Relation == "母亲") && age-headAge < 17:
				return fmt.Sprintf("parent aged %d of a head aged %d", age, headAge)
			case (m.Relation == "孙子" || m.Relation == "孙女") && headAge-age < 34:
				return fmt.Sprintf("grandchild aged %d of a head aged %d", age, headAge)
			}
		}
		return ""
	})
	check("size is the member count and income adds up", func(h *monitor.Household) string {
		if h.Size != len(h.Members) || h.Size < 1 || h.Size > 6 {
			return fmt.Sprintf("size %d, %d members", h.Size, len(h.Members))
		}
		if len(h.Incomes) != 1 {
			return fmt.Sprintf("%d income records", len(h.Incomes))
		}
		in := h.Incomes[0]
		if in.Year != cfg.Year || in.Net != in.ComputedNet() || in.PerCapita != monitor.PerCapitaOf(in.Net, h.Size) {
			return fmt.Sprintf("income year %d net %s computed %s per capita %s", in.Year, in.Net, in.ComputedNet(), in.PerCapita)
		}
		for _, m := range []monitor.Money{in.Wage, in.Business, in.Property, in.Transfer, in.BusinessCost, in.MedicalOOP} {
			if m < 0 || m%100 != 0 {
				return fmt.Sprintf("amount %s not whole non-negative yuan", m)
			}
		}
		return ""
	})
	check("member fields use the official values", func(h *monitor.Household) string {
		for _, m := range h.Members {
			age := monitor.AgeOn(m.BirthDate, ref)
			if l, ok := monitor.NormalizeLaborSkill(m.LaborSkill); !ok || l != m.LaborSkill || l == "" {
				return "labour skill " + m.LaborSkill
			}
			if age < 16 && m.LaborSkill != monitor.LaborNone {
				return fmt.Sprintf("child aged %d with %s", age, m.LaborSkill)
			}
			if m.SchoolStatus != "" && (age < 3 || age > 22) {
				return fmt.Sprintf("school status %s at age %d", m.SchoolStatus, age)
			}
			if monitor.OutOfSchool(m.SchoolStatus) && (age < 6 || age > 15) {
				return fmt.Sprintf("dropout aged %d", age)
			}
			if m.WorkMonths < 0 || m.WorkMonths > 12 || (m.WorkMonths > 0 && !m.CanWork()) {
				return fmt.Sprintf("%d work months with %s", m.WorkMonths, m.LaborSkill)
			}
			switch m.Health {
			case "健康", "长期慢性病", "患有大病", "残疾":
			default:
				return "health " + m.Health
			}
		}
		return ""
	})
	check("monitoring fields are coherent", func(h *monitor.Household) string {
		if c, ok := monitor.NormalizeCategory(h.Category); !ok || c != h.Category {
			return "category " + h.Category
		}
		if !h.Monitored() {
			if !h.IdentifiedIn.IsZero() || len(h.Risks) > 0 || h.RiskEliminated {
				return "not monitored but has monitoring data"
			}
			return ""
		}
		if h.IdentifiedIn.Year != cfg.Year || len(h.Risks) < 1 || len(h.Risks) > 2 {
			return fmt.Sprintf("identified %s with %d risks", h.IdentifiedIn, len(h.Risks))
		}
		if rs, bad := monitor.ParseRisks(strings.Join(h.Risks, "、")); len(bad) > 0 || len(rs) != len(h.Risks) {
			return fmt.Sprintf("risks %v", h.Risks)
		}
		if h.RiskEliminated && h.EliminatedOn.Before(h.IdentifiedIn.FirstDay().AddDays(180)) {
			return fmt.Sprintf("eliminated %s soon after identification %s", h.EliminatedOn, h.IdentifiedIn)
		}
		return ""
	})
	check("phone is 11 digits from a mobile prefix", func(h *monitor.Household) string {
		if len(h.Phone) != 11 || !digits(h.Phone) || !strings.Contains("13 15 17 18", h.Phone[:2]) {
			return "phone " + h.Phone
		}
		return ""
	})

	shares := []struct {
		name     string
		got      float64
		min, max float64
	}{
		{"mean household size is between 3 and 4", float64(members) / n, 3, 4},
		{"about 40% are 脱贫户", float64(lifted) / n, 0.37, 0.43},
		{"about 8% are monitored", float64(monitored) / n, 0.065, 0.095},
		{"about 2% have the risk eliminated", float64(eliminated) / n, 0.012, 0.028},
		{"about 5% are single-person households", float64(sizes[1]) / n, 0.04, 0.06},
		{"about 30% have four members", float64(sizes[4]) / n, 0.28, 0.32},
	}
	for _, s := range shares {
		t.Run(s.name, func(t *testing.T) {
			if s.got < s.min || s.got > s.max {
				t.Errorf("got %.4f, want %.3f–%.3f", s.got, s.min, s.max)
			}
		})
	}
}

func TestWriteRoster(t *testing.T) {
	cfg := Config{Seed: 3, Households: 500}
	hs := Households(cfg)
	members := 0
	for _, h := range hs {
		members += len(h.Members)
	}
	var buf bytes.Buffer
	n, err := WriteRoster(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(RosterSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		for i, c := range RosterColumns {
			if c == name {
				return i + 1
			}
		}
		t.Fatalf("no column %s", name)
		return 0
	}
	cellAt := func(name string, row int) string {
		ref, _ := excelize.CoordinatesToCellName(col(name), row)
		return ref
	}
	first := hs[0]
	tests := []struct {
		name  string
		check func() string
	}{
		{"header row equals the 30 RosterColumns", func() string {
			if len(RosterColumns) != 30 || !reflect.DeepEqual(rows[0], RosterColumns) {
				return fmt.Sprintf("header %v", rows[0])
			}
			return ""
		}},
		{"one row per member under the header", func() string {
			if n != members || len(rows) != members+1 {
				return fmt.Sprintf("returned %d, sheet has %d rows, want %d members + 1", n, len(rows), members)
			}
			return ""
		}},
		{"ID number is a text cell with all 18 characters", func() string {
			ref := cellAt("证件号码", 2)
			typ, err := f.GetCellType(RosterSheet, ref)
			v, _ := f.GetCellValue(RosterSheet, ref)
			if err != nil || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString) {
				return fmt.Sprintf("%s type %v err %v", ref, typ, err)
			}
			if v != first.Members[0].IDNumber {
				return fmt.Sprintf("%s = %q, want %q", ref, v, first.Members[0].IDNumber)
			}
			return ""
		}},
		{"户编号 and phone keep all their digits as text", func() string {
			for name, want := range map[string]string{"户编号": first.Code, "联系电话": first.Phone} {
				ref := cellAt(name, 2)
				typ, _ := f.GetCellType(RosterSheet, ref)
				v, _ := f.GetCellValue(RosterSheet, ref)
				if v != want || typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset {
					return fmt.Sprintf("%s %s = %q (type %v), want text %q", name, ref, v, typ, want)
				}
			}
			return ""
		}},
		{"amounts and counts are numbers", func() string {
			for _, name := range []string{"工资性收入", "人均纯收入", "家庭人口数", "务工时间(月)"} {
				ref := cellAt(name, 2)
				if typ, _ := f.GetCellType(RosterSheet, ref); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
					return fmt.Sprintf("%s %s type %v", name, ref, typ)
				}
			}
			v, _ := f.GetCellValue(RosterSheet, cellAt("人均纯收入", 2), excelize.Options{RawCellValue: true})
			if want := strings.TrimSuffix(strings.TrimRight(first.Incomes[0].PerCapita.String(), "0"), "."); v != want {
				return fmt.Sprintf("人均纯收入 %q, want %q", v, want)
			}
			return ""
		}},
		{"every member row repeats its household and lists its member", func() string {
			r := 1
			for _, h := range hs {
				for _, m := range h.Members {
					row := rows[r]
					r++
					get := func(name string) string {
						if i := col(name) - 1; i < len(row) {
							return row[i]
						}
						return ""
					}
					if get("户编号") != h.Code || get("证件号码") != m.IDNumber || get("姓名") != m.Name ||
						get("与户主关系") != m.Relation || get("家庭人口数") != fmt.Sprint(h.Size) ||
						get("监测对象类别") != h.Category || get("识别监测时间") != h.IdentifiedIn.String() {
						return fmt.Sprintf("row %d does not match household %s member %s: %v", r, h.Code, m.Name, row)
					}
				}
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msg := tt.check(); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestWriteRosterCSV(t *testing.T) {
	cfg := Config{Seed: 3, Households: 200}
	var buf bytes.Buffer
	n, err := WriteRosterCSV(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	tests := []struct {
		name  string
		check func() string
	}{
		{"starts with a UTF-8 byte-order mark", func() string {
			if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
				return fmt.Sprintf("starts % x", data[:3])
			}
			return ""
		}},
		{"has the header and one record per member", func() string {
			recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
			if err != nil {
				return err.Error()
			}
			if !reflect.DeepEqual(recs[0], RosterColumns) || len(recs) != n+1 {
				return fmt.Sprintf("header %v, %d records for %d rows", recs[0], len(recs), n)
			}
			return ""
		}},
		{"matches the xlsx roster row for row", func() string {
			var x bytes.Buffer
			if _, err := WriteRoster(&x, cfg); err != nil {
				return err.Error()
			}
			f, err := excelize.OpenReader(&x)
			if err != nil {
				return err.Error()
			}
			defer f.Close()
			rows, _ := f.GetRows(RosterSheet, excelize.Options{RawCellValue: true})
			recs, _ := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
			for i := range recs {
				row := append(rows[i], make([]string, len(RosterColumns)-len(rows[i]))...)
				if !reflect.DeepEqual(row, recs[i]) {
					return fmt.Sprintf("line %d: csv %v, xlsx %v", i+1, recs[i], row)
				}
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msg := tt.check(); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// countingWriter counts the bytes written through it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkWriteRoster writes a 100,000-household roster; run it with
// go test -run '^$' -bench WriteRoster -benchtime 1x ./synth.
func BenchmarkWriteRoster(b *testing.B) {
	cfg := Config{Seed: 1, Households: 100000}
	var rows int
	var size int64
	for b.Loop() {
		var w countingWriter
		n, err := WriteRoster(&w, cfg)
		if err != nil {
			b.Fatal(err)
		}
		rows, size = n, w.n
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/sec, "rows/s")
	b.ReportMetric(float64(cfg.Households)/sec, "households/s")
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(size)/(1<<20), "MiB")
}
