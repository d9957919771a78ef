package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

func TestMigrationsSameNames(t *testing.T) {
	a, err := store.MigrationNames(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.MigrationNames(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("migration files differ: sqlite %v, postgres %v", a, b)
	}
}

func TestMigrationsSameColumns(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("SHOUWANG_TEST_POSTGRES not set: cannot compare with PostgreSQL")
	}
	ctx := context.Background()
	var cols []map[string][]string
	for _, e := range storetest.DSNs(t) {
		db, err := store.Open(ctx, e.DSN)
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.Columns(ctx)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if !reflect.DeepEqual(cols[0], cols[1]) {
		t.Fatalf("schemas differ:\nsqlite   %v\npostgres %v", cols[0], cols[1])
	}
}

func TestReopenAppliesNothingTwice(t *testing.T) {
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			for i := 0; i < 2; i++ {
				db, err := store.Open(context.Background(), e.DSN)
				if err != nil {
					t.Fatalf("open %d: %v", i, err)
				}
				db.Close()
			}
		})
	}
}

func TestPlaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p, err := db.AddPlacePath(ctx, " 东城街道 / 皂角井社区 ")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := p.Path, "东城街道/皂角井社区"; got != want {
			t.Fatalf("path = %q, want %q", got, want)
		}
		if got, want := p.Level, monitor.LevelVillage; got != want {
			t.Fatalf("level = %q, want %q", got, want)
		}
		if _, err := db.AddPlacePath(ctx, "东城街道/皂角井社区/7组"); err != nil {
			t.Fatal(err)
		}
		ps, err := db.FindPlaces(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(ps), 3; got != want {
			t.Fatalf("places = %d, want %d: %+v", got, want, ps)
		}
		if _, err := db.FindPlaceByPath(ctx, "西城街道"); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Fatalf("missing place: err = %v, want not found", err)
		}
		if _, err := db.AddPlacePath(ctx, "//"); monitor.ErrorCode(err) != monitor.EINVALID {
			t.Fatalf("empty path: err = %v, want invalid", err)
		}
	})
}
