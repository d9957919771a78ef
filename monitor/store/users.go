package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/argon2"

	"github.com/shouwang/shouwang/monitor"
)

// Roles, from the narrowest place to everything: the domain's, which also
// says which role may record which step of a case (monitor.MayRecordStep).
const (
	RoleVillage  = monitor.RoleVillage  // 村级: one village
	RoleTownship = monitor.RoleTownship // 乡镇: one township
	RoleCounty   = monitor.RoleCounty   // 区县: everything
	RoleAdmin    = monitor.RoleAdmin    // 管理员: everything, plus users, rules and parameters
)

// RoleNames gives each role its Chinese name.
var RoleNames = monitor.RoleNames

// User is an account of the web app and the API.
type User struct {
	ID                 int64      `db:"id" json:"id"`
	Username           string     `db:"username" json:"username"`
	DisplayName        string     `db:"display_name" json:"display_name"`
	Role               string     `db:"role" json:"role"`
	PlaceID            *int64     `db:"place_id" json:"-"`
	PlacePath          string     `db:"place_path" json:"place"`
	PasswordHash       string     `db:"password_hash" json:"-"`
	MustChangePassword bool       `db:"must_change_password" json:"must_change_password"`
	Disabled           bool       `db:"disabled" json:"disabled"`
	CreatedAt          time.Time  `db:"created_at" json:"created_at"`
	PasswordChangedAt  time.Time  `db:"password_changed_at" json:"password_changed_at"`
	LastLoginAt        *time.Time `db:"last_login_at" json:"last_login_at,omitempty"`
}

// Scope is the part of the registry the user may see.
func (u *User) Scope() Scope { return ScopeOf(u.Role, u.PlacePath) }

// RoleName is the role in Chinese.
func (u *User) RoleName() string { return RoleNames[u.Role] }

// SeesFullIDs reports whether the user may unmask ID numbers (each time on
// request, audited).
func (u *User) SeesFullIDs() bool { return u.Role == RoleCounty || u.Role == RoleAdmin }

