package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// workbookRows opens a downloaded workbook and returns a sheet's rows.
func workbookRows(t *testing.T, body, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the download is not a workbook: %v (%.200q)", err, body)
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// workbookText is every cell of every sheet of a downloaded workbook.
func workbookText(t *testing.T, body string) string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the download is not a workbook: %v", err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}

// column finds a header in the rows and returns its row and column.
func column(t *testing.T, rows [][]string, name string) (int, int) {
	t.Helper()
	for r, row := range rows {
		for c, v := range row {
			if strings.ReplaceAll(v, "\n", "") == name {
				return r, c
			}
		}
	}
	t.Fatalf("no column %q", name)
	return 0, 0
}

// apiGet calls the API and returns the status, content type and body.
func (e *env) apiGet(t *testing.T, token, path string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func TestReportsPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		se := newScopedEnv(t, e)
		res := se.village.get("/reports")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("reports page: %d", res.StatusCode)
		}
		for _, want := range []string{`href="/reports" class="on"`, "监测对象花名册", `action="/reports/roster.xlsx"`, `formaction="/reports/roster.csv"`,
			"统计汇总表", `action="/reports/summary.xlsx" enctype="multipart/form-data"`, "年度工作统计", sampleTown + sampleVillage} {
			if !strings.Contains(res.body, want) {
				t.Errorf("village page lacks %q", want)
			}
		}
		for _, not := range []string{`name="unmask"`, `name="township"`, `formaction="/reports/summary.csv"`, "灌坝社区"} {
			if strings.Contains(res.body, not) {
				t.Errorf("village page shows %q", not)
			}
		}
		county := e.client(t)
		county.login("county", samplePW)
		res = county.get("/reports")
		for _, want := range []string{`name="unmask"`, `name="township"`, "灌坝社区"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("county page lacks %q", want)
			}
		}
	})
}

