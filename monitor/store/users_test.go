package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.AddPlacePath(ctx, "东城街道/皂角井社区/7组"); err != nil {
			t.Fatal(err)
		}
		t.Run("OK", func(t *testing.T) {
			u, err := db.CreateUser(ctx, store.NewUser{Username: "zjj", Role: store.RoleVillage, PlacePath: "东城街道/皂角井社区", Password: "a long password"})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := u.Scope(), (store.Scope{Township: "东城街道", Village: "皂角井社区"}); got != want {
				t.Fatalf("scope %+v, want %+v", got, want)
			}
			if strings.Contains(u.PasswordHash, "a long password") || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
				t.Fatalf("stored hash %q", u.PasswordHash)
			}
			if _, err := db.Authenticate(ctx, "zjj", "a long password"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("SaltPerUser", func(t *testing.T) {
			a, _ := db.CreateUser(ctx, store.NewUser{Username: "a", Role: store.RoleCounty, Password: "same password"})
			b, _ := db.CreateUser(ctx, store.NewUser{Username: "b", Role: store.RoleCounty, Password: "same password"})
			if a.PasswordHash == b.PasswordHash {
				t.Fatal("two users with one password have one hash")
			}
		})
		for _, tc := range []struct {
			name string
			in   store.NewUser
			code string
		}{
			{"ErrPlaceMissing", store.NewUser{Username: "x1", Role: store.RoleVillage, PlacePath: "东城街道/没有的村", Password: "a long password"}, monitor.ENOTFOUND},
			{"ErrPlaceRequired", store.NewUser{Username: "x2", Role: store.RoleTownship, Password: "a long password"}, monitor.EINVALID},
			{"ErrVillageUserOnTownship", store.NewUser{Username: "x3", Role: store.RoleVillage, PlacePath: "东城街道", Password: "a long password"}, monitor.EINVALID},
			{"ErrRole", store.NewUser{Username: "x4", Role: "boss", Password: "a long password"}, monitor.EINVALID},
			{"ErrShortPassword", store.NewUser{Username: "x5", Role: store.RoleCounty, Password: "short"}, monitor.EINVALID},
			{"ErrDuplicate", store.NewUser{Username: "zjj", Role: store.RoleCounty, Password: "a long password"}, monitor.ECONFLICT},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := db.CreateUser(ctx, tc.in); monitor.ErrorCode(err) != tc.code {
					t.Fatalf("err %v, want %s", err, tc.code)
				}
			})
		}
		t.Run("ErrBadLogin", func(t *testing.T) {
			for _, c := range [][2]string{{"zjj", "wrong password"}, {"nobody", "a long password"}} {
				if _, err := db.Authenticate(ctx, c[0], c[1]); err != store.ErrBadLogin {
					t.Errorf("Authenticate(%s): %v, want ErrBadLogin", c[0], err)
				}
			}
		})
		t.Run("PasswdEndsSessions", func(t *testing.T) {
			u, _ := db.FindUserByName(ctx, "zjj")
			token, _, err := db.CreateSession(ctx, u.ID, "127.0.0.1", "test", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SetPassword(ctx, "zjj", "another long one", true); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FindSession(ctx, token, time.Hour); monitor.ErrorCode(err) != monitor.ENOTFOUND {
				t.Fatalf("session after passwd: %v", err)
			}
			if u, _ := db.Authenticate(ctx, "zjj", "another long one"); u == nil || !u.MustChangePassword {
				t.Fatal("new password not in force or must_change not set")
			}
		})
		t.Run("Disable", func(t *testing.T) {
			u, _ := db.FindUserByName(ctx, "zjj")
			token, _, _ := db.CreateSession(ctx, u.ID, "127.0.0.1", "test", time.Hour)
			api, _ := db.CreateToken(ctx, "zjj", "script")
			if _, err := db.SetUserDisabled(ctx, "zjj", true); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FindSession(ctx, token, time.Hour); err == nil {
				t.Error("session of a disabled user still alive")
			}
			if _, err := db.FindUserByToken(ctx, api); err == nil {
				t.Error("token of a disabled user still works")
			}
			if _, err := db.Authenticate(ctx, "zjj", "another long one"); monitor.ErrorCode(err) != monitor.EFORBIDDEN {
				t.Errorf("login of a disabled user: %v", err)
			}
			db.SetUserDisabled(ctx, "zjj", false)
			if _, err := db.FindUserByToken(ctx, api); err != nil {
				t.Errorf("token after enable: %v", err)
			}
		})
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		u, err := db.CreateUser(ctx, store.NewUser{Username: "c", Role: store.RoleCounty, Password: "a long password"})
		if err != nil {
			t.Fatal(err)
		}
		token, s, err := db.CreateSession(ctx, u.ID, "10.0.0.1", "test", 12*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) < 40 || s.CSRFToken == "" {
			t.Fatalf("token %q csrf %q", token, s.CSRFToken)
		}
		got, err := db.FindSession(ctx, token, 2*time.Hour)
		if err != nil || got.User.Username != "c" {
			t.Fatalf("FindSession: %v", err)
		}
		if _, err := db.FindSession(ctx, token+"x", 2*time.Hour); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Fatalf("wrong token: %v", err)
		}
		t.Run("Idle", func(t *testing.T) {
			now = now.Add(90 * time.Minute)
			if _, err := db.FindSession(ctx, token, 2*time.Hour); err != nil {
				t.Fatalf("in use within idle: %v", err)
			}
			now = now.Add(2*time.Hour + time.Second)
			if _, err := db.FindSession(ctx, token, 2*time.Hour); err == nil {
				t.Fatal("idle session still alive")
			}
		})
		t.Run("Absolute", func(t *testing.T) {
			token, _, _ := db.CreateSession(ctx, u.ID, "10.0.0.1", "test", 12*time.Hour)
			for range 13 { // used every hour, never idle
				now = now.Add(time.Hour)
				db.FindSession(ctx, token, 2*time.Hour)
			}
			if _, err := db.FindSession(ctx, token, 2*time.Hour); err == nil {
				t.Fatal("session alive past its absolute end")
			}
		})
		t.Run("Purge", func(t *testing.T) {
			db.CreateSession(ctx, u.ID, "10.0.0.1", "test", time.Hour)
			now = now.Add(2 * time.Hour)
			if n, err := db.PurgeSessions(ctx, time.Hour); err != nil || n < 1 {
				t.Fatalf("purge: %d %v", n, err)
			}
		})
	})
}

func TestAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, a := range []string{store.AuditLogin, store.AuditViewHousehold, store.AuditViewHousehold} {
			if err := db.Audit(ctx, store.AuditEntry{Username: "u", Action: a, Object: "household:1", IP: "127.0.0.1"}); err != nil {
				t.Fatal(err)
			}
		}
		es, total, err := db.FindAudit(ctx, store.AuditFilter{Action: store.AuditViewHousehold})
		if err != nil || total != 2 || len(es) != 2 || es[0].ID < es[1].ID {
			t.Fatalf("FindAudit: %d %v %+v", total, err, es)
		}
	})
}

func TestScope(t *testing.T) {
	village := store.Scope{Township: "东城街道", Village: "皂角井社区"}
	township := store.Scope{Township: "东城街道"}
	for _, tc := range []struct {
		name string
		s    store.Scope
		t, v string
		want bool
	}{
		{"EverywhereOK", store.Everywhere, "西城街道", "x", true},
		{"ZeroSeesNothing", store.Scope{}, "东城街道", "皂角井社区", false},
		{"VillageOK", village, "东城街道", "皂角井社区", true},
		{"VillageOther", village, "东城街道", "灌坝社区", false},
		{"VillageSameNameOtherTownship", village, "西城街道", "皂角井社区", false},
		{"TownshipOK", township, "东城街道", "灌坝社区", true},
		{"TownshipOther", township, "西城街道", "灌坝社区", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Contains(tc.t, tc.v); got != tc.want {
				t.Fatalf("%+v.Contains(%s, %s) = %v", tc.s, tc.t, tc.v, got)
			}
		})
	}
	for _, tc := range []struct {
		role, path string
		want       store.Scope
	}{
		{store.RoleVillage, "东城街道/皂角井社区/7组", village},
		{store.RoleVillage, "南川区/东城街道/皂角井社区/7组", village},
		{store.RoleTownship, "东城街道/皂角井社区", township},
		{store.RoleVillage, "东城街道", store.Scope{}},
		{store.RoleAdmin, "", store.Everywhere},
	} {
		if got := store.ScopeOf(tc.role, tc.path); got != tc.want {
			t.Errorf("ScopeOf(%s, %s) = %+v, want %+v", tc.role, tc.path, got, tc.want)
		}
	}
}
