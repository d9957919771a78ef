package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

// TestUploadSavedThoughEvaluationWaits: a committed upload whose follow-up
// evaluation cannot run says that the import is saved and the evaluation
// will be redone; its households are marked for the next one.
func TestUploadSavedThoughEvaluationWaits(t *testing.T) {
	defer func(w time.Duration) { importEvalWait = w }(importEvalWait)
	importEvalWait = 200 * time.Millisecond
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "county", store.RoleCounty, "")
		if _, err := watch.Evaluate(ctx, e.db, monitor.Date{Year: 2022, Month: 12, Day: 31}, store.EvalScope{}); err != nil {
			t.Fatal(err)
		}
		if ok, err := e.db.AcquireLease(ctx, store.EvaluationLease, "另一进程", time.Hour); err != nil || !ok {
			t.Fatalf("holding the lease: %v %v", ok, err)
		}
		c := e.client(t)
		c.login("county", samplePW)
		res := c.get("/uploads/" + c.importSample())
		if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "导入完成") {
			t.Fatalf("upload result: status %d\n%s", res.StatusCode, res.body)
		}
		for _, want := range []string{"导入已写入，但随后的风险评估未完成", "另一项风险评估正在进行", "下次评估时一并评估"} {
			if !strings.Contains(res.body, want) {
				t.Fatalf("the result page does not say %q\n%s", want, res.body)
			}
		}
		if pending, err := e.db.EvalPending(ctx); err != nil || len(pending) != 94 {
			t.Fatalf("%d households marked, want the 94 imported (%v)", len(pending), err)
		}
	})
}
