package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/airsign/airsign/transport"
	"github.com/creack/pty"
	"github.com/spf13/cobra"
)

func TestRunPrintsErrorsSafely(t *testing.T) {
	root := &cobra.Command{Use: "tool", RunE: func(*cobra.Command, []string) error {
		return errors.New("bad code \x1b]0;owned\x07 \x1b[2J\u009b31m\xff end\nsecond \x1b[1Aline")
	}}
	var stderr bytes.Buffer
	if code := Run(root, nil, &stderr, nil); code != ExitError {
		t.Fatalf("exit %d", code)
	}
	want := "tool: error: bad code ?]0;owned? ?[2J?31m? end\nsecond ?[1Aline\n"
	if got := stderr.String(); got != want {
		t.Fatalf("printed %q\nwant    %q", got, want)
	}
}

func TestPrintableLines(t *testing.T) {
	for in, want := range map[string]string{
		"plain, with\ttab": "plain, with\ttab",
		"é ünïcode ₿":      "é ünïcode ₿",
		"\x00\x7f\u0085":   "???",
		"a\xc3":            "a?",
	} {
		if got := transport.Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBadQRFlagIsAUsageError: README's exit code 2 is for a wrong command
// line, bad QR options included.
func TestBadQRFlagIsAUsageError(t *testing.T) {
	root := &cobra.Command{Use: "tool", RunE: func(*cobra.Command, []string) error {
		return transport.QROptions{Term: true, Level: "X"}.CheckPSBT()
	}}
	var stderr bytes.Buffer
	if code := Run(root, nil, &stderr, nil); code != ExitUsage {
		t.Fatalf("exit %d, want %d: %s", code, ExitUsage, stderr.String())
	}
	if !strings.Contains(stderr.String(), "--qr-level: ") {
		t.Errorf("the flag at fault is not named: %s", stderr.String())
	}
}

// TestHintsArePrintedOnTheirOwnLines: advice travels as data and every
// hint along the error's chain gets a "hint:" line, the message none.
func TestHintsArePrintedOnTheirOwnLines(t *testing.T) {
	root := &cobra.Command{Use: "tool", RunE: func(*cobra.Command, []string) error {
		inner := transport.WithHint(errors.New("no node address"), "give --rpc-url")
		return transport.WithHint(fmt.Errorf("connecting: %w", inner), "or set AIRSIGN_RPC_URL")
	}}
	var stderr bytes.Buffer
	if code := Run(root, nil, &stderr, nil); code != ExitError {
		t.Fatalf("exit %d", code)
	}
	want := "tool: error: connecting: no node address\nhint: or set AIRSIGN_RPC_URL\nhint: give --rpc-url\n"
	if got := stderr.String(); got != want {
		t.Fatalf("printed %q\nwant    %q", got, want)
	}
}

// TestCommandsGetRunsContext: every command sees the one context Run made
// (the one Ctrl-C cancels), also a subcommand.
func TestCommandsGetRunsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var seen error
	root := &cobra.Command{Use: "tool"}
	root.AddCommand(&cobra.Command{Use: "sub", RunE: func(cmd *cobra.Command, _ []string) error {
		seen = cmd.Context().Err()
		return seen
	}})
	var stderr bytes.Buffer
	if code := run(ctx, root, []string{"sub"}, &stderr, nil); code != ExitError {
		t.Fatalf("exit %d", code)
	}
	if !errors.Is(seen, context.Canceled) {
		t.Fatalf("the command's context is not Run's: %v", seen)
	}
}

// TestErrorsFitTheConsole: on a terminal an error and its hints are
// wrapped between words to 80 columns, a number kept with its word; piped,
// each stays one line for a script to search.
func TestErrorsFitTheConsole(t *testing.T) {
	msg := "sign: refused: input 3 spends a coin whose amount the PSBT states twice, differently; output 1 pays an address of another network"
	hint := "prepare the PSBT again with airsign-online prepare, or ask whoever made it which amount is true before anything is signed"
	root := func() *cobra.Command {
		return &cobra.Command{Use: "tool", RunE: func(*cobra.Command, []string) error {
			return transport.WithHint(errors.New(msg), hint)
		}}
	}

	var piped bytes.Buffer
	Run(root(), nil, &piped, nil)
	if want := "tool: error: " + msg + "\nhint: " + hint + "\n"; piped.String() != want {
		t.Fatalf("piped: %q\nwant %q", piped.String(), want)
	}

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	Run(root(), nil, tty, nil)
	tty.Close()
	out, _ := io.ReadAll(ptmx) // ends with EIO once the terminal side is closed
	screen := strings.ReplaceAll(string(out), "\r\n", "\n")
	lines := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("not wrapped on a console:\n%s", screen)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("a line of %d columns:\n%s", n, l)
		}
	}
	if !strings.Contains(screen, "input 3") || !strings.Contains(screen, "output 1") {
		t.Errorf("a number was parted from its word:\n%s", screen)
	}
	unwrapped := regexp.MustCompile(`\n +`).ReplaceAllString(screen, " ")
	if want := "tool: error: " + msg + "\nhint: " + hint + "\n"; unwrapped != want {
		t.Errorf("the wrapped text lost or changed words:\n%s", screen)
	}
}
