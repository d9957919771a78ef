package imports

import (
	"context"
	"runtime/debug"
	"testing"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

var today = monitor.Date{Year: 2023, Month: 1, Day: 15}

// TestRecordsKeptToPlace: a village user uploading the whole loan ledger
// writes only their village's loans; the others are out_of_scope.
func TestRecordsKeptToPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := Run(ctx, db, Request{Path: "../../testdata/households.xlsx", Options: store.ImportOptions{Actor: "区县", SkipInvalid: true},
			Scope: store.Everywhere, Today: today, Limits: sheet.DefaultLimits()}); err != nil {
			t.Fatal(err)
		}
		village := store.Scope{Township: "东城街道", Village: "皂角井社区"}
		rep, err := Run(ctx, db, Request{Path: "../../testdata/loans.xlsx", Options: store.ImportOptions{Actor: "村", SkipInvalid: true},
			Scope: village, Today: today, Limits: sheet.DefaultLimits()})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Kind != monitor.KindLoans || rep.Loans == nil || rep.Loans.Created == 0 {
			t.Fatalf("kind %q, loans %+v", rep.Kind, rep.Loans)
		}
		out := 0
		for _, e := range rep.Errors {
			switch e.Code {
			case monitor.CodeOutOfScope:
				out++
				if e.Row == 0 {
					t.Fatalf("out_of_scope without its row: %+v", e)
				}
			case "borrower_not_found":
			default:
				t.Fatalf("unexpected error %+v", e)
			}
		}
		if out == 0 || out+1 != rep.Loans.Rejected {
			t.Fatalf("%d out_of_scope of %d rejected", out, rep.Loans.Rejected)
		}
		loans, err := db.FindLoans(ctx, store.Everywhere, store.LoanFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(loans) != rep.Loans.Created {
			t.Fatalf("%d loans stored, %d created", len(loans), rep.Loans.Created)
		}
		for _, l := range loans {
			if l.Village != "皂角井社区" {
				t.Fatalf("a loan of %s was written by a 皂角井社区 user", l.Village)
			}
		}
	})
}

// TestTightMemoryNests: overlapping large imports restore the limit that
// was there before the first, whatever order they end in.
func TestTightMemoryNests(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	a := tightMemory()
	b := tightMemory()
	if got := debug.SetMemoryLimit(-1); got != importMemoryLimit {
		t.Fatalf("limit during imports = %d, want %d", got, importMemoryLimit)
	}
	a()
	if got := debug.SetMemoryLimit(-1); got != importMemoryLimit {
		t.Fatalf("limit lifted while an import still runs: %d", got)
	}
	b()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("limit after imports = %d, want %d", got, before)
	}
}
