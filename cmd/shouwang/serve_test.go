package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var startedLine = regexp.MustCompile(`守望已启动：(http://\S+)`)

// startServe runs `shouwang serve` on a free port and returns its URL, its
// output and a function that stops it and returns the exit status.
func startServe(t *testing.T, dsn string, env map[string]string, args ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	out, errOut := &syncBuffer{}, &syncBuffer{}
	app := &App{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut, Now: time.Now,
		Getenv: func(k string) string {
			if k == "SHOUWANG_DB" {
				return dsn
			}
			return env[k]
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- app.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := startedLine.FindStringSubmatch(out.String()); m != nil {
			stop := func() int {
				cancel()
				select {
				case code := <-done:
					return code
				case <-time.After(30 * time.Second):
					t.Fatal("serve did not stop within 30 s of the signal")
					return -1
				}
			}
			t.Cleanup(func() { cancel() })
			return strings.TrimSuffix(m[1], "/"), out, stop
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before starting:\n%s\n%s", code, out.String(), errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s\n%s", out.String(), errOut.String())
		}
	}
}

func TestServeEndToEnd(t *testing.T) {
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			base, out, stop := startServe(t, e.DSN, nil)
			res, err := http.Get(base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
				t.Fatalf("/healthz: %d %q", res.StatusCode, body)
			}
			res, err = http.Get(base + "/login")
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "登录") {
				t.Fatalf("/login: %d", res.StatusCode)
			}
			// The first start created admin with a printed one-time password
			// that works once and must be changed.
			m := regexp.MustCompile(`用户名：admin\s+密码：(\S+)`).FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no first login printed:\n%s", out.String())
			}
			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err = hc.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {m[1]}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/password" {
				t.Fatalf("first login: %d → %q, want /password", res.StatusCode, res.Header.Get("Location"))
			}
			if code := stop(); code != exitOK {
				t.Fatalf("serve exited with %d after the signal", code)
			}
			if !strings.Contains(out.String(), "守望已停止") {
				t.Errorf("no goodbye:\n%s", out.String())
			}
			// A second start creates nobody.
			_, out2, stop2 := startServe(t, e.DSN, nil)
			if strings.Contains(out2.String(), "首次启动") {
				t.Error("second start created another admin")
			}
			stop2()
		})
	}
}

func TestServeAdminPasswordFromEnv(t *testing.T) {
	dsn := storetest.DSNs(t)[0].DSN
	base, out, stop := startServe(t, dsn, map[string]string{"SHOUWANG_ADMIN_PASSWORD": "from the environment"})
	defer stop()
	if strings.Contains(out.String(), "from the environment") {
		t.Fatal("the password from the environment was printed")
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {"from the environment"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("login with SHOUWANG_ADMIN_PASSWORD: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestServeDemo(t *testing.T) {
	dsn := storetest.DSNs(t)[0].DSN
	_, out, stop := startServe(t, dsn, nil, "--demo")
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "演示数据：已生成 东城街道 600 户") {
		t.Fatalf("demo not loaded:\n%s", out.String())
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := db.Summarize(context.Background(), store.Everywhere)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Households != 600 || len(sum.ByVillage) != 6 || sum.Monitored == 0 || sum.OpenFlags == 0 {
		t.Fatalf("demo township: %d households, %d villages, %d monitored, %d open flags", sum.Households, len(sum.ByVillage), sum.Monitored, sum.OpenFlags)
	}
}

func TestUserCommands(t *testing.T) {
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN
			if code, _, errOut := cli(t, dsn, "user", "add", "zjj", "--role", "village", "--place", "东城街道/皂角井社区"); code != exitFailure || !strings.Contains(errOut, "不存在") {
				t.Fatalf("user add with a missing place: %d %s", code, errOut)
			}
			cli(t, dsn, "place", "add", "东城街道/皂角井社区")
			code, out, errOut := cli(t, dsn, "user", "add", "zjj", "--role", "village", "--place", "东城街道/皂角井社区")
			m := regexp.MustCompile(`一次性密码：(\S+)`).FindStringSubmatch(out)
			if code != exitOK || m == nil || !strings.Contains(out, "东城街道/皂角井社区") {
				t.Fatalf("user add: %d\n%s%s", code, out, errOut)
			}
			code, out, errOut = cliIn(t, dsn, "my own password\n", "user", "add", "town", "--role", "township", "--place", "东城街道", "--password-stdin")
			if code != exitOK || strings.Contains(out, "一次性密码") {
				t.Fatalf("user add --password-stdin: %d\n%s%s", code, out, errOut)
			}
			if code, _, errOut := cli(t, dsn, "user", "add", "bad", "--role", "mayor"); code == exitOK || !strings.Contains(errOut, "角色") {
				t.Fatalf("bad role: %d %s", code, errOut)
			}
			code, out, _ = cli(t, dsn, "token", "create", "--user", "zjj")
			if code != exitOK || !regexp.MustCompile(`^sw_[A-Za-z0-9_-]{40,}\n$`).MatchString(out) {
				t.Fatalf("token create prints %q, want only the token", out)
			}
			if code, _, _ := cli(t, dsn, "user", "passwd", "zjj"); code != exitOK {
				t.Fatalf("passwd: %d", code)
			}
			if code, _, _ := cli(t, dsn, "user", "disable", "zjj"); code != exitOK {
				t.Fatalf("disable: %d", code)
			}
			code, out, _ = cli(t, dsn, "user", "list")
			if code != exitOK || !strings.Contains(out, "zjj") || !strings.Contains(out, "已停用") || !strings.Contains(out, "乡镇") {
				t.Fatalf("user list: %d\n%s", code, out)
			}
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Authenticate(context.Background(), "town", "my own password"); err != nil {
				t.Fatalf("password from stdin: %v", err)
			}
			if es, _, _ := db.FindAudit(context.Background(), store.AuditFilter{Action: store.AuditUserDisable}); len(es) != 1 {
				t.Fatalf("disable not audited: %v", es)
			}
		})
	}
}

// cliIn is cli with standard input.
func cliIn(t *testing.T, dsn, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &App{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string {
			if k == "SHOUWANG_DB" {
				return dsn
			}
			return ""
		},
		Now: time.Now}
	code := app.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}
