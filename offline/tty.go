package offline

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/term"
)

// TTYPrompter reads from the controlling terminal (/dev/tty), never from
// stdin, so a secret can't be piped in by accident or left in shell history,
// and stdin stays free for PSBT data.
type TTYPrompter struct{}

// ErrNoTerminal is returned when there is no terminal to ask.
var ErrNoTerminal = errors.New("no terminal to read from (/dev/tty): run this at the air-gapped machine's console, or pass the answer by flag for drills and tests")

// ReadSecret reads a line without echo. If the operator presses Ctrl-C the
// terminal is restored before the process ends.
func (TTYPrompter) ReadSecret(prompt string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, ErrNoTerminal
	}
	defer tty.Close()
	fd := int(tty.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return nil, ErrNoTerminal
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	defer func() { signal.Stop(sig); close(done) }()
	go func() {
		select {
		case <-sig:
			term.Restore(fd, state)
			fmt.Fprintln(tty, "\ninterrupted")
			os.Exit(130)
		case <-done:
		}
	}()
	fmt.Fprint(tty, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(tty)
	if err != nil {
		return nil, fmt.Errorf("reading from the terminal: %w", err)
	}
	return b, nil
}

// ReadLine reads a visible line from the terminal.
func (TTYPrompter) ReadLine(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", ErrNoTerminal
	}
	defer tty.Close()
	fmt.Fprint(tty, prompt)
	line, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("reading from the terminal: %w", err)
	}
	return strings.TrimSpace(line), nil
}
