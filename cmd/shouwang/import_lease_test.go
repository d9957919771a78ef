package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// TestImportCommittedWhenReevaluationFails: while another process's
// evaluation holds on, an import still commits and exits 0; its JSON says
// "reevaluated": false and why, and the next `evaluate` (of another
// village) evaluates its households. Unhindered, "reevaluated": true.
func TestImportCommittedWhenReevaluationFails(t *testing.T) {
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			if code, out, errOut := cli(t, e.DSN, "evaluate", "--as-of", "2022-12-31"); code != 0 {
				t.Fatalf("first evaluation: exit %d\n%s%s", code, out, errOut)
			}
			other, err := store.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if ok, err := other.AcquireLease(ctx, store.EvaluationLease, "另一进程", time.Hour); err != nil || !ok {
				t.Fatalf("holding the lease: %v %v", ok, err)
			}

			code, out, errOut := cli(t, e.DSN, "import", "--json", "--skip-invalid", "--wait", "300ms", sampleRoster)
			if code != 0 {
				t.Fatalf("import beside a running evaluation: exit %d, want 0\n%s%s", code, out, errOut)
			}
			var raw map[string]any
			if err := json.Unmarshal([]byte(out), &raw); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if raw["committed"] != true || raw["reevaluated"] != false {
				t.Fatalf("committed %v, reevaluated %v: want true, false\n%s", raw["committed"], raw["reevaluated"], out)
			}
			if msg, _ := raw["reevaluation_error"].(string); !strings.Contains(msg, "另一项风险评估正在进行") {
				t.Fatalf("reevaluation_error = %q", msg)
			}
			if raw["code"] != nil || raw["error"] != nil {
				t.Fatalf("the import was reported as failed:\n%s", out)
			}

			if err := other.ReleaseLease(ctx, store.EvaluationLease, "另一进程"); err != nil {
				t.Fatal(err)
			}
			// A village that is not in the file: only the marked households
			// make this run evaluate anything.
			code, out, errOut = cli(t, e.DSN, "evaluate", "--json", "--as-of", "2022-12-31", "--village", "无此村")
			if code != 0 {
				t.Fatalf("next evaluation: exit %d\n%s%s", code, out, errOut)
			}
			var c monitor.EvaluationCounts
			if err := json.Unmarshal([]byte(out), &c); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if c.Households != 94 || c.Opened == 0 {
				t.Fatalf("the next evaluation took %d households and opened %d flags, want the 94 imported", c.Households, c.Opened)
			}

			code, rep := importJSON(t, e.DSN, "--skip-invalid", editedCopy(t))
			if code != 0 || !rep.Reevaluated || rep.ReevaluationError != "" || rep.Evaluation == nil {
				t.Fatalf("unhindered import: exit %d, reevaluated %v, error %q, evaluation %+v", code, rep.Reevaluated, rep.ReevaluationError, rep.Evaluation)
			}
		})
	}
}
