package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

// TestMain lets a test start this binary as the shouwang command, so a
// test can kill a real import process.
func TestMain(m *testing.M) {
	if args := os.Getenv("SHOUWANG_TEST_CLI_ARGS"); args != "" {
		app := &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
		os.Exit(app.Run(context.Background(), strings.Split(args, "\x1f")))
	}
	os.Exit(m.Run())
}

// TestKilledImportLeavesDatabaseAsItWas kills an import of a large roster
// while it is writing, and checks the registry still holds exactly what it
// held before.
func TestKilledImportLeavesDatabaseAsItWas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large roster")
	}
	big := filepath.Join(t.TempDir(), "big.xlsx")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.WriteRoster(f, synth.Config{Seed: 7, Households: 40000}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			if code, rep := importJSON(t, e.DSN, "--skip-invalid", sampleRoster); code != 0 || rep.Households.Created != 94 {
				t.Fatalf("first import: exit %d %+v", code, rep.Households)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SHOUWANG_TEST_CLI_ARGS=import\x1f--db\x1f"+e.DSN+"\x1f--skip-invalid\x1f"+big)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			writing := waitForWrites(t, e, exited)
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			if !writing {
				t.Fatal("the import finished before it could be killed while writing; make the roster larger")
			}
			db, err := store.Open(context.Background(), e.DSN)
			if err != nil {
				t.Fatalf("reopen after kill: %v", err)
			}
			defer db.Close()
			hs, ms, err := db.CountRegistry(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if hs != 94 || ms != 272 {
				t.Fatalf("after the killed import: %d households, %d members; want 94 and 272 as before", hs, ms)
			}
		})
	}
}

// waitForWrites waits until the import process is inside its write
// transaction: for SQLite its write-ahead log grows, for PostgreSQL the
// server shows it inserting or copying members.
func waitForWrites(t *testing.T, e storetest.Engine, exited chan error) bool {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var pg *sql.DB
	if e.Name == store.Postgres {
		var err error
		if pg, err = sql.Open("postgres", storetest.PostgresURL()); err != nil {
			t.Fatal(err)
		}
		defer pg.Close()
	}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return false
		default:
		}
		if pg != nil {
			var n int
			pg.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND (query LIKE 'INSERT INTO members%' OR query LIKE 'COPY "members"%')`).Scan(&n)
			if n > 0 {
				return true
			}
		} else if st, err := os.Stat(strings.SplitN(strings.TrimPrefix(e.DSN, "sqlite:"), "?", 2)[0] + "-wal"); err == nil && st.Size() > 4<<20 {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the import never started writing")
	return false
}
