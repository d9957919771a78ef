package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

func caseJSON(t *testing.T, dsn string, args ...string) (int, monitor.Case, string) {
	t.Helper()
	code, out, errOut := cli(t, dsn, append(append([]string{"case"}, args...), "--json")...)
	var c monitor.Case
	if code == 0 {
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Fatalf("case %v: %v\n%s", args, err, out)
		}
	}
	return code, c, errOut
}

func householdJSON(t *testing.T, dsn, code string) monitor.Household {
	t.Helper()
	_, out, _ := cli(t, dsn, "household", "--json", code)
	var h monitor.Household
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("household: %v\n%s", err, out)
	}
	return h
}

// TestCaseProcedure walks a household from a cadre's report to 纳入监测 and
// on to 风险消除: a public notice too short is refused, the case past its
// deadline is listed overdue, an early elimination is refused with its
// reasons, and an authorised override completes it.
func TestCaseProcedure(t *testing.T) {
	const hh = "5001190002000107" // 汪红惠, 脱贫户, not monitored
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			importJSON(t, e.DSN, "--skip-invalid", sampleRoster)
			code, c, errOut := caseJSON(t, e.DSN, "open", hh, "--kind", "inclusion", "--category", "边缘户", "--risks", "因病", "--date", "2022-11-01", "--by", "李佳")
			if code != 0 {
				t.Fatalf("open: exit %d: %s", code, errOut)
			}
			if c.DueOn.String() != "2022-11-16" || c.Category != monitor.CatEdge {
				t.Fatalf("opened case: due %s category %q, want 2022-11-16 and %s", c.DueOn, c.Category, monitor.CatEdge)
			}
			id := strconv.FormatInt(c.ID, 10)
			step := func(name, date string, extra ...string) (int, string) {
				code, _, errOut := caseJSON(t, e.DSN, append([]string{"step", id, "--step", name, "--date", date, "--by", "张明"}, extra...)...)
				return code, errOut
			}
			if code, msg := step("信息比对", "2022-11-02"); code == 0 || !strings.Contains(msg, "下一步应为“入户核实”") {
				t.Fatalf("out-of-order step: exit %d %s", code, msg)
			}
			for _, s := range [][2]string{{"入户核实", "2022-11-02"}, {"信息比对", "2022-11-03"}, {"民主评议", "2022-11-04"}} {
				if code, msg := step(s[0], s[1]); code != 0 {
					t.Fatalf("%s: %s", s[0], msg)
				}
			}
			if code, msg := step("公示", "2022-11-07", "--notice-start", "2022-11-05", "--notice-end", "2022-11-07"); code == 0 || !strings.Contains(msg, "不少于 5 天") {
				t.Fatalf("3-day notice: exit %d %q, want refused", code, msg)
			}
			_, out, _ := cli(t, e.DSN, "case", "list", "--overdue", "--as-of", "2022-11-20", "--json")
			var overdue []monitor.Case
			json.Unmarshal([]byte(out), &overdue)
			if len(overdue) != 1 || overdue[0].ID != c.ID || !overdue[0].Overdue || overdue[0].NextStep() != "公示" {
				t.Fatalf("overdue list = %+v, want this case waiting on its notice", overdue)
			}
			if code, msg := step("公示", "2022-11-09", "--notice-start", "2022-11-05", "--notice-end", "2022-11-09"); code != 0 {
				t.Fatalf("5-day notice: %s", msg)
			}
			step("乡镇审核", "2022-11-10")
			if code, msg := step("县级审定", "2022-11-12"); code != 0 {
				t.Fatalf("county approval: %s", msg)
			}
			h := householdJSON(t, e.DSN, hh)
			if h.Category != monitor.CatEdge || h.IdentifiedIn.String() != "202211" || strings.Join(h.Risks, ",") != "因病" {
				t.Fatalf("after inclusion: category %q identified %s risks %v", h.Category, h.IdentifiedIn, h.Risks)
			}

			code, _, errOut = caseJSON(t, e.DSN, "open", hh, "--kind", "elimination", "--method", "帮扶消除", "--date", "2023-01-10")
			if code == 0 || !strings.Contains(errOut, "不符合风险消除条件") || !strings.Contains(errOut, "纳入监测仅 2 个月") {
				t.Fatalf("early elimination: exit %d %q, want refused for too few months", code, errOut)
			}
			code, c, errOut = caseJSON(t, e.DSN, "open", hh, "--kind", "elimination", "--method", "帮扶消除", "--date", "2023-01-10",
				"--override-reason", "务工收入稳定，经县乡村振兴局同意提前消除")
			if code != 0 {
				t.Fatalf("elimination with override: %s", errOut)
			}
			id = strconv.FormatInt(c.ID, 10)
			for _, s := range [][]string{{"入户核实", "2023-01-10"}, {"信息比对", "2023-01-10"}, {"民主评议", "2023-01-10"},
				{"公示", "2023-01-14", "--notice-start", "2023-01-10", "--notice-end", "2023-01-14"}, {"乡镇审核", "2023-01-14"}, {"县级审定", "2023-01-15"}} {
				if code, msg := step(s[0], s[1], s[2:]...); code != 0 {
					t.Fatalf("elimination %s: %s", s[0], msg)
				}
			}
			h = householdJSON(t, e.DSN, hh)
			if !h.RiskEliminated || h.EliminationMethod != "帮扶消除" || h.EliminatedOn.String() != "2023-01-15" {
				t.Fatalf("after elimination: %v %q %s", h.RiskEliminated, h.EliminationMethod, h.EliminatedOn)
			}
			_, out, _ = cli(t, e.DSN, "household", hh)
			if !strings.Contains(out, "识别纳入案件") || !strings.Contains(out, "风险消除案件") {
				t.Fatalf("history does not name the cases:\n%s", out)
			}
		})
	}
}

// TestEmergencyCase: 先帮扶后认定 includes the household at once.
func TestEmergencyCase(t *testing.T) {
	const hh = "5001190002000107"
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			importJSON(t, e.DSN, "--skip-invalid", sampleRoster)
			if code, _, errOut := caseJSON(t, e.DSN, "open", hh, "--kind", "inclusion", "--category", "突发严重困难户", "--risks", "因意外事故", "--emergency", "--date", "2023-01-05"); code != 0 {
				t.Fatalf("open: %s", errOut)
			}
			if h := householdJSON(t, e.DSN, hh); h.Category != monitor.CatEmergency || h.IdentifiedIn.String() != "202301" {
				t.Fatalf("emergency case did not include the household: %q %s", h.Category, h.IdentifiedIn)
			}
			if code, _, errOut := caseJSON(t, e.DSN, "open", hh, "--kind", "inclusion", "--category", "边缘户"); code == 0 || !strings.Contains(errOut, "未办结") {
				t.Fatalf("a second open case: exit %d %s", code, errOut)
			}
		})
	}
}
