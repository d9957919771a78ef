package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/synth"
)

func TestUploadDryRunThenCommit(t *testing.T) {
	want := loadAnswers(t)
	eachEngine(t, func(t *testing.T, e *env) {
		e.user(t, "county", store.RoleCounty, "")
		c := e.client(t)
		c.login("county", samplePW)
		id := uploadID(t, c.upload("households.xlsx", readFile(t, sampleRoster)))

		page := c.get("/uploads/" + id)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("dry run page: %d", page.StatusCode)
		}
		for _, r := range want.Rejected {
			if !strings.Contains(page.body, r.Code) {
				t.Errorf("dry run does not name rejected household %s", r.Code)
			}
		}
		if !strings.Contains(page.body, `id="rejected">6<`) || !strings.Contains(page.body, "尚未写入") {
			t.Error("dry run does not show 6 rejected households and that nothing is written yet")
		}
		for _, col := range []string{"工作表", "行", "列", "值", "代码", "说明", "id_checksum", "id_numeric", "id_duplicate", "negative_amount", "unknown_value"} {
			if !strings.Contains(page.body, col) {
				t.Errorf("dry run error table lacks %q", col)
			}
		}
		if n, _, _ := e.db.CountRegistry(context.Background()); n != 0 {
			t.Fatalf("dry run wrote %d households", n)
		}

		t.Run("ErrorWorkbook", func(t *testing.T) {
			res := c.get("/uploads/" + id + "/errors.xlsx")
			if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("error workbook: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
			}
			x, err := excelize.OpenReader(strings.NewReader(res.body))
			if err != nil {
				t.Fatalf("error workbook does not open: %v", err)
			}
			defer x.Close()
			comments, _ := x.GetComments("花名册")
			if len(comments) < 6 {
				t.Errorf("error workbook has %d comments, want one per bad cell (≥ 6)", len(comments))
			}
			if other := e.client(t); true {
				e.user(t, "other", store.RoleCounty, "")
				other.login("other", samplePW)
				if res := other.get("/uploads/" + id + "/errors.xlsx"); res.StatusCode != http.StatusNotFound {
					t.Fatalf("another user's upload: %d, want 404", res.StatusCode)
				}
			}
		})

		res := c.postForm("/uploads/"+id+"/commit", url.Values{"csrf": {c.csrf()}})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("commit without a mode: %d, want 400 (the choice is explicit)", res.StatusCode)
		}
		res = c.postForm("/uploads/"+id+"/commit", url.Values{"csrf": {c.csrf()}, "mode": {"all"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("commit all: %d", res.StatusCode)
		}
		if n, _, _ := e.db.CountRegistry(context.Background()); n != 0 {
			t.Fatalf("all-or-nothing with rejected households wrote %d", n)
		}
		if page := c.get("/uploads/" + id); !strings.Contains(page.body, "未写入任何数据") {
			t.Error("the refused all-or-nothing commit is not explained")
		}
		res = c.postForm("/uploads/"+id+"/commit", url.Values{"csrf": {c.csrf()}, "mode": {"skip"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("commit skip: %d", res.StatusCode)
		}
		if n, _, _ := e.db.CountRegistry(context.Background()); n != want.HouseholdsValid {
			t.Fatalf("households after skip-invalid: %d, want %d", n, want.HouseholdsValid)
		}
		if page := c.get("/uploads/" + id); !strings.Contains(page.body, "已写入") {
			t.Error("commit result page does not say it was written")
		}
		// A second click changes nothing.
		c.postForm("/uploads/"+id+"/commit", url.Values{"csrf": {c.csrf()}, "mode": {"skip"}})
		if hist := c.get("/imports"); strings.Count(hist.body, "households.xlsx") != 1 {
			t.Errorf("import history lists the file %d times, want once", strings.Count(hist.body, "households.xlsx"))
		}
		if entries, _, _ := e.db.FindAudit(context.Background(), store.AuditFilter{Action: store.AuditImport}); len(entries) != 1 || entries[0].Username != "county" {
			t.Errorf("audit of the import: %+v", entries)
		}

		t.Run("DashboardMatchesAnswers", func(t *testing.T) {
			dash := c.get("/")
			for cat, n := range want.MonitoredByCategory {
				if s := fmt.Sprintf("<title>%s：%d 户</title>", cat, n); !strings.Contains(dash.body, s) {
					t.Errorf("dashboard lacks %s", s)
				}
				list := c.get("/households" + queryString("category", cat))
				if !strings.Contains(list.body, fmt.Sprintf(`id="total">%d<`, n)) {
					t.Errorf("the list behind %s does not show %d households", cat, n)
				}
			}
			for v, n := range want.HouseholdsByVillage {
				if s := fmt.Sprintf("<title>东城街道 %s：%d 户", v, n); !strings.Contains(dash.body, s) {
					t.Errorf("dashboard lacks %s", s)
				}
				list := c.get("/households" + queryString("township", "东城街道", "village", v))
				if !strings.Contains(list.body, fmt.Sprintf(`id="total">%d<`, n)) {
					t.Errorf("the list behind %s does not show %d households", v, n)
				}
			}
			if !strings.Contains(dash.body, `href="/households?category=%E8%BE%B9%E7%BC%98%E6%98%93%E8%87%B4%E8%B4%AB%E6%88%B7"`) {
				t.Error("the 边缘易致贫户 bar does not link to its list")
			}
		})
	})
}

// villageUser makes a 村级 user for 东城街道/皂角井社区 and logs in.
func villageUser(t *testing.T, e *env) *client {
	e.user(t, "zjj", store.RoleVillage, sampleTown+"/"+sampleVillage)
	c := e.client(t)
	c.login("zjj", samplePW)
	return c
}

func TestVillageUploadKeepsToVillage(t *testing.T) {
	want := loadAnswers(t)
	eachEngine(t, func(t *testing.T, e *env) {
		c := villageUser(t, e)
		id := c.importSample()
		ctx := context.Background()
		hs, total, err := e.db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if total != want.HouseholdsByVillage[sampleVillage] {
			t.Errorf("a village user wrote %d households, want %s's %d", total, sampleVillage, want.HouseholdsByVillage[sampleVillage])
		}
		for _, h := range hs {
			if h.Village != sampleVillage {
				t.Errorf("household %s of %s was written by the %s user", h.Code, h.Village, sampleVillage)
			}
		}
		page := c.get("/uploads/" + id)
		if n := strings.Count(page.body, ">out_of_scope<"); n != want.HouseholdsValid-want.HouseholdsByVillage[sampleVillage] {
			t.Errorf("%d out_of_scope errors, want one per valid household of another village (%d)", n, want.HouseholdsValid-want.HouseholdsByVillage[sampleVillage])
		}
		if !strings.Contains(page.body, "本户（文件中为东城街道/灌坝社区）不属于您管辖的村（社区）（东城街道/皂角井社区）") {
			t.Error("out_of_scope message does not name the village")
		}
		// Whole-file checks still saw every row: the duplicated ID between
		// two other villages rejected both, as id_duplicate.
		if strings.Count(page.body, ">id_duplicate<") != 2 {
			t.Error("the in-file duplicate was not reported for both households")
		}
	})
}

// TestDuplicateAcrossScope: the same ID in a household of the user's village
// and one outside it rejects both, and says so.
func TestDuplicateAcrossScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		cfg := synth.Config{Seed: 7, Households: 12, Townships: []string{"东城街道"}, VillagesPer: 2}
		hs := synth.Households(cfg)
		mine, other := hs[0], hs[len(hs)-1]
		if mine.Village == other.Village {
			t.Fatal("synth put both households in one village")
		}
		var buf bytes.Buffer
		if _, err := synth.WriteRosterCSV(&buf, cfg); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		idCol, codeCol := -1, -1
		for i, h := range rows[0] {
			switch h {
			case "证件号码":
				idCol = i
			case "户编号":
				codeCol = i
			}
		}
		shared := mine.Members[0].IDNumber
		for _, r := range rows[1:] {
			if r[codeCol] == other.Code && r[idCol] == other.Members[0].IDNumber {
				r[idCol] = shared
			}
		}
		var out bytes.Buffer
		csv.NewWriter(&out).WriteAll(rows)

		e.user(t, "v", store.RoleVillage, mine.Township+"/"+mine.Village)
		c := e.client(t)
		c.login("v", samplePW)
		id := uploadID(t, c.upload("roster.csv", out.Bytes()))
		page := c.get("/uploads/" + id)
		for _, code := range []string{mine.Code, other.Code} {
			if !strings.Contains(page.body, "另见第") || !strings.Contains(page.body, code) {
				t.Errorf("duplicate across the scope: household %s not rejected by name", code)
			}
		}
		if !strings.Contains(page.body, ">id_duplicate<") {
			t.Error("no id_duplicate error")
		}
		c.postForm("/uploads/"+id+"/commit", url.Values{"csrf": {c.csrf()}, "mode": {"skip"}})
		if _, err := e.db.FindHouseholdByCode(context.Background(), store.Everywhere, mine.Code); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Errorf("household %s with the duplicated ID was written", mine.Code)
		}
	})
}

