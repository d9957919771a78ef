// Package web is Shouwang's web app and JSON API: a chi router over the
// store, server-rendered Chinese pages (html/template and static files
// embedded in the binary), sessions in the database, and every query kept
// to the signed-in user's place (store.Scope).
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// Config configures a Server; zero fields take the defaults.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
	// Now is the clock (dates of imports and evaluations); default time.Now.
	Now func() time.Time
	// MaxUploadBytes bounds an uploaded file; default 50 MB.
	MaxUploadBytes int64
	// UploadDir keeps uploads between the dry run and the commit; default a
	// fresh temporary folder removed by Close.
	UploadDir string
	// UploadTTL is how long an upload waits for its commit; default 24 h.
	UploadTTL time.Duration
	// SessionIdle ends a session unused this long (default 2 h);
	// SessionLifetime ends any session this long after login (default 12 h).
	SessionIdle     time.Duration
	SessionLifetime time.Duration
}

// Defaults.
const (
	DefaultMaxUploadBytes = 50 << 20
	defaultUploadTTL      = 24 * time.Hour
	defaultSessionIdle    = 2 * time.Hour
	defaultSessionLife    = 12 * time.Hour
)

// Server is the web app.
type Server struct {
	cfg     Config
	db      *store.DB
	log     *slog.Logger
	pages   *pages
	router  chi.Router
	handler http.Handler
	users   *limiter // failed logins per username
	ips     *limiter // failed logins per client address
	uploads *uploadStore
	ownDir  bool
}

// New builds a Server.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil {
		return nil, errors.New("web: Config.DB is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.UploadTTL <= 0 {
		cfg.UploadTTL = defaultUploadTTL
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = defaultSessionIdle
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = defaultSessionLife
	}
	s := &Server{cfg: cfg, db: cfg.DB, log: cfg.Logger,
		users: newLimiter(5, 15*time.Minute), ips: newLimiter(20, 15*time.Minute)}
	if cfg.UploadDir == "" {
		dir, err := os.MkdirTemp("", "shouwang-uploads-")
		if err != nil {
			return nil, err
		}
		cfg.UploadDir, s.ownDir = dir, true
		s.cfg.UploadDir = dir
	} else if err := os.MkdirAll(cfg.UploadDir, 0o700); err != nil {
		return nil, err
	}
	s.uploads = &uploadStore{dir: cfg.UploadDir, ttl: cfg.UploadTTL}
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	s.router = s.routes()
	s.handler = s.middleware(s.router)
	return s, nil
}

// Handler is the app with every middleware, for http.Server or tests.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets running requests finish (up to 30 seconds), and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	go s.janitor(ctx)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	s.log.Info("正在关闭服务，等待进行中的请求完成")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	if e := <-done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// janitor ends stale sessions and removes expired uploads now and then.
func (s *Server) janitor(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if _, err := s.db.PurgeSessions(ctx, s.cfg.SessionIdle); err != nil && ctx.Err() == nil {
			s.log.Warn("清理过期会话失败", "err", err)
		}
		s.uploads.sweep(s.cfg.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close removes the server's own upload folder.
func (s *Server) Close() error {
	if s.ownDir {
		return os.RemoveAll(s.cfg.UploadDir)
	}
	return nil
}

func (s *Server) today() monitor.Date { return monitor.DateOf(s.cfg.Now()) }
