package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// pages holds one template set per page: the layout plus the page.
type pages struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	"mask":  monitor.MaskID,
	"money": func(m monitor.Money) string { return m.String() },
	"date": func(d monitor.Date) string {
		if d.IsZero() {
			return "—"
		}
		return d.String()
	},
	"datetime": func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") },
	"dash": func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	},
	"yesno": func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	},
	"join":  strings.Join,
	"add":   func(a, b int) int { return a + b },
	"query": queryString,
	"role":  func(r string) string { return store.RoleNames[r] },
	"deptName": func(kind string) string {
		if n, ok := importer.DeptKinds[kind]; ok {
			return n
		}
		return kind
	},
	"severity": func(s string) string {
		if n, ok := severityNames[s]; ok {
			return n
		}
		return s
	},
}

var severityNames = map[string]string{"high": "高", "medium": "中", "low": "低"}

// queryString builds "?k=v&…" from pairs, leaving out empty values.
func queryString(pairs ...any) string {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		k := fmt.Sprint(pairs[i])
		v := fmt.Sprint(pairs[i+1])
		if v != "" && v != "0" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func loadPages() (*pages, error) {
	// The layout, the chart and the partials (_*.html) are in every page.
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/chart.html", "templates/_*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "chart" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, f)
		if err != nil {
			return nil, err
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page template gets.
type view struct {
	Title string
	Nav   string
	User  *store.User
	Scope store.Scope
	CSRF  string
	Data  any
}

// render writes a page. It renders into a buffer first, so a template
// error becomes a clean 500 and not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.Error("no such template", "name", name)
		http.Error(w, "系统内部错误", http.StatusInternalServerError)
		return
	}
	ri := info(r)
	v := view{Title: title, Nav: name, User: ri.user, Data: data}
	if ri.user != nil {
		v.Scope = ri.user.Scope()
	}
	if ri.session != nil {
		v.CSRF = ri.session.CSRFToken
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "系统内部错误，请稍后重试或联系管理员。", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	if ri.user != nil {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// redirect answers a form post with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
