package web_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
)

// fakeChromium writes a script that fails as a crashed Chromium does (it
// exits before printing where its DevTools listen) on its first start,
// and is the real Chromium at path from then on.
func fakeChromium(t *testing.T, path string) (script, marker string) {
	t.Helper()
	dir := t.TempDir()
	script, marker = filepath.Join(dir, "chromium"), filepath.Join(dir, "started-once")
	body := "#!/bin/sh\nif [ ! -e '" + marker + "' ]; then touch '" + marker + "'; echo 'crashed at start' >&2; exit 1; fi\nexec '" + path + "' \"$@\"\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, marker
}

func TestTheBrowserIsStartedAgainWhenItsStartFails(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		if inCI() {
			t.Fatal("no Chromium found (install chromium or set ACCREDIT_CHROMIUM); CI is set, so the browser tests must run")
		}
		skipLoudly(t, "no Chromium found (install chromium or set ACCREDIT_CHROMIUM)")
	}
	script, marker := fakeChromium(t, path)

	// The fake's crash, then as many real starts as the shared browser is
	// given: a real Chromium may crash at its start too on a busy machine
	// (it did once in .ci/run, 2026-12-06), which is not what this tests.
	var retried []int
	ctx, cancel, err := startChromium(script, 1+chromiumStarts, func(attempt int, err error) { retried = append(retried, attempt) })
	defer cancel()
	if err != nil {
		t.Fatalf("the starts after the first: %v", err)
	}
	if len(retried) == 0 || retried[0] != 1 || !slices.Equal(retried, []int{1, 2, 3}[:len(retried)]) {
		t.Errorf("attempts told of: %v, want [1] (or [1 2], [1 2 3] if the real Chromium crashed at its start too)", retried)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("data:text/html,<title>up</title>")); err != nil {
		t.Fatalf("the browser started on the second attempt: %v", err)
	}
	if title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`)); err != nil || title != "up" {
		t.Errorf("the browser started on the second attempt: title %q, %v", title, err)
	}

	// With one attempt, a failed start is the answer, and nothing is retried.
	if err := os.Remove(marker); err != nil {
		t.Fatal(err)
	}
	_, cancelOnce, err := startChromium(script, 1, func(attempt int, err error) { t.Errorf("retried attempt %d with one allowed", attempt) })
	cancelOnce()
	if err == nil {
		t.Error("a start that failed with its one attempt reported no error")
	}
}
