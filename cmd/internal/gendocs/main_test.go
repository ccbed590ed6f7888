package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// .TH lines carry the date of the commit the pages were made from.
var thLine = regexp.MustCompile(`(?m)^\.TH .*$`)

// TestDocsAreFresh fails when docs/man or docs/completions no longer match
// the command trees: the pages an operator reads offline must list the
// flags the binary really has. Run `make docs` to regenerate them.
func TestDocsAreFresh(t *testing.T) {
	tmp := t.TempDir()
	if err := run(tmp, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), ""); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"man", "completions"} {
		want, _ := filepath.Glob(filepath.Join(tmp, sub, "*"))
		have, _ := filepath.Glob(filepath.Join("..", "..", "..", "docs", sub, "*"))
		if len(want) != len(have) {
			t.Errorf("docs/%s has %d files, the command trees make %d: run make docs", sub, len(have), len(want))
		}
		for _, w := range want {
			gen, _ := os.ReadFile(w)
			committed, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", sub, filepath.Base(w)))
			if err != nil {
				t.Errorf("docs/%s/%s is missing: run make docs", sub, filepath.Base(w))
				continue
			}
			if !bytes.Equal(thLine.ReplaceAll(gen, nil), thLine.ReplaceAll(committed, nil)) {
				t.Errorf("docs/%s/%s is stale: run make docs", sub, filepath.Base(w))
			}
		}
	}
}
