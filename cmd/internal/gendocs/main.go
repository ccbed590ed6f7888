// Command gendocs writes the man pages and shell completions of both airsign
// binaries from their cobra command trees, so the documentation an operator
// reads on the offline laptop is the flags the binary really has.
//
// It is a build tool, not part of the product: `make docs` runs it into
// docs/, and scripts/release.sh runs it to ship the same files with a
// release.
//
//	go run ./cmd/internal/gendocs -out docs [-date 2006-01-02] [-version v1.2.3]
//
// writes OUT/man/*.1 (one page per command) and OUT/completions/ (bash,
// zsh, fish, PowerShell for each binary). The output depends only on the
// source and the flags: flag defaults that come from the environment or the
// home directory are computed with AIRSIGN_* and XDG_* unset and HOME=~, and
// the date in the pages is -date (default: 1 January 2000; the release
// passes the commit date).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airsign/airsign/cmd/internal/offlinecmd"
	"github.com/airsign/airsign/cmd/internal/onlinecmd"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func main() {
	out := flag.String("out", "docs", "directory to write man/ and completions/ into")
	date := flag.String("date", "2000-01-01", "date printed in the man pages (YYYY-MM-DD)")
	ver := flag.String("version", "", "version printed in the man pages' footer (empty: none)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gendocs [-out DIR] [-date YYYY-MM-DD] [-version V]")
		os.Exit(2)
	}
	d, err := time.Parse("2006-01-02", *date)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: -date %q: want YYYY-MM-DD\n", *date)
		os.Exit(2)
	}
	if err := run(*out, d, *ver); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
}

func run(out string, date time.Time, ver string) error {
	neutralEnv()
	manDir := filepath.Join(out, "man")
	compDir := filepath.Join(out, "completions")
	for _, dir := range []string{manDir, compDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	// Pages of commands that no longer exist must not survive a rerun.
	old, err := filepath.Glob(filepath.Join(manDir, "airsign-*.1"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	source := "airsign"
	if ver != "" {
		source += " " + ver
	}
	for _, root := range []*cobra.Command{offlinecmd.Command(), onlinecmd.Command()} {
		// Execute adds these lazily; add them now so that --help,
		// --version and the completion command are documented too.
		root.InitDefaultHelpFlag()
		root.InitDefaultVersionFlag()
		root.InitDefaultCompletionCmd()
		root.DisableAutoGenTag = true
		hdr := &doc.GenManHeader{Title: strings.ToUpper(root.Name()), Section: "1", Source: source, Manual: "airsign manual", Date: &date}
		if err := doc.GenManTree(root, hdr, manDir); err != nil {
			return fmt.Errorf("man pages of %s: %w", root.Name(), err)
		}
		if err := completions(root, compDir); err != nil {
			return err
		}
	}
	return nil
}

// completions writes the four scripts cobra generates; each calls the
// binary's hidden __complete command at run time, so it completes
// subcommands and flags of whatever version is installed.
func completions(root *cobra.Command, dir string) error {
	name := root.Name()
	gens := []struct {
		file string
		gen  func(*bytes.Buffer) error
	}{
		{name + ".bash", func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) }},
		{"_" + name, func(b *bytes.Buffer) error { return root.GenZshCompletion(b) }},
		{name + ".fish", func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) }},
		{name + ".ps1", func(b *bytes.Buffer) error { return root.GenPowerShellCompletionWithDesc(b) }},
	}
	for _, g := range gens {
		var b bytes.Buffer
		if err := g.gen(&b); err != nil {
			return fmt.Errorf("completion %s: %w", g.file, err)
		}
		if err := os.WriteFile(filepath.Join(dir, g.file), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// neutralEnv makes flag defaults that the binaries read from the
// environment or derive from the home directory come out the same on every
// machine: "~/.config/airsign", not "/home/alice/.config/airsign".
func neutralEnv() {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AIRSIGN_") || strings.HasPrefix(k, "XDG_") {
			os.Unsetenv(k)
		}
	}
	os.Setenv("HOME", "~")
}
