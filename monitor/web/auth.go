package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

const sessionCookie = "shouwang_session"

// formLimit bounds the body of an ordinary form.
const formLimit = 64 << 10

type loginForm struct {
	Username string
	Next     string
	Error    string
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, err := s.db.FindSession(r.Context(), c.Value, s.cfg.SessionIdle); err == nil {
			redirect(w, r, localPath(r.URL.Query().Get("next")))
			return
		}
	}
	s.render(w, r, http.StatusOK, "login", "登录", loginForm{Next: r.URL.Query().Get("next")})
}

// login checks the password, then starts a new session with a new token
// (an old cookie is never promoted: no session fixation). Failures are
// counted per username and per address; past the limit the answer is 429
// until the window has passed, whatever the password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, formLimit)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, monitor.Errorf(monitor.EINVALID, "表单无法读取"))
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	form := loginForm{Username: username, Next: r.PostForm.Get("next")}
	now := s.cfg.Now()
	ukey, ikey := "u:"+strings.ToLower(username), clientIP(r)
	until, blocked := s.users.blocked(ukey, now)
	if t, b := s.ips.blocked(ikey, now); b {
		blocked, until = true, maxTime(until, t)
	}
	if blocked {
		mins := int(math.Ceil(until.Sub(now).Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(until.Sub(now).Seconds()))))
		form.Error = fmt.Sprintf("登录失败次数过多，已暂停登录。请于 %s 后再试（约 %d 分钟）；如忘记密码，请联系管理员重置。", until.Local().Format("15:04"), mins)
		s.render(w, r, http.StatusTooManyRequests, "login", "登录", form)
		return
	}
	u, err := s.db.Authenticate(r.Context(), username, password)
	if err != nil {
		if monitor.ErrorCode(err) == monitor.EINTERNAL {
			s.fail(w, r, err)
			return
		}
		s.users.fail(ukey, now)
		s.ips.fail(ikey, now)
		s.audit(r, store.AuditEntry{Username: username, Action: store.AuditLoginFailed, Object: "user:" + username, Detail: monitor.ErrorMessage(err)})
		form.Error = monitor.ErrorMessage(err)
		st := http.StatusUnauthorized
		if monitor.ErrorCode(err) == monitor.EFORBIDDEN {
			st = http.StatusForbidden
		}
		s.render(w, r, st, "login", "登录", form)
		return
	}
	s.users.reset(ukey)
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.db.DeleteSession(r.Context(), c.Value) // whatever it was, it ends here
	}
	if err := s.startSession(w, r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, store.AuditEntry{UserID: &u.ID, Username: u.Username, Action: store.AuditLogin, Object: "user:" + u.Username})
	if u.MustChangePassword {
		redirect(w, r, "/password")
		return
	}
	redirect(w, r, localPath(form.Next))
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *store.User) error {
	token, sess, err := s.db.CreateSession(r.Context(), u.ID, clientIP(r), r.UserAgent(), s.cfg.SessionLifetime)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	sess.User = u
	ri := info(r)
	ri.user, ri.session = u, sess
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// localPath keeps a redirect target on this site: a path, never a URL to
// elsewhere ("//evil.example" or "/\evil.example" included).
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !s.checkCSRF(w, r) {
		return
	}
	ri := info(r)
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.DeleteSession(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.audit(r, store.AuditEntry{Action: store.AuditLogout, Object: "user:" + ri.user.Username})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	redirect(w, r, "/login")
}

// requireSession lets through requests with a live session and sends the
// others to the login page (a page) or answers 401 (anything else).
func (s *Server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := ""
		if c, err := r.Cookie(sessionCookie); err == nil {
			token = c.Value
		}
		sess, err := s.db.FindSession(r.Context(), token, s.cfg.SessionIdle)
		if err != nil {
			if monitor.ErrorCode(err) == monitor.EINTERNAL {
				s.fail(w, r, err)
				return
			}
			if r.Method == http.MethodGet {
				next := r.URL.RequestURI()
				if next == "/" {
					next = ""
				}
				redirect(w, r, "/login"+queryString("next", next))
				return
			}
			s.fail(w, r, &webError{http.StatusUnauthorized, codeUnauthorized, "登录已过期，请重新登录"})
			return
		}
		ri := info(r)
		ri.user, ri.session = sess.User, sess
		next.ServeHTTP(w, r)
	})
}

// requirePasswordChanged sends a user who must choose a new password to
// the page for it before anything else.
func (s *Server) requirePasswordChanged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info(r).user.MustChangePassword {
			redirect(w, r, "/password")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkCSRF compares the form's csrf field with the session's token, a
// second lock behind the cross-origin check. It parses the form.
func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, formLimit)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, monitor.Errorf(monitor.EINVALID, "表单无法读取"))
		return false
	}
	return s.validCSRF(w, r, r.PostForm.Get("csrf"))
}

func (s *Server) validCSRF(w http.ResponseWriter, r *http.Request, token string) bool {
	sess := info(r).session
	if sess == nil || subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRFToken)) != 1 {
		s.fail(w, r, monitor.Errorf(monitor.EFORBIDDEN, "表单已过期或来源不明，请刷新页面后重试"))
		return false
	}
	return true
}

type passwordForm struct {
	Forced bool
	Error  string
	Done   bool
}

func (s *Server) showPassword(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password", "修改密码", passwordForm{Forced: info(r).user.MustChangePassword})
}

// changePassword sets a new password. Every session of the user ends with
// the old password; this browser gets a fresh one.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	if !s.checkCSRF(w, r) {
		return
	}
	u := info(r).user
	form := passwordForm{Forced: u.MustChangePassword}
	cur, pw, again := r.PostForm.Get("current"), r.PostForm.Get("password"), r.PostForm.Get("confirm")
	fail := func(msg string) {
		form.Error = msg
		s.render(w, r, http.StatusBadRequest, "password", "修改密码", form)
	}
	if _, err := s.db.Authenticate(r.Context(), u.Username, cur); err != nil {
		fail("当前密码不正确")
		return
	}
	if pw != again {
		fail("两次输入的新密码不一致")
		return
	}
	if err := s.db.SetPassword(r.Context(), u.Username, pw, false); err != nil {
		if monitor.ErrorCode(err) != monitor.EINVALID {
			s.fail(w, r, err)
			return
		}
		fail(monitor.ErrorMessage(err))
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditPasswordChange, Object: "user:" + u.Username})
	u2, err := s.db.FindUserByID(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(w, r, u2); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/")
}

// audit records an entry for the request's user and address. A failure to
// write is logged and does not fail the request that was already done.
func (s *Server) audit(r *http.Request, e store.AuditEntry) {
	if u := info(r).user; u != nil && e.Username == "" {
		e.UserID, e.Username = &u.ID, u.Username
	}
	e.IP = clientIP(r)
	if err := s.db.Audit(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("写审计日志失败", "action", e.Action, "object", e.Object, "err", err)
	}
}
