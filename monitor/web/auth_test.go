package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor/store"
)

func TestLogin(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user(t, "admin", store.RoleAdmin, "")
		t.Run("OK", func(t *testing.T) {
			c := e.client(t)
			if res := c.get("/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Fatalf("anonymous dashboard: %d %s, want a redirect to /login", res.StatusCode, res.Header.Get("Location"))
			}
			c.login("admin", samplePW)
			if res := c.get("/"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "首页") {
				t.Fatalf("dashboard after login: %d", res.StatusCode)
			}
		})
		t.Run("ErrBadPassword", func(t *testing.T) {
			c := e.client(t)
			res := c.postForm("/login", url.Values{"username": {"admin"}, "password": {"wrong password"}})
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "用户名或密码错误") {
				t.Fatalf("bad password: %d, want 401 with 用户名或密码错误", res.StatusCode)
			}
			if c.sessionCookie() != "" {
				t.Fatal("a failed login set a session cookie")
			}
			res = c.postForm("/login", url.Values{"username": {"nobody"}, "password": {"wrong password"}})
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "用户名或密码错误") {
				t.Fatalf("unknown user: %d, want the same answer as a bad password", res.StatusCode)
			}
		})
		t.Run("NewSessionAtLogin", func(t *testing.T) {
			c := e.client(t)
			c.login("admin", samplePW)
			first := c.sessionCookie()
			// A planted cookie (fixation) is replaced, and so is a live
			// one: every login gets a new session id.
			c.login("admin", samplePW)
			second := c.sessionCookie()
			if first == "" || second == "" || first == second {
				t.Fatalf("session cookie before %q, after %q: want a new one at login", first, second)
			}
			if _, err := e.db.FindSession(context.Background(), first, time.Hour); err == nil {
				t.Fatal("the session from before the login is still alive")
			}
			res := c.get("/")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("dashboard with the new session: %d", res.StatusCode)
			}
		})
		t.Run("CookieFlags", func(t *testing.T) {
			c := e.client(t)
			res := c.postForm("/login", url.Values{"username": {"admin"}, "password": {samplePW}})
			var ck *http.Cookie
			for _, x := range res.Cookies() {
				if x.Name == sessionCookie {
					ck = x
				}
			}
			if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", ck)
			}
		})
		t.Run("Logout", func(t *testing.T) {
			c := e.client(t)
			c.login("admin", samplePW)
			token := c.sessionCookie()
			res := c.postForm("/logout", url.Values{"csrf": {c.csrf()}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", res.StatusCode)
			}
			if _, err := e.db.FindSession(context.Background(), token, time.Hour); err == nil {
				t.Fatal("session still alive after logout")
			}
		})
		t.Run("ErrLogoutWithoutToken", func(t *testing.T) {
			c := e.client(t)
			c.login("admin", samplePW)
			if res := c.postForm("/logout", url.Values{}); res.StatusCode != http.StatusForbidden {
				t.Fatalf("logout without the form token: %d, want 403", res.StatusCode)
			}
		})
	})
}

func TestLoginRateLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user(t, "cadre", store.RoleAdmin, "")
		c := e.client(t)
		for i := range 5 {
			if res := c.postForm("/login", url.Values{"username": {"cadre"}, "password": {"guess number " + string(rune('a'+i))}}); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d, want 401", i+1, res.StatusCode)
			}
		}
		res := c.postForm("/login", url.Values{"username": {"cadre"}, "password": {samplePW}})
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("sixth try (right password): %d, want 429", res.StatusCode)
		}
		if !strings.Contains(res.body, "登录失败次数过多") || !strings.Contains(res.body, "后再试") || res.Header.Get("Retry-After") == "" {
			t.Fatalf("429 without a Chinese message saying when to retry, or Retry-After:\n%s", res.body)
		}
		if c.sessionCookie() != "" {
			t.Fatal("a blocked login set a session")
		}
		e.now = e.now.Add(16 * time.Minute)
		c.login("cadre", samplePW)
	})
}

func TestMustChangePassword(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.db.CreateUser(ctx, store.NewUser{Username: "admin", Role: store.RoleAdmin, Password: "one-time-pass", MustChange: true}); err != nil {
			t.Fatal(err)
		}
		c := e.client(t)
		res := c.postForm("/login", url.Values{"username": {"admin"}, "password": {"one-time-pass"}})
		if loc := res.Header.Get("Location"); loc != "/password" {
			t.Fatalf("first login goes to %q, want /password", loc)
		}
		if res := c.get("/households"); res.Header.Get("Location") != "/password" {
			t.Fatalf("pages before the change: %d %q, want a redirect to /password", res.StatusCode, res.Header.Get("Location"))
		}
		page := c.get("/password")
		token := csrfField.FindStringSubmatch(page.body)[1]
		res = c.postForm("/password", url.Values{"csrf": {token}, "current": {"one-time-pass"}, "password": {"short"}, "confirm": {"short"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "至少 8 个字符") {
			t.Fatalf("short password: %d", res.StatusCode)
		}
		old := c.sessionCookie()
		res = c.postForm("/password", url.Values{"csrf": {token}, "current": {"one-time-pass"}, "password": {samplePW}, "confirm": {samplePW}})
		if res.StatusCode != http.StatusSeeOther || c.sessionCookie() == old {
			t.Fatalf("change: %d, cookie changed %v", res.StatusCode, c.sessionCookie() != old)
		}
		if res := c.get("/households"); res.StatusCode != http.StatusOK {
			t.Fatalf("after the change: %d", res.StatusCode)
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user(t, "admin", store.RoleAdmin, "")
		c := e.client(t)
		c.login("admin", samplePW)
		token := c.csrf()
		for _, tc := range []struct {
			name   string
			header map[string]string
		}{
			{"SecFetchSite", map[string]string{"Sec-Fetch-Site": "cross-site"}},
			{"Origin", map[string]string{"Origin": "http://evil.example"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", e.ts.URL+"/logout", strings.NewReader(url.Values{"csrf": {token}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for k, v := range tc.header {
					req.Header.Set(k, v)
				}
				if res := c.do(req); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "跨站请求已被拒绝") {
					t.Fatalf("cross-origin POST: %d, want 403", res.StatusCode)
				}
				if res := c.get("/"); res.StatusCode != http.StatusOK {
					t.Fatal("the refused logout ended the session")
				}
			})
		}
		t.Run("LoginCSRF", func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(url.Values{"username": {"admin"}, "password": {samplePW}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			if res := e.client(t).do(req); res.StatusCode != http.StatusForbidden {
				t.Fatalf("cross-site login: %d, want 403", res.StatusCode)
			}
		})
	})
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/h.db", Config{})
	res := e.client(t).get("/login")
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	} {
		if got := res.Header.Get(k); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP without frame-ancestors 'none'")
	}
	if res := e.client(t).get("/healthz"); res.StatusCode != http.StatusOK || strings.TrimSpace(res.body) != "ok" {
		t.Errorf("/healthz: %d %q", res.StatusCode, res.body)
	}
}

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/households?q=1", "/households?q=1"}, {"", "/"}, {"//evil.example/x", "/"}, {"/\\evil.example", "/"},
		{"https://evil.example/", "/"}, {"households", "/"},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
