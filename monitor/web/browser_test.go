package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

// chromiumPath finds Debian's chromium, or "".
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// startBrowser starts headless Debian Chromium for a test, or skips the
// test when it is absent. shot writes a full-page screenshot: into
// docs/screenshots with SHOUWANG_SCREENSHOTS=1, else into a temp folder.
func startBrowser(t *testing.T, timeout time.Duration) (context.Context, func(name string) chromedp.Action[chromedp.Void]) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium not found (/usr/bin/chromium): install it with `apt-get install -y chromium` to run the browser test")
	}
	shots := t.TempDir()
	if os.Getenv("SHOUWANG_SCREENSHOTS") == "1" {
		shots = "../../docs/screenshots"
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1366, 768))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, timeout)
	t.Cleanup(cancel)
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		})
	}
	return ctx, shot
}

// TestBrowser drives headless Chromium through what a village cadre does:
// log in, upload the roster, read the dry run, commit, open a household.
// With SHOUWANG_SCREENSHOTS=1 it writes the main pages to docs/screenshots.
func TestBrowser(t *testing.T) {
	ctx, shot := startBrowser(t, 90*time.Second)
	e := newEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "b.db"), Config{})
	e.now = time.Now()
	e.user(t, "zjj", store.RoleTownship, sampleTown)
	roster, err := filepath.Abs(sampleRoster)
	if err != nil {
		t.Fatal(err)
	}

	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	base := e.ts.URL
	do(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		shot("login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "zjj"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), samplePW),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),

		chromedp.Navigate(base+"/imports"),
		chromedp.WaitVisible(chromedp.CSS(`#upload-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{roster}),
		shot("imports"),
		chromedp.Click(chromedp.CSS(`#upload-btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#rejected`)),
		shot("dry-run"),
	)
	rejected := text(`#rejected`)
	do(
		chromedp.Click(chromedp.CSS(`button[value=skip]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
		shot("committed"),
	)
	result := text(`p.ok`)
	// The first evaluation is the operator's (shouwang evaluate); run it
	// so the dashboard shows flags.
	if _, err := watch.Evaluate(context.Background(), e.db, monitor.DateOf(e.now), store.EvalScope{}); err != nil {
		t.Fatal(err)
	}
	do(
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
		shot("dashboard"),
		chromedp.Navigate(base+"/households?category=any"),
		chromedp.WaitVisible(chromedp.CSS(`table.list`)),
		shot("households"),
		chromedp.Click(chromedp.CSS(`table.list tbody tr:first-child td:nth-child(2) a`)),
		chromedp.WaitVisible(chromedp.CSS(`dl.facts`)),
		shot("household"),
	)
	heading := text(`h1`)
	do(
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
		shot("dashboard-phone"),
	)
	if strings.TrimSpace(rejected) != "6" {
		t.Errorf("dry run shows %q rejected households, want 6", rejected)
	}
	if !strings.Contains(result, "已写入") {
		t.Errorf("commit result %q", result)
	}
	if !strings.Contains(heading, "户") {
		t.Errorf("household page heading %q", heading)
	}
	if n, _, _ := e.db.CountRegistry(context.Background()); n != loadAnswers(t).HouseholdsValid {
		t.Errorf("households after the browser import: %d", n)
	}
}
