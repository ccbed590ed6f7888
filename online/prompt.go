package online

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// AskFunc asks the operator a question at the terminal and returns the
// answer typed. Cancelling ctx (Ctrl-C) stops the wait.
type AskFunc func(ctx context.Context, question string) (string, error)

// TerminalAsk returns an AskFunc reading from the controlling terminal
// (/dev/tty, so stdin stays free for a PSBT piped in), or nil when there is
// no one to ask: no terminal, or stderr — where the question and what it is
// about are shown — is not one (cron, CI, a script capturing output).
func TerminalAsk(stderr *os.File) AskFunc {
	if stderr == nil || !term.IsTerminal(int(stderr.Fd())) {
		return nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil
	}
	tty.Close()
	return askTTY
}

func askTTY(ctx context.Context, question string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("opening the terminal: %w", err)
	}
	defer tty.Close()
	fmt.Fprint(tty, question)
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(tty).ReadString('\n')
		got <- answer{strings.TrimSpace(line), err}
	}()
	select {
	case a := <-got:
		if a.err != nil {
			return "", fmt.Errorf("reading from the terminal: %w", a.err)
		}
		return a.line, nil
	case <-ctx.Done():
		fmt.Fprintln(tty)
		return "", ctx.Err()
	}
}

// yes reports whether an answer to a "[y/N]" question is yes.
func yes(answer string) bool {
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return true
	}
	return false
}
