package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/imports"
	"github.com/shouwang/shouwang/monitor/store"
)

// requireToken lets through API calls with a live bearer token.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shouwang"`)
			s.fail(w, r, &webError{http.StatusUnauthorized, codeUnauthorized, "需要 API 令牌：请求头 Authorization: Bearer 令牌（用 shouwang token create --user 用户名 创建）"})
			return
		}
		u, err := s.db.FindUserByToken(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if monitor.ErrorCode(err) == monitor.EINTERNAL {
				s.fail(w, r, err)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="shouwang", error="invalid_token"`)
			s.fail(w, r, &webError{http.StatusUnauthorized, codeUnauthorized, "API 令牌无效、已停用或其账号已停用"})
			return
		}
		ri := info(r)
		ri.user, ri.api = u, true
		next.ServeHTTP(w, r)
	})
}

// apiPage reads page and per_page (default 50, at most 1000).
func apiPage(r *http.Request) (page, per int, err error) {
	q := r.URL.Query()
	page, per = 1, 50
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange || strings.HasPrefix(v, "-") {
				return 0, 0, monitor.Errorf(monitor.EINVALID, "page 应为正整数，收到 %q", v)
			}
			page = maxPage // a number too large for int: past the end
		}
		page = min(page, maxPage)
	}
	if v := q.Get("per_page"); v != "" {
		if per, err = strconv.Atoi(v); err != nil || per < 1 || per > 1000 {
			return 0, 0, monitor.Errorf(monitor.EINVALID, "per_page 应为 1–1000 的整数，收到 %q", v)
		}
	}
	return page, per, nil
}

// maskHousehold hides ID numbers from users who may not see them whole.
func maskHousehold(h *monitor.Household, full bool) {
	if full {
		return
	}
	h.HeadIDNumber = monitor.MaskID(h.HeadIDNumber)
	for i := range h.Members {
		h.Members[i].IDNumber = monitor.MaskID(h.Members[i].IDNumber)
	}
}

func (s *Server) apiListHouseholds(w http.ResponseWriter, r *http.Request) {
	u := info(r).user
	page, per, err := apiPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, _ := householdFilter(r, per)
	f.Offset = (page - 1) * per
	items, total, err := s.db.FindHouseholds(r.Context(), u.Scope(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, h := range items {
		maskHousehold(h, u.SeesFullIDs())
	}
	if items == nil {
		items = []*monitor.Household{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "page": page, "per_page": per, "items": items})
}

// apiShowHousehold answers a household of the caller's place with its
// members, incomes, flags and history; elsewhere it is 404, as if absent.
func (s *Server) apiShowHousehold(w http.ResponseWriter, r *http.Request) {
	u := info(r).user
	v, err := s.loadHousehold(r.Context(), u.Scope(), chi.URLParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	full := u.SeesFullIDs()
	maskHousehold(v.H, full)
	action := store.AuditViewHousehold
	if full {
		action = store.AuditRevealIDs
	}
	s.audit(r, store.AuditEntry{Action: action, Object: "household:" + v.H.Code, Detail: "API"})
	flags := append(append([]monitor.Flag{}, v.OpenFlags...), v.ClosedFlags...)
	if !full { // a loan's key and a measure's member carry ID numbers
		for i := range v.Changes {
			c := &v.Changes[i]
			c.EntityKey, c.OldValue, c.NewValue = maskIDs(c.EntityKey), maskIDs(c.OldValue), maskIDs(c.NewValue)
		}
	}
	wk := apiWorkOf(v.Work, u)
	writeJSON(w, http.StatusOK, struct {
		*monitor.Household
		Flags   []monitor.Flag   `json:"flags"`
		Changes []monitor.Change `json:"changes"`
		apiWork
	}{v.H, flags, v.Changes, wk})
}

func (s *Server) apiListFlags(w http.ResponseWriter, r *http.Request) {
	u := info(r).user
	page, per, err := apiPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := store.FlagFilter{Status: q.Get("status"), Township: q.Get("township"), Village: q.Get("village"),
		HouseholdCode: q.Get("household"), RuleCode: q.Get("rule"), RiskType: q.Get("risk"), Limit: per, Offset: (page - 1) * per}
	flags, total, err := s.db.FindFlags(r.Context(), u.Scope(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "page": page, "per_page": per, "items": flags})
}

func parseBool(q, name string, def bool) (bool, error) {
	switch strings.ToLower(q) {
	case "":
		return def, nil
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, monitor.Errorf(monitor.EINVALID, "%s 应为 true 或 false，收到 %q", name, q)
}

// apiImport imports the multipart field "file" and answers the same JSON
// object as `shouwang import --json`. dry_run defaults to true: a call
// that forgot it writes nothing.
func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) {
	u := info(r).user
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "" && !knownKind(kind) {
		s.fail(w, r, monitor.Errorf(monitor.EINVALID, "kind %q 无效", kind))
		return
	}
	dry, err := parseBool(q.Get("dry_run"), "dry_run", true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	skip, err := parseBool(q.Get("skip_invalid"), "skip_invalid", false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	up, err := s.uploads.create(u.ID, s.cfg.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer s.uploads.remove(up.ID)
	if up.FileName, _, up.Size, err = s.receiveFile(w, r, s.uploads.path(up.ID, uploadFile)); err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := imports.Run(r.Context(), s.db, s.importRequest(r, up, kind, store.ImportOptions{DryRun: dry, SkipInvalid: skip}))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.Committed {
		if rep.Evaluation, err = imports.Reevaluate(r.Context(), s.db, monitor.Date{}, rep.Touched); err != nil {
			s.log.Error("导入后重新评估失败", "import", rep.ImportID, "err", err)
		}
		s.audit(r, store.AuditEntry{Action: store.AuditImport, Object: fmt.Sprintf("import:%d", rep.ImportID), Detail: "API：" + importDetail(rep)})
	}
	writeJSON(w, http.StatusOK, rep)
}
