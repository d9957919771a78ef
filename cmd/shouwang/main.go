// Command shouwang is 守望: the registry, risk monitoring and reports for
// preventing return to poverty (防止返贫动态监测和帮扶).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// Exit statuses.
const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitValidation = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{Stdin: os.Stdin, Stdout: terminalSafe{os.Stdout}, Stderr: terminalSafe{os.Stderr}, Getenv: os.Getenv, Now: time.Now}
	os.Exit(app.Run(ctx, os.Args[1:]))
}

// terminalSafe drops control characters (escape sequences, NUL…) from
// what the commands print, so a name in the registry cannot drive the
// terminal; line breaks, tabs and the progress line's \r stay. Every print
// is whole text (JSON escapes its own).
type terminalSafe struct{ w io.Writer }

func (t terminalSafe) Write(p []byte) (int, error) {
	s := monitor.CleanText(string(p), true)
	if len(s) == len(p) {
		return t.w.Write(p)
	}
	if _, err := io.WriteString(t.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// App is the command line with its environment, so tests run it in-process.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
}

const usage = `守望 Shouwang — 防止返贫动态监测和帮扶

用法 / usage:
  shouwang serve [--addr 127.0.0.1:8080] [--demo] [--max-upload-mb 50]
        启动网页和 API；首次启动时创建管理员 admin 并显示一次性密码

  shouwang import [--kind households|loans|measures|cadres|medical|civil|…] [--dry-run] [--skip-invalid] [--errors-out FILE.xlsx] [--as-of DATE] [--json] FILE...
        导入花名册、小额信贷台账、帮扶措施台账、帮扶责任人名单或部门名单（.xlsx/.xlsm/.csv，不填 --kind 按表头识别）；
        先校验，默认全部正确才写入
  shouwang households [--township T] [--village V] [--category C|any] [--q TEXT] [--json]    查询农户
  shouwang household [--json] CODE                 查看一户（成员、收入、变更记录）

  shouwang evaluate [--as-of DATE] [--township T] [--village V] [--json]
        按当前规则评估农户，新增、保持或解除风险预警
  shouwang flags [--status open|closed|all] [--village V] [--household CODE] [--rule CODE] [--json]
        查看风险预警
  shouwang case open|step|list|show|cancel …       识别纳入和风险消除的办理程序（shouwang case 查看用法）
  shouwang loans [--overdue] [--year Y] [--as-of DATE] [--township T] [--village V] [--household CODE] [--product micro|startup|other] [--json]
        小额信贷台账：余额、逾期天数与分档、PAR30/PAR90、当年贴息和政策核查预警；--overdue 为逾期清单
  shouwang report NAME [--year Y] [--as-of DATE] [--township T] [--village V] [--all] [--unmask] [--template FILE.xlsx] -o FILE.xlsx|FILE.csv
        生成报表：roster 花名册、flags 预警清单、notice 公示名单、measures 措施台账、loans 信贷台账、summary 统计汇总表、yearly 年度统计

  shouwang place add PATH | place list             管理地点（乡镇/村/组）
  shouwang user add NAME --role village|township|county|admin --place PATH [--password-stdin]
  shouwang user passwd|disable|enable NAME | user list      管理账号（服务运行时也可用）
  shouwang token create --user NAME                          创建 API 令牌（只输出令牌）

每个命令都可加 --db DSN；数据库 / database: --db 或环境变量 SHOUWANG_DB：sqlite:文件路径（默认 sqlite:shouwang.db）或 postgres://…
`

// Run executes one command and returns the exit status.
func (a *App) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.Stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "import":
		return a.runImport(ctx, args[1:])
	case "households":
		err = a.runHouseholds(ctx, args[1:])
	case "household":
		err = a.runHousehold(ctx, args[1:])
	case "place":
		err = a.runPlace(ctx, args[1:])
	case "evaluate":
		err = a.runEvaluate(ctx, args[1:])
	case "flags":
		err = a.runFlags(ctx, args[1:])
	case "serve":
		err = a.runServe(ctx, args[1:])
	case "user":
		err = a.runUser(ctx, args[1:])
	case "token":
		err = a.runToken(ctx, args[1:])
	case "loans":
		err = a.runLoans(ctx, args[1:])
	case "case":
		err = a.runCase(ctx, args[1:])
	case "report":
		err = a.runReport(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(a.Stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(a.Stderr, "未知命令 %q\n\n%s", args[0], usage)
		return exitUsage
	}
	return a.exit(err)
}

// usageError marks a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func (a *App) exit(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.Is(err, flag.ErrHelp):
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(a.Stderr, "用法错误：", ue.msg)
		}
		return exitUsage
	case monitor.ErrorCode(err) == monitor.EINTERNAL:
		fmt.Fprintln(a.Stderr, "错误：", err)
		return exitFailure
	case monitor.ErrorCode(err) == monitor.EFORBIDDEN:
		// Refused like bad input: the account may not do this, and
		// running it again as it stands will not help (the web says 403).
		fmt.Fprintln(a.Stderr, "错误：", monitor.ErrorMessage(err))
		return exitValidation
	default:
		fmt.Fprintln(a.Stderr, "错误：", monitor.ErrorMessage(err))
		return exitFailure
	}
}

// newFlags builds a flag set that reports into stderr and knows --db.
func (a *App) newFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	db := fs.String("db", "", "数据库：sqlite:PATH 或 postgres://…（默认取 SHOUWANG_DB，再默认 sqlite:shouwang.db）")
	return fs, db
}

// parseMixed parses flags that may come after the positional arguments,
// as people type them: `import a.xlsx --dry-run`.
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (a *App) openDB(ctx context.Context, flagDSN string) (*store.DB, error) {
	dsn := flagDSN
	if dsn == "" {
		dsn = a.Getenv("SHOUWANG_DB")
	}
	return store.Open(ctx, dsn)
}

// actor names who runs a command, for the change history.
func (a *App) actor() string {
	if u := a.Getenv("SHOUWANG_USER"); u != "" {
		return u
	}
	if u := a.Getenv("USER"); u != "" {
		return "命令行:" + u
	}
	return "命令行"
}

func (a *App) today() monitor.Date { return monitor.DateOf(a.Now()) }

func trimTo(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