func TestReportDownloads(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		se := newScopedEnv(t, e)
		ctx := context.Background()
		t.Run("VillageRoster", func(t *testing.T) {
			res := se.village.get("/reports/roster.xlsx?all=1&as_of=2022-12-31")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != xlsxType {
				t.Fatalf("roster: %d %s %.300s", res.StatusCode, res.Header.Get("Content-Type"), res.body)
			}
			cd := res.Header.Get("Content-Disposition")
			name := url.PathEscape(sampleTown + sampleVillage + "监测对象花名册")
			if !strings.HasPrefix(cd, `attachment; filename="roster-2022-12-31.xlsx"; filename*=UTF-8''`) || !strings.Contains(cd, name) {
				t.Errorf("Content-Disposition %q", cd)
			}
			rows := workbookRows(t, res.body, "监测对象花名册")
			hr, village := column(t, rows, "村（社区）")
			_, id := column(t, rows, "身份证号")
			households := map[string]bool{}
			_, code := column(t, rows, "户编号")
			for _, r := range rows[hr+1:] {
				if len(r) <= id || r[id] == "" {
					continue
				}
				if r[village] != sampleVillage {
					t.Errorf("a %s row in the village user's roster", r[village])
				}
				if !strings.Contains(r[id], "********") {
					t.Errorf("ID %s not masked", r[id])
				}
				households[r[code]] = true
			}
			if want := loadAnswers(t).HouseholdsByVillage[sampleVillage]; len(households) != want {
				t.Errorf("%d households of %s, want %d", len(households), sampleVillage, want)
			}
		})
		t.Run("ErrOtherVillage", func(t *testing.T) {
			for _, q := range []string{"village=灌坝社区", "township=" + url.QueryEscape("南城街道"), "village=" + url.QueryEscape(sampleVillage) + "&township=x"} {
				res := se.village.get("/reports/roster.xlsx?" + q)
				if res.StatusCode != http.StatusNotFound || strings.Contains(res.body, se.other.HeadName) {
					t.Errorf("%s: %d, want 404", q, res.StatusCode)
				}
			}
		})
		t.Run("ErrVillageUnmask", func(t *testing.T) {
			if res := se.village.get("/reports/roster.xlsx?unmask=1"); res.StatusCode != http.StatusForbidden {
				t.Errorf("village unmask: %d, want 403", res.StatusCode)
			}
		})
		t.Run("CountyUnmaskAudited", func(t *testing.T) {
			county := e.client(t)
			county.login("county", samplePW)
			res := county.get("/reports/roster.csv?all=1&unmask=1&village=" + url.QueryEscape(sampleVillage))
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(res.body, "\ufeff") {
				t.Fatalf("csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			if !strings.Contains(res.body, se.mine.Members[0].IDNumber) {
				t.Error("unmasked roster lacks the full ID")
			}
			es, _, _ := e.db.FindAudit(ctx, store.AuditFilter{Username: "county", Action: store.AuditRevealIDs, Object: "report:roster"})
			if len(es) != 1 || !strings.Contains(es[0].Detail, sampleVillage) {
				t.Errorf("unmasked export audit: %+v", es)
			}
			res = county.get("/reports/roster.xlsx?all=1")
			if text := workbookText(t, res.body); res.StatusCode != http.StatusOK || strings.Contains(text, se.mine.Members[0].IDNumber) ||
				!strings.Contains(text, monitor.MaskID(se.mine.Members[0].IDNumber)) {
				t.Errorf("masked by default: %d", res.StatusCode)
			}
			if es, _, _ := e.db.FindAudit(ctx, store.AuditFilter{Username: "county", Action: store.AuditRevealIDs, Object: "report:roster"}); len(es) != 1 {
				t.Errorf("a masked export was audited as unmasked: %d entries", len(es))
			}
		})
		t.Run("EveryReport", func(t *testing.T) {
			for _, name := range []string{"roster", "flags", "measures", "loans", "summary", "yearly", "notice"} {
				res := se.village.get("/reports/" + name + ".xlsx?year=2022&as_of=2022-12-31")
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s: %d %.300s", name, res.StatusCode, res.body)
					continue
				}
				rows := workbookRows(t, res.body, "")
				if len(rows) == 0 || !strings.Contains(rows[0][0], sampleVillage) {
					t.Errorf("%s: title %v, want the village's", name, rows[:min(1, len(rows))])
				}
				if strings.Contains(workbookText(t, res.body), "灌坝社区") {
					t.Errorf("%s mentions another village", name)
				}
			}
		})
		t.Run("ErrCSVNotFlat", func(t *testing.T) {
			if res := se.village.get("/reports/summary.csv"); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, ".xlsx") {
				t.Errorf("summary.csv: %d", res.StatusCode)
			}
			if res := se.village.get("/reports/nosuch.xlsx"); res.StatusCode != http.StatusNotFound {
				t.Errorf("unknown report: %d", res.StatusCode)
			}
		})
		t.Run("ErrNoticeNeedsVillage", func(t *testing.T) {
			county := e.client(t)
			county.login("county", samplePW)
			res := county.get("/reports/notice.xlsx")
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(res.body, "村（社区）") {
				t.Errorf("notice without a village: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
		})
		t.Run("SummaryTemplate", func(t *testing.T) {
			tmpl := readFile(t, "../../testdata/summary_template.xlsx")
			body, ctype := multipartBody(t, map[string]string{"csrf": se.village.csrf(), "as_of": "2022-12-31"}, "模板.xlsx", tmpl)
			req, _ := http.NewRequest("POST", e.ts.URL+"/reports/summary.xlsx", body)
			req.Header.Set("Content-Type", ctype)
			res := se.village.do(req)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("template: %d %.300s", res.StatusCode, res.body)
			}
			rows := workbookRows(t, res.body, "")
			hr, village := column(t, rows, "村（社区）")
			_, hh := column(t, rows, "农户总数（户）")
			filled := map[string]string{}
			for _, r := range rows[hr+1:] {
				if len(r) > hh {
					filled[r[village]] = r[hh]
				}
			}
			if filled[sampleVillage] != "15" || filled["灌坝社区"] != "" {
				t.Errorf("the village's template shows %v", filled)
			}
			body, ctype = multipartBody(t, map[string]string{"csrf": "wrong"}, "模板.xlsx", tmpl)
			req, _ = http.NewRequest("POST", e.ts.URL+"/reports/summary.xlsx", body)
			req.Header.Set("Content-Type", ctype)
			if res := se.village.do(req); res.StatusCode != http.StatusForbidden {
				t.Errorf("wrong csrf: %d", res.StatusCode)
			}
			body, ctype = multipartBody(t, map[string]string{"csrf": se.village.csrf()}, "x.xlsx", []byte("not a workbook"))
			req, _ = http.NewRequest("POST", e.ts.URL+"/reports/summary.xlsx", body)
			req.Header.Set("Content-Type", ctype)
			if res := se.village.do(req); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "模板") {
				t.Errorf("a template that is no workbook: %d", res.StatusCode)
			}
		})
	})
}

func TestReportAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		se := newScopedEnv(t, e)
		for _, c := range []struct {
			name, token, path string
			status            int
			code              string
		}{
			{"ErrNoToken", "", "/api/v1/reports/roster.xlsx", http.StatusUnauthorized, codeUnauthorized},
			{"ErrBadToken", "sw_nope", "/api/v1/reports/roster.xlsx", http.StatusUnauthorized, codeUnauthorized},
			{"ErrUnknownReport", se.villageToken, "/api/v1/reports/nosuch.xlsx", http.StatusNotFound, monitor.ENOTFOUND},
			{"ErrUnknownFormat", se.villageToken, "/api/v1/reports/roster.pdf", http.StatusNotFound, monitor.ENOTFOUND},
			{"ErrOtherVillage", se.villageToken, "/api/v1/reports/roster.xlsx?village=" + url.QueryEscape("灌坝社区"), http.StatusNotFound, monitor.ENOTFOUND},
			{"ErrUnmask", se.villageToken, "/api/v1/reports/roster.xlsx?unmask=1", http.StatusForbidden, monitor.EFORBIDDEN},
			{"ErrBadYear", se.countyToken, "/api/v1/reports/yearly.xlsx?year=22", http.StatusBadRequest, monitor.EINVALID},
			{"ErrBadDate", se.countyToken, "/api/v1/reports/yearly.xlsx?as_of=yesterday", http.StatusBadRequest, monitor.EINVALID},
		} {
			t.Run(c.name, func(t *testing.T) {
				st, ctype, body := e.apiGet(t, c.token, c.path)
				if st != c.status || !strings.HasPrefix(ctype, "application/json") || !strings.Contains(body, `"code":"`+c.code+`"`) {
					t.Errorf("%d %s %s, want %d JSON with code %s", st, ctype, body, c.status, c.code)
				}
			})
		}
		t.Run("Village", func(t *testing.T) {
			st, ctype, body := e.apiGet(t, se.villageToken, "/api/v1/reports/summary.xlsx?year=2022&as_of=2022-12-31")
			if st != http.StatusOK || ctype != xlsxType {
				t.Fatalf("%d %s", st, ctype)
			}
			rows := workbookRows(t, body, "统计汇总表")
			hr, village := column(t, rows, "村（社区）")
			var villages []string
			for _, r := range rows[hr+1:] {
				if len(r) > village && r[village] != "" && r[village] != "小计" && !strings.Contains(r[village], "（") {
					villages = append(villages, r[village])
				}
			}
			if len(villages) != 1 || villages[0] != sampleVillage {
				t.Errorf("the village token's summary covers %v", villages)
			}
		})
		t.Run("CountyUnmask", func(t *testing.T) {
			st, _, body := e.apiGet(t, se.countyToken, "/api/v1/reports/loans.csv?unmask=true&as_of=2024-12-31")
			if st != http.StatusOK || !strings.HasPrefix(body, "\ufeff") {
				t.Fatalf("%d %.200s", st, body)
			}
			es, _, _ := e.db.FindAudit(context.Background(), store.AuditFilter{Username: "county", Action: store.AuditRevealIDs, Object: "report:loans"})
			if len(es) != 1 || !strings.Contains(es[0].Detail, "API") {
				t.Errorf("audit %+v", es)
			}
		})
	})
}

// A report that fails before its first byte is an ordinary error answer;
// one that fails later cuts the connection, never ending a truncated file
// as if it were whole.
func TestReportStreamErrors(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var err error
	if s.pages, err = loadPages(); err != nil {
		t.Fatal(err)
	}
	rq := &reportRequest{kind: reportList[0], ext: "csv", format: 1}
	call := func(path string, write func(io.Writer) error) (rec *httptest.ResponseRecorder, aborted bool) {
		rec = httptest.NewRecorder()
		req := httptest.NewRequest("GET", path, nil)
		defer func() {
			if v := recover(); v != nil {
				aborted = v == http.ErrAbortHandler
			}
		}()
		s.stream(rec, req, rq, write)
		return rec, false
	}
	failing := errors.New("connection lost")
	rec, aborted := call("/api/v1/reports/roster.csv", func(w io.Writer) error {
		io.WriteString(w, "\ufeff乡镇（街道）\r\n")
		return failing
	})
	if aborted || rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"code":"internal"`) || rec.Header().Get("Content-Disposition") != "" {
		t.Errorf("early failure: %d %q aborted %v", rec.Code, rec.Body.String(), aborted)
	}
	rec, aborted = call("/reports/roster.csv", func(w io.Writer) error {
		return monitor.Errorf(monitor.EINVALID, "公示名单按村（社区）生成")
	})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "公示名单按村") {
		t.Errorf("invalid request: %d", rec.Code)
	}
	_, aborted = call("/reports/roster.csv", func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("x"), 200<<10))
		return failing
	})
	if !aborted {
		t.Error("a failure after the download started did not cut the connection")
	}
	rec, _ = call("/reports/roster.csv", func(w io.Writer) error {
		_, err := io.WriteString(w, "ok")
		return err
	})
	if rec.Code != http.StatusOK || rec.Body.String() != "ok" || !strings.Contains(rec.Header().Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Errorf("success: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
}
