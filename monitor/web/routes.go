package web

import (
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"
)

// routes lists every route. Pages need a session (and a changed first
// password); the API needs a bearer token.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.NotFound(s.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errMethod)
	})
	r.Get("/healthz", s.healthz)
	staticFS, _ := fs.Sub(assets, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(staticFS))))

	r.Get("/login", s.showLogin)
	r.Post("/login", s.login)

	r.Group(func(r chi.Router) {
		r.Use(s.requireSession)
		r.Post("/logout", s.logout)
		r.Get("/password", s.showPassword)
		r.Post("/password", s.changePassword)

		r.Group(func(r chi.Router) {
			r.Use(s.requirePasswordChanged)
			r.Get("/", s.showDashboard)
			r.Get("/imports", s.showImports)
			r.Post("/uploads", s.uploadWorkbook)
			r.Get("/uploads/{id}", s.showUpload)
			r.Get("/uploads/{id}/errors.xlsx", s.downloadErrorWorkbook)
			r.Post("/uploads/{id}/commit", s.commitUpload)
			r.Get("/households", s.listHouseholds)
			r.Get("/households/{code}", s.showHousehold)
			r.Post("/households/{code}/ids", s.revealIDs)
			s.routeFlags(r)
			s.routeLeads(r)
			s.routeCases(r)
			s.routeMeasures(r)
			s.routeLoans(r)
			s.routeRules(r)
			s.routeAudit(r)
		})
	})

	r.Route("/api/v1", func(r chi.Router) {
		r.Use(s.requireToken)
		r.Get("/households", s.apiListHouseholds)
		r.Get("/households/{code}", s.apiShowHousehold)
		r.Get("/flags", s.apiListFlags)
		r.Post("/imports", s.apiImport)
		s.routeAPIRecords(r)
	})
	s.routeReports(r)
	return r
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(r.Context()); err != nil {
		s.log.Error("健康检查：数据库无响应", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}
