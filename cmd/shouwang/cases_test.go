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

// caseAccounts creates the accounts case commands act as: admin (the
// default of --as), cun of hh's village, zhen of its township and xian of
// the county.
func caseAccounts(t *testing.T, dsn, hh string) {
	t.Helper()
	h := householdJSON(t, dsn, hh)
	village := h.Township + "/" + h.Village
	if code, _, errOut := cli(t, dsn, "place", "add", village); code != 0 {
		t.Fatalf("place add %s: %s", village, errOut)
	}
	for _, u := range [][3]string{{"admin", "admin", ""}, {"cun", "village", village}, {"zhen", "township", h.Township}, {"xian", "county", ""}} {
		args := []string{"user", "add", u[0], "--role", u[1]}
		if u[2] != "" {
			args = append(args, "--place", u[2])
		}
		if code, _, errOut := cli(t, dsn, args...); code != 0 {
			t.Fatalf("user add %s: %s", u[0], errOut)
		}
	}
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
			caseAccounts(t, e.DSN, hh)
			code, c, errOut := caseJSON(t, e.DSN, "open", hh, "--kind", "inclusion", "--category", "边缘户", "--risks", "因病", "--date", "2022-11-01", "--by", "李佳")
			if code != 0 {
				t.Fatalf("open: exit %d: %s", code, errOut)
			}
			if c.DueOn.String() != "2022-11-16" || c.Category != monitor.CatEdge {
				t.Fatalf("opened case: due %s category %q, want 2022-11-16 and %s", c.DueOn, c.Category, monitor.CatEdge)
			}
			id := strconv.FormatInt(c.ID, 10)
			// The village's steps as the village account, the reviews as
			// the township's and the county's.
			as := map[string]string{"乡镇审核": "zhen", "县级审定": "xian"}
			step := func(name, date string, extra ...string) (int, string) {
				account := as[name]
				if account == "" {
					account = "cun"
				}
				code, _, errOut := caseJSON(t, e.DSN, append([]string{"step", id, "--step", name, "--date", date, "--by", "张明", "--as", account}, extra...)...)
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
			_, c, _ = caseJSON(t, e.DSN, "show", id)
			var who []string
			for _, s := range c.Steps {
				who = append(who, s.RecordedBy+"/"+s.RecordedRole+"/"+s.Person)
			}
			if got, want := strings.Join(who, " "), "cun/village/张明 cun/village/张明 cun/village/张明 cun/village/张明 zhen/township/张明 xian/county/张明"; got != want {
				t.Errorf("steps recorded by %s, want %s", got, want)
			}
			if c.OpenedBy != "admin" || !strings.Contains(c.Note, "李佳") {
				t.Errorf("opened by %q with note %q, want the account admin and the person 李佳 in the note", c.OpenedBy, c.Note)
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
			caseAccounts(t, e.DSN, hh)
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

// TestCaseActsAsAccount: `case … --as USER` acts as that account. A
// village account recording 乡镇审核 exits 3 with the same message as the
// web; one account does not both review and approve; the household's
// history credits the account that recorded 县级审定; an unknown or
// disabled account is refused before anything is done, and a village
// account sees only its village's cases.
func TestCaseActsAsAccount(t *testing.T) {
	const hh = "5001190002000107"
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			importJSON(t, e.DSN, "--skip-invalid", sampleRoster)
			t.Run("ErrNoAdminYet", func(t *testing.T) {
				code, _, errOut := cli(t, e.DSN, "case", "list")
				if code == 0 || !strings.Contains(errOut, "账号 admin 不存在") || !strings.Contains(errOut, "user add") {
					t.Fatalf("case list without any account: exit %d %q, want told admin does not exist", code, errOut)
				}
			})
			caseAccounts(t, e.DSN, hh)
			code, c, errOut := caseJSON(t, e.DSN, "open", hh, "--kind", "inclusion", "--category", "边缘户", "--risks", "因病", "--date", "2023-01-02", "--as", "cun")
			if code != 0 {
				t.Fatalf("open as the village account: exit %d %s", code, errOut)
			}
			id := strconv.FormatInt(c.ID, 10)
			step := func(as, name, date string, extra ...string) (int, string) {
				code, _, errOut := cli(t, e.DSN, append([]string{"case", "step", id, "--step", name, "--date", date, "--by", "王网格", "--as", as}, extra...)...)
				return code, errOut
			}
			t.Run("ErrUnknownAccount", func(t *testing.T) {
				code, msg := step("nobody", "入户核实", "2023-01-03")
				if code != exitFailure || !strings.Contains(msg, "账号 nobody 不存在") {
					t.Fatalf("--as nobody: exit %d %q", code, msg)
				}
			})
			t.Run("ErrDisabledAccount", func(t *testing.T) {
				cli(t, e.DSN, "user", "add", "gone", "--role", "county")
				cli(t, e.DSN, "user", "disable", "gone")
				code, msg := step("gone", "入户核实", "2023-01-03")
				if code != exitValidation || !strings.Contains(msg, "账号 gone 已停用") {
					t.Fatalf("--as a disabled account: exit %d %q", code, msg)
				}
			})
			for _, s := range [][]string{{"入户核实", "2023-01-03"}, {"信息比对", "2023-01-04"}, {"民主评议", "2023-01-05"},
				{"公示", "2023-01-10", "--notice-start", "2023-01-06", "--notice-end", "2023-01-10"}} {
				if code, msg := step("cun", s[0], s[1], s[2:]...); code != 0 {
					t.Fatalf("village %s: exit %d %s", s[0], code, msg)
				}
			}
			t.Run("ErrVillageReview", func(t *testing.T) {
				code, msg := step("cun", "乡镇审核", "2023-01-11")
				if code != 3 || strings.TrimSpace(msg) != "错误： 乡镇审核须由乡镇（街道）、区县或管理员账号办理" {
					t.Fatalf("village 乡镇审核: exit %d %q, want 3 with the message", code, msg)
				}
			})
			if code, msg := step("admin", "乡镇审核", "2023-01-11"); code != 0 {
				t.Fatalf("admin 乡镇审核: exit %d %s", code, msg)
			}
			t.Run("ErrSameAccount", func(t *testing.T) {
				code, msg := step("admin", "县级审定", "2023-01-12")
				if want := "同一账号不能既办理乡镇审核又办理县级审定（案件 " + id + " 的乡镇审核由 admin 办理）"; code != 3 || !strings.Contains(msg, want) {
					t.Fatalf("admin 县级审定 after its own review: exit %d %q, want 3 with %q", code, msg, want)
				}
			})
			t.Run("ErrTownshipApproval", func(t *testing.T) {
				if code, msg := step("zhen", "县级审定", "2023-01-12"); code != 3 || !strings.Contains(msg, "县级审定须由区县或管理员账号办理") {
					t.Fatalf("township 县级审定: exit %d %q", code, msg)
				}
			})
			if code, msg := step("xian", "县级审定", "2023-01-12"); code != 0 {
				t.Fatalf("county 县级审定: exit %d %s", code, msg)
			}
			_, out, _ := cli(t, e.DSN, "household", "--json", hh)
			var got struct {
				Category string           `json:"category"`
				Changes  []monitor.Change `json:"changes"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ch := range got.Changes {
				if strings.Contains(ch.Note, "识别纳入案件 "+id) {
					n++
					if ch.Actor != "xian" {
						t.Errorf("history of %s credits %q, want xian (who recorded 县级审定), not the opener cun", ch.Field, ch.Actor)
					}
				}
			}
			if n == 0 || got.Category != monitor.CatEdge {
				t.Fatalf("after 县级审定: category %q, %d history entries name the case", got.Category, n)
			}
			t.Run("Scope", func(t *testing.T) {
				cli(t, e.DSN, "place", "add", "东城街道/皂角井社区")
				cli(t, e.DSN, "user", "add", "zjj", "--role", "village", "--place", "东城街道/皂角井社区")
				if h := householdJSON(t, e.DSN, hh); h.Village == "皂角井社区" {
					t.Skip("the household is in 皂角井社区")
				}
				if code, _, msg := cli(t, e.DSN, "case", "show", id, "--as", "zjj"); code != exitFailure || !strings.Contains(msg, "案件 "+id+" 不存在") {
					t.Fatalf("another village's case: exit %d %q", code, msg)
				}
				_, out, _ := cli(t, e.DSN, "case", "list", "--status", "all", "--json", "--as", "zjj")
				if strings.TrimSpace(out) != "[]" {
					t.Fatalf("another village's account lists %s", out)
				}
			})
		})
	}
}
