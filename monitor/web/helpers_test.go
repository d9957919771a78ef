package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

const (
	sampleRoster  = "../../testdata/households.xlsx"
	samplePW      = "correct horse battery"
	sampleVillage = "皂角井社区"
	sampleTown    = "东城街道"
)

// env is a running app over a fresh database.
type env struct {
	db  *store.DB
	srv *Server
	ts  *httptest.Server
	now time.Time
}

// eachEngine runs fn on a fresh app over every database engine.
func eachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range storetest.DSNs(t) {
		t.Run(eng.Name, func(t *testing.T) { fn(t, newEnv(t, eng.DSN, Config{})) })
	}
}

func newEnv(t *testing.T, dsn string, cfg Config) *env {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, now: time.Date(2023, 1, 15, 9, 0, 0, 0, time.UTC)}
	cfg.DB = db
	cfg.Logger = slog.New(slog.NewTextHandler(testLog{t}, nil))
	cfg.Now = func() time.Time { return e.now }
	cfg.UploadDir = t.TempDir()
	if e.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// user creates an account (and its place) with samplePW.
func (e *env) user(t *testing.T, name, role, place string) *store.User {
	t.Helper()
	ctx := context.Background()
	if place != "" {
		if _, err := e.db.AddPlacePath(ctx, place); err != nil {
			t.Fatal(err)
		}
	}
	u, err := e.db.CreateUser(ctx, store.NewUser{Username: name, Role: role, PlacePath: place, Password: samplePW})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// client is a browser: it keeps cookies and does not follow redirects, so
// tests see them.
type client struct {
	t   *testing.T
	e   *env
	hc  *http.Client
	jar *cookiejar.Jar
}

func (e *env) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, e: e, jar: jar, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a read response.
type response struct {
	*http.Response
	body string
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &response{res, string(b)}
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.e.ts.URL+path, nil)
	return c.do(req)
}

func (c *client) postForm(path string, form url.Values) *response {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.e.ts.URL)
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

// login signs in and expects to land on the dashboard.
func (c *client) login(name, pw string) {
	c.t.Helper()
	res := c.postForm("/login", url.Values{"username": {name}, "password": {pw}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303\n%s", name, res.StatusCode, res.body)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token from a page.
func (c *client) csrf() string {
	c.t.Helper()
	res := c.get("/imports")
	m := csrfField.FindStringSubmatch(res.body)
	if m == nil {
		c.t.Fatalf("no csrf field on /imports (status %d)", res.StatusCode)
	}
	return m[1]
}

// multipartBody builds a form with fields first and then the file.
func multipartBody(t *testing.T, fields map[string]string, fileName string, data []byte) (io.Reader, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileName != "" {
		w, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// upload sends a file to the dry run; fields may add kind.
func (c *client) upload(fileName string, data []byte) *response {
	c.t.Helper()
	body, ctype := multipartBody(c.t, map[string]string{"csrf": c.csrf()}, fileName, data)
	req, _ := http.NewRequest("POST", c.e.ts.URL+"/uploads", body)
	req.Header.Set("Content-Type", ctype)
	return c.do(req)
}

// uploadID is the id in the dry run's redirect.
func uploadID(t *testing.T, res *response) string {
	t.Helper()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/uploads/") {
		t.Fatalf("upload: status %d location %q, want a redirect to the dry run\n%s", res.StatusCode, loc, res.body)
	}
	return strings.TrimPrefix(loc, "/uploads/")
}

// importSample dry-runs and commits the sample roster with skip-invalid
// and returns the upload id.
func (c *client) importSample() string {
	c.t.Helper()
	id := uploadID(c.t, c.upload("households.xlsx", readFile(c.t, sampleRoster)))
	res := c.postForm("/uploads/"+id+"/commit", url.Values{"csrf": {c.csrf()}, "mode": {"skip"}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("commit: status %d\n%s", res.StatusCode, res.body)
	}
	return id
}

// api calls the JSON API with a bearer token.
func (e *env) api(t *testing.T, token, method, path string, body io.Reader, ctype string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: not JSON (%v): %s", method, path, err, b)
	}
	return res.StatusCode, out
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// answers is the part of testdata/answers.json these tests check.
type answers struct {
	HouseholdsValid int `json:"households_valid"`
	Rejected        []struct {
		Code string `json:"household_code"`
	} `json:"rejected"`
	MonitoredByCategory map[string]int `json:"monitored_by_category"`
	HouseholdsByVillage map[string]int `json:"households_by_village"`
}

func loadAnswers(t *testing.T) answers {
	var a answers
	if err := json.Unmarshal(readFile(t, "../../testdata/answers.json"), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// importDirect writes households through the store, for tests that need
// data the importer would refuse or that is not in the sample.
func importDirect(t *testing.T, db *store.DB, hs ...*monitor.Household) {
	t.Helper()
	batch := make([]monitor.ImportHousehold, len(hs))
	for i, h := range hs {
		batch[i] = monitor.ImportHousehold{Household: h, Row: i + 2, MemberRows: make([]int, len(h.Members))}
	}
	rep := &monitor.ImportReport{Kind: monitor.KindHouseholds, Households: monitor.HouseholdCounts{InFile: len(hs)}}
	if err := db.ImportHouseholds(context.Background(), rep, batch, store.ImportOptions{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
}

// testLog sends the server's log to the test's, shown when it fails.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