// zipBomb is a workbook whose sheet inflates far beyond any real roster.
func zipBomb(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	add("_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write([]byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`))
	pad := bytes.Repeat([]byte(" "), 1<<20)
	for range 300 { // 300 MiB of spaces compress to about 300 KiB
		w.Write(pad)
	}
	w.Write([]byte(`</sheetData></worksheet>`))
	zw.Close()
	return buf.Bytes()
}

func TestUploadRefusals(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/r.db", Config{MaxUploadBytes: 1 << 20})
	e.user(t, "county", store.RoleCounty, "")
	c := e.client(t)
	c.login("county", samplePW)
	for _, tc := range []struct {
		name   string
		file   string
		data   []byte
		status int
		want   string
	}{
		{"ErrTooLarge", "big.xlsx", bytes.Repeat([]byte("x"), 2<<20), http.StatusRequestEntityTooLarge, "文件超过上传上限 1 MB"},
		{"ErrZipBomb", "bomb.xlsx", zipBomb(t), http.StatusBadRequest, "压缩炸弹"},
		{"ErrNotWorkbook", "photo.xlsx", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 3}, 500)...), http.StatusBadRequest, "请上传 .xlsx、.xlsm 或 .csv 格式的表格"},
		{"ErrEmpty", "empty.xlsx", nil, http.StatusBadRequest, "空的"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.upload(tc.file, tc.data)
			if res.StatusCode != tc.status || !strings.Contains(res.body, tc.want) {
				t.Fatalf("%s: %d, want %d with %q\n%s", tc.name, res.StatusCode, tc.status, tc.want, res.body)
			}
		})
	}
	t.Run("API", func(t *testing.T) {
		token, _ := e.db.CreateToken(context.Background(), "county", "")
		body, ctype := multipartBody(t, nil, "bomb.xlsx", zipBomb(t))
		st, out := e.api(t, token, "POST", "/api/v1/imports?kind=households", body, ctype)
		if st != http.StatusBadRequest || out["code"] != "zip_bomb" || !strings.Contains(fmt.Sprint(out["error"]), "压缩炸弹") {
			t.Fatalf("API zip bomb: %d %v", st, out)
		}
	})
}

