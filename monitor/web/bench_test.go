package web

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/synth"
)

// The registry of the load benchmark: about 286,000 households, a little
// over 1,000,000 members, kept in a schema of its own between runs.
const (
	benchSchema     = "bench_web"
	benchHouseholds = 286000
	benchSeed       = 42
	benchClients    = 50
	benchPW         = "bench load password"
	// The uploaded roster is of another region, so its households and
	// people are new to the registry; they are removed again after the
	// upload, so every run creates the same 10,000 households.
	uploadRegion     = "500199"
	uploadHouseholds = 10000
)

// BenchmarkWebLoad measures the web app as people use it, over PostgreSQL
// holding 1,000,000 members: the real server (middleware, sessions and
// tokens, scope) on a loopback port, and 50 concurrent clients without
// think time, each endpoint on its own for SHOUWANG_BENCH_SECONDS (default
// 20) seconds: household search by full name, ID tail and 户编号 (page as
// a county and as a village user, and API), a surname alone (API), the
// household list without a search (all, monitored, one village, flagged,
// page 40), and the dashboard of the county and of a village. It reports
// p50, p95, p99 and throughput per endpoint, and where the two cores went.
// The upload sub-benchmark sends a generated 10,000-household roster
// through the web page: dry run, then commit (with the re-evaluation it
// starts).
//
// The registry is seeded once into the schema bench_web and reused.
//
//	SHOUWANG_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	  go test ./monitor/web -run '^$' -bench WebLoad -benchtime 1x -timeout 60m
func BenchmarkWebLoad(b *testing.B) {
	base := storetest.PostgresURL()
	if base == "" {
		b.Skip("BenchmarkWebLoad needs PostgreSQL: set SHOUWANG_TEST_POSTGRES (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	ctx := context.Background()
	dsn := persistentSchema(b, base, benchSchema)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	seedRegistry(b, db)
	raw, err := sql.Open("postgres", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	removeUploaded(b, raw) // left over by an interrupted run

	county, village := benchUsers(b, db, raw)
	app, err := New(Config{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- app.Serve(sctx, ln) }()
	defer func() { stop(); <-served }()
	baseURL := "http://" + ln.Addr().String()

	countyToken, err := db.CreateToken(ctx, county.Username, "bench")
	if err != nil {
		b.Fatal(err)
	}
	countySessions := benchSessions(b, db, county)
	villageSessions := benchSessions(b, db, village)
	qs := benchQueries(b, raw, store.Everywhere)
	vqs := benchQueries(b, raw, village.Scope())
	// A surname alone finds up to a tenth of the registry: searched apart.
	var surnames []string
	rows, err := raw.Query(`SELECT substr(name, 1, 1) FROM members GROUP BY substr(name, 1, 1) ORDER BY COUNT(*) DESC LIMIT 20`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		surnames = append(surnames, s)
	}
	rows.Close()
	browse := []benchQuery{{"", "all"}, {"?category=any", "monitored"}, {"?page=40", "page40"},
		{"?" + url.Values{"township": {village.Scope().Township}, "village": {village.Scope().Village}}.Encode(), "village"},
		{"?flag=any", "flagged"}}
	b.Logf("registry: %s; %d search queries (county), %d (village %s)", registrySize(raw), len(qs), len(vqs), village.Scope())

	loads := []struct {
		name string
		req  func(client, i int) (*http.Request, string)
	}{
		{"search_page", func(c, i int) (*http.Request, string) {
			q := qs[(c*31+i)%len(qs)]
			return sessionGet(baseURL+"/households?q="+url.QueryEscape(q.text), countySessions[c]), q.kind
		}},
		{"search_api", func(c, i int) (*http.Request, string) {
			q := qs[(c*17+i*7)%len(qs)]
			r, _ := http.NewRequest("GET", baseURL+"/api/v1/households?q="+url.QueryEscape(q.text), nil)
			r.Header.Set("Authorization", "Bearer "+countyToken)
			return r, q.kind
		}},
		{"search_page_village", func(c, i int) (*http.Request, string) {
			q := vqs[(c*31+i)%len(vqs)]
			return sessionGet(baseURL+"/households?q="+url.QueryEscape(q.text), villageSessions[c]), q.kind
		}},
		{"search_surname_api", func(c, i int) (*http.Request, string) {
			q := surnames[(c*7+i)%len(surnames)]
			r, _ := http.NewRequest("GET", baseURL+"/api/v1/households?q="+url.QueryEscape(q), nil)
			r.Header.Set("Authorization", "Bearer "+countyToken)
			return r, "surname"
		}},
		{"browse_page", func(c, i int) (*http.Request, string) {
			q := browse[(c*7+i)%len(browse)]
			return sessionGet(baseURL+"/households"+q.text, countySessions[c]), q.kind
		}},
		{"dashboard_county", func(c, i int) (*http.Request, string) {
			return sessionGet(baseURL+"/", countySessions[c]), ""
		}},
		{"dashboard_village", func(c, i int) (*http.Request, string) {
			return sessionGet(baseURL+"/", villageSessions[c]), ""
		}},
	}
	for _, l := range loads {
		b.Run(l.name, func(b *testing.B) {
			for range b.N {
				res := runLoad(b, raw, benchClients, benchDuration(), l.req)
				res.report(b)
			}
		})
	}
	b.Run("upload_10000", func(b *testing.B) {
		path := uploadRoster(b)
		for range b.N {
			benchUpload(b, raw, baseURL, county, path)
			removeUploaded(b, raw)
		}
	})
}

func benchDuration() time.Duration {
	if s := os.Getenv("SHOUWANG_BENCH_SECONDS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 20 * time.Second
}

// persistentSchema creates schema on the server unless it is there and
// returns a DSN whose search_path points into it. It is never dropped.
func persistentSchema(b *testing.B, base, schema string) string {
	b.Helper()
	admin, err := sql.Open("postgres", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema); err != nil {
		b.Fatalf("postgres at %s: %v", base, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", benchApp)
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// seedRegistry writes the generated households through the store's import
// path, 50,000 at a time, resuming after the households already there (the
// generator is deterministic and chunks commit in order), then evaluates
// them once so that flags exist.
func seedRegistry(b *testing.B, db *store.DB) {
	b.Helper()
	ctx := context.Background()
	have, _, err := db.CountRegistry(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if have < benchHouseholds {
		start := time.Now()
		var batch []monitor.ImportHousehold
		flush := func() {
			rep := &monitor.ImportReport{Kind: monitor.KindHouseholds}
			if err := db.ImportHouseholds(ctx, rep, batch, store.ImportOptions{Actor: "bench", SkipInvalid: true}); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
		i := 0
		err := synth.Each(synth.Config{Seed: benchSeed, Households: benchHouseholds}, func(h *monitor.Household) error {
			if i++; i <= have {
				return nil
			}
			batch = append(batch, monitor.ImportHousehold{Household: h, MemberRows: make([]int, len(h.Members))})
			if len(batch) == 50000 {
				flush()
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(batch) > 0 {
			flush()
		}
		b.Logf("seeded %d households in %s", benchHouseholds-have, time.Since(start).Round(time.Second))
	}
	if _, ok, err := db.MonitoringDate(ctx); err != nil {
		b.Fatal(err)
	} else if !ok {
		start := time.Now()
		if _, err := watch.Evaluate(ctx, db, monitor.Date{Year: 2023, Month: 6, Day: 30}, store.EvalScope{}); err != nil {
			b.Fatal(err)
		}
		if err := db.Analyze(ctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("evaluated in %s", time.Since(start).Round(time.Second))
	}
}

func registrySize(raw *sql.DB) string {
	var hs, ms, open int
	raw.QueryRow(`SELECT (SELECT COUNT(*) FROM households), (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM flags WHERE status = 'open')`).Scan(&hs, &ms, &open)
	return fmt.Sprintf("%d households, %d members, %d open flags", hs, ms, open)
}

// benchUsers returns the county user and a village user of the largest
// village, creating them the first time.
func benchUsers(b *testing.B, db *store.DB, raw *sql.DB) (county, village *store.User) {
	b.Helper()
	ctx := context.Background()
	var township, vil string
	if err := raw.QueryRow(`SELECT township, village FROM households GROUP BY township, village ORDER BY COUNT(*) DESC, township, village LIMIT 1`).Scan(&township, &vil); err != nil {
		b.Fatal(err)
	}
	get := func(name, role, place string) *store.User {
		if u, err := db.FindUserByName(ctx, name); err == nil {
			return u
		}
		if _, err := db.CreateUser(ctx, store.NewUser{Username: name, Role: role, PlacePath: place, Password: benchPW}); err != nil {
			b.Fatal(err)
		}
		u, err := db.FindUserByName(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	return get("bench_county", store.RoleCounty, ""), get("bench_village", store.RoleVillage, township+"/"+vil)
}

// benchSessions starts one session per client, as 50 people logged in.
func benchSessions(b *testing.B, db *store.DB, u *store.User) []string {
	b.Helper()
	out := make([]string, benchClients)
	for i := range out {
		tok, _, err := db.CreateSession(context.Background(), u.ID, "127.0.0.1", "bench", 12*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = tok
	}
	return out
}

func sessionGet(u, token string) *http.Request {
	r, _ := http.NewRequest("GET", u, nil)
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	return r
}

// benchQuery is one search a user types, and what kind of search it is.
type benchQuery struct{ text, kind string }

// benchQueries picks searches people make, spread over the registry (every
// ~5,000th member of scope): full names, the last 4 and the last 6 digits
// of an ID number, a 户编号, and names that are not there.
func benchQueries(b *testing.B, raw *sql.DB, scope store.Scope) []benchQuery {
	b.Helper()
	where, args := "1 = 1", []any{}
	if !scope.All {
		where, args = "h.township = $1 AND h.village = $2", []any{scope.Township, scope.Village}
	}
	var total int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM members m JOIN households h ON h.id = m.household_id WHERE `+where, args...).Scan(&total); err != nil {
		b.Fatal(err)
	}
	step := max(1, total/200)
	rows, err := raw.Query(`SELECT name, id_number, code FROM (SELECT m.name, m.id_number, h.code, ROW_NUMBER() OVER (ORDER BY m.id) AS n
		FROM members m JOIN households h ON h.id = m.household_id WHERE `+where+`) x WHERE n % `+strconv.Itoa(step)+` = 0`, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []benchQuery
	misses := []string{"欧阳无名", "司马不在", "诸葛查无"}
	for i := 0; rows.Next(); i++ {
		var name, id, code string
		if err := rows.Scan(&name, &id, &code); err != nil {
			b.Fatal(err)
		}
		switch i % 5 {
		case 0, 1:
			out = append(out, benchQuery{name, "name"})
		case 2:
			out = append(out, benchQuery{id[len(id)-4:], "id4"})
		case 3:
			out = append(out, benchQuery{id[len(id)-6:], "id6"})
		case 4:
			out = append(out, benchQuery{code, "code"})
		}
		if i%20 == 0 {
			out = append(out, benchQuery{misses[i/20%len(misses)], "miss"})
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	if len(out) == 0 {
		b.Fatal("no members to search for")
	}
	return out
}

// loadResult is what one endpoint did under load.
type loadResult struct {
	lat    []time.Duration
	byKind map[string][]time.Duration
	errs   int
	first  string // the first failure
	bytes  int64
	took   time.Duration
	cpu    string
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *loadResult) report(b *testing.B) {
	slices.Sort(r.lat)
	b.ReportMetric(ms(pct(r.lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(pct(r.lat, 0.95)), "p95-ms")
	b.ReportMetric(ms(pct(r.lat, 0.99)), "p99-ms")
	b.ReportMetric(ms(pct(r.lat, 1)), "max-ms")
	b.ReportMetric(float64(len(r.lat))/r.took.Seconds(), "req/s")
	b.ReportMetric(float64(r.errs), "errors")
	b.ReportMetric(0, "ns/op")
	kinds := make([]string, 0, len(r.byKind))
	for k := range r.byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	line := ""
	for _, k := range kinds {
		l := r.byKind[k]
		slices.Sort(l)
		line += fmt.Sprintf(" %s n=%d p50=%.1f p99=%.1f;", k, len(l), ms(pct(l, 0.5)), ms(pct(l, 0.99)))
	}
	load, _ := os.ReadFile("/proc/loadavg")
	b.Logf("%d requests in %s, %.0f KB/request;%s load average %s; %s", len(r.lat), r.took.Round(time.Millisecond),
		float64(r.bytes)/float64(max(1, len(r.lat)))/1024, line, strings.Join(strings.Fields(string(load))[:3], " "), r.cpu)
	if r.errs > 0 {
		b.Errorf("%d failed requests; the first: %s", r.errs, r.first)
	}
}

// benchApp names the benchmark's connections to PostgreSQL, so that the
// work of their server processes is told from other work on the server.
const benchApp = "shouwang-bench"

// cpuSample is where the machine's cores went, in clock ticks since boot:
// busy in all, in this process (server and load generator), in the
// PostgreSQL processes serving it, and in other PostgreSQL processes
// (other databases' clients, autovacuum, parallel workers that ended); the
// rest is other work on the machine.
type cpuSample struct{ busy, total, self, pg, pgOther float64 }

// sampleCPU reads /proc; raw finds the benchmark's server processes.
func sampleCPU(raw *sql.DB) cpuSample {
	var c cpuSample
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		for i, v := range f[1:] {
			n, _ := strconv.ParseFloat(v, 64)
			c.total += n
			if i != 3 && i != 4 { // idle, iowait
				c.busy += n
			}
		}
	}
	ticks := func(stat []byte, children bool) float64 {
		// Fields after the command, which is in parentheses: utime and
		// stime are the 12th and 13th, then cutime and cstime, the time
		// of children that ended (counted by PostgreSQL's postmaster).
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 15 {
			return 0
		}
		n := 0.0
		for i, v := range f[11:15] {
			if i < 2 || children {
				x, _ := strconv.ParseFloat(v, 64)
				n += x
			}
		}
		return n
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		c.self = ticks(b, false)
	}
	mine := map[string]bool{}
	if rows, err := raw.Query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, benchApp); err == nil {
		for rows.Next() {
			var pid string
			rows.Scan(&pid)
			mine[pid] = true
		}
		rows.Close()
	}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		if comm, err := os.ReadFile("/proc/" + d.Name() + "/comm"); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			if b, err := os.ReadFile("/proc/" + d.Name() + "/stat"); err == nil {
				if mine[d.Name()] {
					c.pg += ticks(b, false)
				} else {
					c.pgOther += ticks(b, true)
				}
			}
		}
	}
	return c
}

// cores is how many cores each part kept busy between a and b.
func (a cpuSample) cores(b cpuSample) string {
	if b.total <= a.total {
		return "cpu: unknown"
	}
	ncpu := float64(runtime.NumCPU())
	per := func(x float64) float64 { return x / (b.total - a.total) * ncpu }
	busy, self, pg, other := per(b.busy-a.busy), per(b.self-a.self), per(b.pg-a.pg), per(b.pgOther-a.pgOther)
	return fmt.Sprintf("cores busy %.2f of %.0f: this process %.2f, its postgres %.2f, other postgres %.2f, other work %.2f",
		busy, ncpu, self, pg, other, max(0, busy-self-pg-other))
}

// runLoad runs clients concurrent clients for d, each sending the
// requests req makes one after the other, without think time.
func runLoad(b *testing.B, raw *sql.DB, clients int, d time.Duration, req func(client, i int) (*http.Request, string)) *loadResult {
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// One request per client first, so connections are open and the
	// first-minute session write is done before the clock starts.
	for c := range clients {
		r, _ := req(c, 0)
		if res, err := hc.Do(r); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	var mu sync.Mutex
	out := &loadResult{byKind: map[string][]time.Duration{}}
	var wg sync.WaitGroup
	cpu0 := sampleCPU(raw)
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Go(func() {
			var lat []time.Duration
			byKind := map[string][]time.Duration{}
			var errs int
			var first string
			var n int64
			for i := 1; time.Now().Before(deadline); i++ {
				r, kind := req(c, i)
				t0 := time.Now()
				res, err := hc.Do(r)
				if err == nil {
					var k int64
					k, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					n += k
					if err == nil && res.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s: status %d", r.URL.RequestURI(), res.StatusCode)
					}
				}
				el := time.Since(t0)
				if err != nil {
					if errs++; first == "" {
						first = err.Error()
					}
					continue
				}
				lat = append(lat, el)
				if kind != "" {
					byKind[kind] = append(byKind[kind], el)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			out.lat = append(out.lat, lat...)
			for k, l := range byKind {
				out.byKind[k] = append(out.byKind[k], l...)
			}
			out.errs += errs
			out.bytes += n
			if out.first == "" {
				out.first = first
			}
		})
	}
	wg.Wait()
	out.took = time.Since(start)
	out.cpu = cpu0.cores(sampleCPU(raw))
	return out
}

// uploadRoster writes (once per machine) the 10,000-household roster.
func uploadRoster(b *testing.B) string {
	b.Helper()
	p := filepath.Join(os.TempDir(), fmt.Sprintf("shouwang-bench-upload-%s-%d-v1.xlsx", uploadRegion, uploadHouseholds))
	if _, err := os.Stat(p); err == nil {
		return p
	}
	f, err := os.Create(p + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := synth.WriteRoster(f, synth.Config{Seed: 7, Households: uploadHouseholds, Region: uploadRegion}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		b.Fatal(err)
	}
	return p
}

// benchUpload does what a county user does in the browser: log in, open
// the import page, upload the roster (dry run), look at the result, commit
// (all or nothing) and look at the result again. It reports the seconds of
// each step and of the whole.
func benchUpload(b *testing.B, raw *sql.DB, baseURL string, u *store.User, path string) {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, ctype string, body io.Reader, want int) string {
		req, _ := http.NewRequest(method, baseURL+path, body)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		page, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			b.Fatalf("%s %s: status %d, want %d\n%.2000s", method, path, res.StatusCode, want, page)
		}
		if want == http.StatusSeeOther {
			return res.Header.Get("Location")
		}
		return string(page)
	}
	csrf := func() string {
		m := csrfField.FindStringSubmatch(do("GET", "/imports", "", nil, http.StatusOK))
		if m == nil {
			b.Fatal("no csrf field on /imports")
		}
		return m[1]
	}
	form := url.Values{"username": {u.Username}, "password": {benchPW}}
	do("POST", "/login", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), http.StatusSeeOther)

	cpu0 := sampleCPU(raw)
	start := time.Now()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf())
	fw, _ := mw.CreateFormFile("file", filepath.Base(path))
	fw.Write(data)
	mw.Close()
	loc := do("POST", "/uploads", mw.FormDataContentType(), &buf, http.StatusSeeOther)
	if !strings.HasPrefix(loc, "/uploads/") {
		b.Fatalf("upload: redirected to %q, want the dry run", loc)
	}
	page := do("GET", loc, "", nil, http.StatusOK)
	dry := time.Since(start)
	if !strings.Contains(page, "尚未写入") {
		b.Fatalf("the dry run page does not say nothing is written yet:\n%.2000s", page)
	}
	t1 := time.Now()
	commit := url.Values{"csrf": {csrf()}, "mode": {"all"}}
	do("POST", loc+"/commit", "application/x-www-form-urlencoded", strings.NewReader(commit.Encode()), http.StatusSeeOther)
	page = do("GET", loc, "", nil, http.StatusOK)
	committed := time.Since(t1)
	total := time.Since(start)
	if strings.Contains(page, "尚未写入") {
		b.Fatalf("the commit wrote nothing:\n%.3000s", page)
	}
	b.ReportMetric(dry.Seconds(), "dry-run-s")
	b.ReportMetric(committed.Seconds(), "commit-s")
	b.ReportMetric(total.Seconds(), "total-s")
	b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
	b.ReportMetric(0, "ns/op")
	load, _ := os.ReadFile("/proc/loadavg")
	b.Logf("upload of %d households: dry run %.1f s, commit %.1f s, total %.1f s; load average %s; %s", uploadHouseholds,
		dry.Seconds(), committed.Seconds(), total.Seconds(), strings.Join(strings.Fields(string(load))[:3], " "), cpu0.cores(sampleCPU(raw)))
}

// removeUploaded deletes the households the upload benchmark created (the
// uploaded region's), with everything hanging on them, so the next run
// creates them again. Places and the import's record stay.
func removeUploaded(b *testing.B, raw *sql.DB) {
	b.Helper()
	like := uploadRegion + "%"
	ids := `SELECT id FROM households WHERE code LIKE $1`
	for _, q := range []string{
		`DELETE FROM case_steps WHERE case_id IN (SELECT id FROM cases WHERE household_id IN (` + ids + `))`,
		`DELETE FROM cases WHERE household_id IN (` + ids + `)`,
		`DELETE FROM flags WHERE household_id IN (` + ids + `)`,
		`DELETE FROM incomes WHERE household_id IN (` + ids + `)`,
		`DELETE FROM members WHERE household_id IN (` + ids + `)`,
		`DELETE FROM changes WHERE household_code LIKE $1`,
		`DELETE FROM households WHERE code LIKE $1`,
	} {
		if _, err := raw.Exec(q, like); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}
