package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/airsign/airsign/transport"
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
