package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/web"
)

// runServe starts the web app and the API and runs until ctx ends (SIGINT
// or SIGTERM), then shuts down gracefully.
func (a *App) runServe(ctx context.Context, args []string) error {
	fs, dsn := a.newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址；0.0.0.0:8080 供局域网访问")
	demo := fs.Bool("demo", false, "数据库为空时载入一个生成的演示乡镇（约 600 户）")
	maxMB := fs.Int64("max-upload-mb", web.DefaultMaxUploadBytes>>20, "上传文件大小上限（MB）")
	uploadDir := fs.String("upload-dir", "", "试导入与正式导入之间暂存上传文件的目录（默认临时目录）")
	if _, err := parseMixed(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if *maxMB <= 0 {
		return usageError{"--max-upload-mb 应为正整数"}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(a.Stderr, nil))

	login, err := a.firstAdmin(ctx, db)
	if err != nil {
		return err
	}
	if *demo {
		if err := a.loadDemo(ctx, db, logger); err != nil {
			return err
		}
	}
	srv, err := web.New(web.Config{DB: db, Logger: logger, Now: a.Now, MaxUploadBytes: *maxMB << 20, UploadDir: *uploadDir})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return monitor.Errorf(monitor.EINVALID, "无法监听 %s：%v（端口是否已被占用？可用 --addr 换一个）", *addr, err)
	}
	fmt.Fprintf(a.Stdout, "守望已启动：%s\n", serveURL(ln.Addr()))
	if login != "" {
		fmt.Fprint(a.Stdout, login)
	}
	fmt.Fprintln(a.Stdout, "按 Ctrl+C 停止。")
	err = srv.Serve(ctx, ln)
	fmt.Fprintln(a.Stdout, "守望已停止。")
	return err
}

// serveURL is the address people type: a wildcard host becomes 127.0.0.1.
func serveURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// firstAdmin creates the administrator on a database with no users: with
// the password in SHOUWANG_ADMIN_PASSWORD, or a generated one-time password
// that must be changed at the first login. It returns the lines to print.
func (a *App) firstAdmin(ctx context.Context, db *store.DB) (string, error) {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	pw, generated := a.Getenv("SHOUWANG_ADMIN_PASSWORD"), false
	if pw == "" {
		pw, generated = store.GeneratePassword(), true
	}
	u, err := db.CreateUser(ctx, store.NewUser{Username: "admin", DisplayName: "管理员", Role: store.RoleAdmin, Password: pw, MustChange: generated})
	if err != nil {
		return "", fmt.Errorf("创建管理员：%w", err)
	}
	db.Audit(ctx, store.AuditEntry{Username: a.actor(), Action: store.AuditUserAdd, Object: "user:" + u.Username, Detail: "首次启动自动创建的管理员"})
	if !generated {
		return "首次启动：已创建管理员，用户名 admin，密码为环境变量 SHOUWANG_ADMIN_PASSWORD 的值。\n", nil
	}
	return fmt.Sprintf("首次启动：已创建管理员\n  用户名：admin\n  密码：%s\n  （一次性密码，仅显示这一次；首次登录后须修改）\n", pw), nil
}