// Name is the display name, or the username when there is none.
func (u *User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

const userColumns = `u.id, u.username, u.display_name, u.role, u.place_id, COALESCE(p.path, '') AS place_path, u.password_hash,
	u.must_change_password, u.disabled, u.created_at, u.password_changed_at, u.last_login_at`

const userFrom = ` FROM users u LEFT JOIN places p ON p.id = u.place_id`

// NewUser is what CreateUser needs.
type NewUser struct {
	Username    string
	DisplayName string
	Role        string
	PlacePath   string // required for village and township users
	Password    string
	MustChange  bool
}

// CreateUser adds an account. The place must exist and fit the role: a
// village user needs a village (or a group below one), a township user a
// township or below; county and admin users may have none.
func (db *DB) CreateUser(ctx context.Context, in NewUser) (*User, error) {
	name := strings.TrimSpace(in.Username)
	if err := validUsername(name); err != nil {
		return nil, err
	}
	if _, ok := RoleNames[in.Role]; !ok {
		return nil, monitor.Errorf(monitor.EINVALID, "角色 %q 无效，可用 village（村级）、township（乡镇）、county（区县）、admin（管理员）", in.Role)
	}
	var placeID *int64
	if in.PlacePath != "" {
		p, err := db.FindPlaceByPath(ctx, in.PlacePath)
		if err != nil {
			return nil, err
		}
		placeID = &p.ID
		if s := ScopeOf(in.Role, p.Path); !s.All && s.Township == "" {
			return nil, monitor.Errorf(monitor.EINVALID, "%s用户的地点应为%s，%q 是%s",
				RoleNames[in.Role], map[string]string{RoleVillage: "村/社区（如 东城街道/皂角井社区）", RoleTownship: "乡镇/街道"}[in.Role], p.Path, levelNames[p.Level])
		}
	} else if in.Role == RoleVillage || in.Role == RoleTownship {
		return nil, monitor.Errorf(monitor.EINVALID, "%s用户必须指定地点（--place），如 东城街道/皂角井社区", RoleNames[in.Role])
	}
	if err := ValidatePassword(name, in.Password); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	var id int64
	err = db.x.GetContext(ctx, &id, db.rebind(`INSERT INTO users (username, display_name, role, place_id, password_hash, must_change_password,
		disabled, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		name, strings.TrimSpace(in.DisplayName), in.Role, placeID, hash, in.MustChange, false, now, now)
	if err != nil {
		if monitor.ErrorCode(mapError(err)) == monitor.ECONFLICT {
			return nil, monitor.Errorf(monitor.ECONFLICT, "用户名 %s 已存在", name)
		}
		return nil, mapError(err)
	}
	return db.FindUserByID(ctx, id)
}

var levelNames = map[string]string{monitor.LevelCounty: "区县", monitor.LevelTownship: "乡镇/街道", monitor.LevelVillage: "村/社区", monitor.LevelGroup: "村民小组"}

func validUsername(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return monitor.Errorf(monitor.EINVALID, "用户名不能为空，最长 64 个字符")
	}
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '/' {
			return monitor.Errorf(monitor.EINVALID, "用户名 %q 不能含空格、斜杠或控制字符", name)
		}
	}
	return nil
}

// ValidatePassword checks a new password: at least 8 characters, not the
// username, not one character repeated.
func ValidatePassword(username, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < 8:
		return monitor.Errorf(monitor.EINVALID, "密码至少 8 个字符")
	case n > 128:
		return monitor.Errorf(monitor.EINVALID, "密码最长 128 个字符")
	case strings.EqualFold(pw, username):
		return monitor.Errorf(monitor.EINVALID, "密码不能与用户名相同")
	case strings.Count(pw, string([]rune(pw)[:1])) == n:
		return monitor.Errorf(monitor.EINVALID, "密码不能由同一个字符重复组成")
	}
	return nil
}

// FindUserByID returns a user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := db.x.GetContext(ctx, &u, db.rebind(`SELECT `+userColumns+userFrom+` WHERE u.id = ?`), id); err != nil {
		return nil, mapError(err)
	}
	return &u, nil
}

// FindUserByName returns a user by username.
func (db *DB) FindUserByName(ctx context.Context, username string) (*User, error) {
	var u User
	if err := db.x.GetContext(ctx, &u, db.rebind(`SELECT `+userColumns+userFrom+` WHERE u.username = ?`), strings.TrimSpace(username)); err != nil {
		if monitor.ErrorCode(mapError(err)) == monitor.ENOTFOUND {
			return nil, monitor.Errorf(monitor.ENOTFOUND, "用户 %s 不存在", username)
		}
		return nil, mapError(err)
	}
	return &u, nil
}

// FindUsers lists every user by username.
func (db *DB) FindUsers(ctx context.Context) ([]User, error) {
	var us []User
	err := db.x.SelectContext(ctx, &us, `SELECT `+userColumns+userFrom+` ORDER BY u.username`)
	return us, mapError(err)
}

// CountUsers returns the number of accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.x.GetContext(ctx, &n, `SELECT COUNT(*) FROM users`)
	return n, mapError(err)
}

// ErrBadLogin is the one answer to a wrong username or password, so the
// answer does not tell which was wrong.
var ErrBadLogin = &monitor.Error{Code: monitor.EINVALID, Message: "用户名或密码错误"}

// Authenticate checks a username and password. A wrong password and an
// unknown user both give ErrBadLogin in about the same time; a disabled
// account is EFORBIDDEN, said only to someone who knows its password.
func (db *DB) Authenticate(ctx context.Context, username, password string) (*User, error) {
	u, err := db.FindUserByName(ctx, username)
	if monitor.ErrorCode(err) == monitor.ENOTFOUND {
		verifyPassword(dummyHash, password) // spend the same time
		return nil, ErrBadLogin
	} else if err != nil {
		return nil, err
	}
	if !verifyPassword(u.PasswordHash, password) {
		return nil, ErrBadLogin
	}
	if u.Disabled {
		return nil, monitor.Errorf(monitor.EFORBIDDEN, "账号 %s 已停用，请联系管理员", u.Username)
	}
	return u, nil
}

// SetPassword replaces a user's password and ends their sessions, so a
// stolen session dies with the old password. mustChange makes the user
// choose a new one at the next login (for passwords an operator handed out).
func (db *DB) SetPassword(ctx context.Context, username, password string, mustChange bool) error {
	u, err := db.FindUserByName(ctx, username)
	if err != nil {
		return err
	}
	if err := ValidatePassword(u.Username, password); err != nil {
		return err
	}
	if verifyPassword(u.PasswordHash, password) {
		return monitor.Errorf(monitor.EINVALID, "新密码不能与原密码相同")
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ? WHERE id = ?`),
			hash, mustChange, db.Now(), u.ID); err != nil {
			return mapError(err)
		}
		_, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE user_id = ?`), u.ID)
		return mapError(err)
	})
}

// SetUserDisabled disables or enables an account; disabling ends its
// sessions (its API tokens stop working too, as they are checked against
// the account on every call).
func (db *DB) SetUserDisabled(ctx context.Context, username string, disabled bool) (*User, error) {
	u, err := db.FindUserByName(ctx, username)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE users SET disabled = ? WHERE id = ?`), disabled, u.ID); err != nil {
			return mapError(err)
		}
		if !disabled {
			return nil
		}
		_, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE user_id = ?`), u.ID)
		return mapError(err)
	})
	if err != nil {
		return nil, err
	}
	u.Disabled = disabled
	return u, nil
}

// Password hashing: argon2id, memory-hard, with a per-user random salt.
// The parameters are OWASP's (19 MiB, 2 passes, 1 lane); they are stored
// in each hash, so raising them later leaves old hashes readable.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

var b64 = base64.RawStdEncoding

func hashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is verified against when the user does not exist.
var dummyHash, _ = hashPassword("no such user: spend the time anyway")

func verifyPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil || mem > 1<<22 || iter > 64 || threads == 0 {
		return false
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// GeneratePassword returns a random password that reads well aloud and on
// paper: 12 letters and digits without look-alikes (0/O, 1/l/I), in groups.
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for i := range 12 {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[randIntN(len(alphabet))])
	}
	return b.String()
}
