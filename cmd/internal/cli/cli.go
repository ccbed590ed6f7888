// Package cli holds what both airsign binaries do the same way around their
// commands: one context cancelled by Ctrl-C, printing errors with hints and
// mapping them to exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	count "github.com/airsign/airsign/transport/plural"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes, documented in the README. Scripts rely on them.
const (
	ExitOK      = 0
	ExitError   = 1 // the command failed; the message says why
	ExitUsage   = 2 // the command line was wrong
	ExitRefused = 3 // the signer or policy refused; nothing was signed or sent
	ExitOverdue = 4 // ceremony status: something the schedule asks for is overdue
)

// ExitCoder is implemented by errors that carry their own exit code (the
// overdue status, exit 4).
type ExitCoder interface{ ExitCode() int }

// Hinter is implemented by errors that know what the user should do next
// (transport.WithHint makes one); Run prints each hint on its own line.
type Hinter interface{ Hint() string }

// UsageError marks an error in the command line itself.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Run executes root with args and returns the process exit code. Errors are
// printed as "NAME: error: …" with "hint: …" lines, never as a stack trace.
// refused tells which errors mean a refusal (exit 3).
//
// Every command runs under one context, cmd.Context(), which the first
// Ctrl-C cancels: commands pass it down, so a node request, a camera scan or
// an animation stops the same way everywhere and the command still reports
// (and logs) how it ended. A second Ctrl-C ends the process at once.
func Run(root *cobra.Command, args []string, stderr io.Writer, refused func(error) bool) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the default action again: a second Ctrl-C ends the process
	}()
	return run(ctx, root, args, stderr, refused)
}

func run(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer, refused func(error) bool) int {
	root.SetArgs(args)
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return UsageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	msg := err.Error()
	printError(stderr, root.Name()+": error: "+msg, transport.Hints(err))
	var u UsageError
	var fe transport.FlagError
	var ec ExitCoder
	switch {
	case errors.As(err, &ec):
		return ec.ExitCode()
	case errors.As(err, &u) || errors.As(err, &fe) || isCobraUsage(msg):
		return ExitUsage
	case refused != nil && refused(err):
		return ExitRefused
	}
	return ExitError
}

func isCobraUsage(msg string) bool {
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// ExactArgs is cobra.ExactArgs with a message that names what is missing.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return UsageError{fmt.Errorf("%s expects %s (got %s)", cmd.CommandPath(), what, count.Of(len(args), "argument"))}
		}
		return nil
	}
}

// QRFlags adds the QR output flags both binaries share.
func QRFlags(cmd *cobra.Command, o *transport.QROptions) {
	qrOutputFlags(cmd, o, "the QR")
	f := cmd.Flags()
	f.StringVar(&o.Format, "qr-format", "ur", "ur (UR crypto-psbt, what Sparrow, SeedSigner and Keystone read), bbqr (Coldcard), or base64 (one code if it fits)")
	f.StringVar(&o.URType, "ur-type", "crypto-psbt", "UR type: crypto-psbt or psbt")
	f.StringVar(&o.Density, "qr-density", "medium", "low, medium or high (UR fragments of 80, 200 or 400 bytes)")
	f.BoolVar(&o.Split, "qr-split", false, "always send a series of codes, even when the PSBT fits one")
}

// DescriptorQRFlags adds the flags that also show a watch-only descriptor
// as QR codes.
func DescriptorQRFlags(cmd *cobra.Command, o *transport.QROptions) {
	qrOutputFlags(cmd, o, "the descriptor's QR")
	f := cmd.Flags()
	f.StringVar(&o.Format, "qr-format", "ur", "ur (UR crypto-output: airsign-online, Sparrow, Keystone) or text (the descriptor itself)")
	f.StringVar(&o.Density, "qr-density", "medium", "when a UR needs several codes: low, medium or high (fragments of 80, 200 or 400 bytes)")
	f.BoolVar(&o.Split, "qr-split", false, "always send a UR series, even when the descriptor fits one code")
}

// qrOutputFlags adds where QR codes go and how they look; what names the
// codes in the help text.
func qrOutputFlags(cmd *cobra.Command, o *transport.QROptions, what string) {
	f := cmd.Flags()
	f.StringVar(&o.Dir, "qr", "", "write "+what+" codes as numbered PNG frames into this directory")
	f.StringVar(&o.GIF, "qr-gif", "", "write an animated GIF of "+what+" codes")
	f.StringVar(&o.HTML, "qr-html", "", "write a printable page of "+what+" codes, numbered")
	f.BoolVar(&o.Term, "qr-term", false, "show "+what+" codes in the terminal (animated if several)")
	f.StringVar(&o.Level, "qr-level", "L", "error correction on screens: L, M, Q or H")
	f.StringVar(&o.PaperLevel, "qr-paper-level", "M", "error correction on the printed page: M or Q (or L, H)")
	f.DurationVar(&o.Delay, "qr-delay", 250*time.Millisecond, "frame time of animations (100ms to 2s)")
}

// MinArgs is cobra.MinimumNArgs with a message that names what is missing.
func MinArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return UsageError{fmt.Errorf("%s expects %s", cmd.CommandPath(), what)}
		}
		return nil
	}
}

// printError prints an error and its hints. On a console they are wrapped
// between words (ConsoleWidth), so the console never cuts a path, an
// address or a command in two; a script reading stderr gets each line
// whole, to search as it is.
func printError(stderr io.Writer, msg string, hints []string) {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = transport.Printable(l)
	}
	for _, h := range hints {
		lines = append(lines, "hint: "+transport.Printable(h))
	}
	text := strings.Join(lines, "\n")
	if width := ConsoleWidth(stderr); width > 0 {
		text = psbt.WrapText(text, width)
	}
	fmt.Fprintln(stderr, text)
}

// ConsoleWidth is the width messages to w are wrapped to: the 80 columns
// every screen fits, or the console's own width when it is narrower; 0
// when w is not a console (a pipe, a file, a script capturing it).
func ConsoleWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols >= 20 && cols < psbt.ScreenWidth {
		return cols
	}
	return psbt.ScreenWidth
}
