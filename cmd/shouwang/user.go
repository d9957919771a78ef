package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/shouwang/shouwang/monitor/store"
)

const userUsage = `user add NAME --role village|township|county|admin --place PATH [--display-name 名字] [--password-stdin]
user passwd NAME [--password-stdin]
user disable NAME | user enable NAME | user list`

// runUser manages accounts; it works while the server runs (same database).
func (a *App) runUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{userUsage}
	}
	fs, dsn := a.newFlags("user " + args[0])
	role := fs.String("role", "", "角色：village（村级）、township（乡镇）、county（区县）、admin（管理员）")
	place := fs.String("place", "", "所属地点，如 东城街道/皂角井社区（先用 shouwang place add 创建）")
	display := fs.String("display-name", "", "显示名，如 张三")
	stdin := fs.Bool("password-stdin", false, "从标准输入读取密码（一行），不生成")
	pos, err := parseMixed(fs, args[1:])
	if err != nil {
		return usageError{err.Error()}
	}
	needName := args[0] != "list"
	if needName && len(pos) != 1 {
		return usageError{"user " + args[0] + " 需要一个用户名\n" + userUsage}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	password := func() (pw string, generated bool, err error) {
		if !*stdin {
			return store.GeneratePassword(), true, nil
		}
		line, err := bufio.NewReader(a.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", false, usageError{"--password-stdin：标准输入没有密码"}
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	audit := func(action, name, detail string) {
		db.Audit(ctx, store.AuditEntry{Username: a.actor(), Action: action, Object: "user:" + name, Detail: detail})
	}
	switch args[0] {
	case "add":
		if *role == "" {
			return usageError{"user add 需要 --role（village、township、county 或 admin）"}
		}
		pw, generated, err := password()
		if err != nil {
			return err
		}
		u, err := db.CreateUser(ctx, store.NewUser{Username: pos[0], DisplayName: *display, Role: *role, PlacePath: *place, Password: pw, MustChange: generated})
		if err != nil {
			return err
		}
		audit(store.AuditUserAdd, u.Username, fmt.Sprintf("角色 %s，地点 %s", u.RoleName(), orDash(u.PlacePath)))
		fmt.Fprintf(a.Stdout, "已创建用户 %s（%s，数据范围：%s）\n", u.Username, u.RoleName(), u.Scope())
		if generated {
			fmt.Fprintf(a.Stdout, "一次性密码：%s\n（首次登录后须修改）\n", pw)
		}
	case "passwd":
		pw, generated, err := password()
		if err != nil {
			return err
		}
		if err := db.SetPassword(ctx, pos[0], pw, generated); err != nil {
			return err
		}
		audit(store.AuditUserPasswd, pos[0], "命令行重置密码")
		fmt.Fprintf(a.Stdout, "已重置 %s 的密码，其已登录的会话均已退出。\n", pos[0])
		if generated {
			fmt.Fprintf(a.Stdout, "一次性密码：%s\n（下次登录后须修改）\n", pw)
		}
	case "disable", "enable":
		u, err := db.SetUserDisabled(ctx, pos[0], args[0] == "disable")
		if err != nil {
			return err
		}
		if args[0] == "disable" {
			audit(store.AuditUserDisable, u.Username, "")
			fmt.Fprintf(a.Stdout, "已停用 %s：已退出其所有会话，其 API 令牌也不再有效。\n", u.Username)
		} else {
			audit(store.AuditUserEnable, u.Username, "")
			fmt.Fprintf(a.Stdout, "已启用 %s。\n", u.Username)
		}
	case "list":
		us, err := db.FindUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "用户名\t显示名\t角色\t地点\t状态\t最近登录")
		for _, u := range us {
			state, last := "正常", "—"
			if u.Disabled {
				state = "已停用"
			} else if u.MustChangePassword {
				state = "待改密码"
			}
			if u.LastLoginAt != nil {
				last = u.LastLoginAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, orDash(u.DisplayName), u.RoleName(), orDash(u.PlacePath), state, last)
		}
		return tw.Flush()
	default:
		return usageError{userUsage}
	}
	return nil
}

// runToken creates API tokens: `token create --user NAME` prints the token
// and nothing else, so it can be captured by a script.
func (a *App) runToken(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"token create --user NAME [--name 用途]"}
	}
	fs, dsn := a.newFlags("token create")
	user := fs.String("user", "", "令牌所属用户（数据范围与该用户相同）")
	name := fs.String("name", "", "令牌用途，如 区县数据对接")
	if _, err := parseMixed(fs, args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if *user == "" {
		return usageError{"token create 需要 --user 用户名"}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := db.CreateToken(ctx, *user, *name)
	if err != nil {
		return err
	}
	db.Audit(ctx, store.AuditEntry{Username: a.actor(), Action: store.AuditTokenCreate, Object: "user:" + *user, Detail: *name})
	fmt.Fprintln(a.Stdout, token)
	return nil
}