func TestScriptInNamesIsEscaped(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		h := synth.Households(synth.Config{Seed: 3, Households: 1, Townships: []string{"东城街道"}, VillagesPer: 1})[0]
		h.HeadName = `<script>alert("x")</script>`
		h.Members[0].Name = h.HeadName
		importDirect(t, e.db, h)
		e.user(t, "county", store.RoleCounty, "")
		c := e.client(t)
		c.login("county", samplePW)
		for _, path := range []string{"/households", "/households/" + h.Code} {
			res := c.get(path)
			if strings.Contains(res.body, "<script>alert") {
				t.Errorf("%s renders the name as markup", path)
			}
			if !strings.Contains(res.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
				t.Errorf("%s does not show the name as text", path)
			}
		}
	})
}

func TestDepartmentListNeedsCounty(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/d.db", Config{})
	c := villageUser(t, e)
	res := c.upload("medical_push.xlsx", readFile(t, "../../testdata/medical_push.xlsx"))
	if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "请由区县或管理员账号导入") {
		t.Fatalf("village user uploading a department list: %d\n%s", res.StatusCode, res.body)
	}
	e.user(t, "county", store.RoleCounty, "")
	county := e.client(t)
	county.login("county", samplePW)
	id := uploadID(t, county.upload("medical_push.xlsx", readFile(t, "../../testdata/medical_push.xlsx")))
	if page := county.get("/uploads/" + id); !strings.Contains(page.body, "部门名单：医保局大额医疗费用") {
		t.Fatal("the department list was not recognised")
	}
}
