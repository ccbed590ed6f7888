package offline

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/airsign/airsign/ceremony"
	"golang.org/x/term"
)

// ttyCeremonyPrompter runs a ceremony at the terminal: public text on the
// screen, secrets typed without echo, each share card shown to its holder
// alone and cleared from the screen before the next.
type ttyCeremonyPrompter struct {
	env *Env
}

func (t *ttyCeremonyPrompter) Describe() string { return "terminal" }

func (t *ttyCeremonyPrompter) tty() (*os.File, error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, ErrNoTerminal
	}
	return f, nil
}

func (t *ttyCeremonyPrompter) Show(text string) error {
	fmt.Fprintln(t.env.Stdout, text)
	return nil
}

func (t *ttyCeremonyPrompter) ShowSecret(p ceremony.Prompt, secret []byte) error {
	f, err := t.tty()
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(f, "\n[%s] %s\nEveryone but %s looks away now. Press Enter to show the card. ", p.Step, p.Text, p.Actor)
	if _, err := bufio.NewReader(f).ReadString('\n'); err != nil {
		return err
	}
	fmt.Fprintf(f, "\n    %s\n\nCopy it block by block, then press Enter to clear the screen. ", wrapBlocks(string(secret)))
	_, err = bufio.NewReader(f).ReadString('\n')
	fmt.Fprint(f, clearScreen)
	return err
}

func (t *ttyCeremonyPrompter) Ask(p ceremony.Prompt) (string, error) {
	f, err := t.tty()
	if err != nil {
		return "", err
	}
	defer f.Close()
	fmt.Fprintf(f, "[%s] %s: %s\n> ", p.Step, p.Actor, p.Text)
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func (t *ttyCeremonyPrompter) AskSecret(p ceremony.Prompt) ([]byte, error) {
	f, err := t.tty()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fmt.Fprintf(f, "[%s] %s: %s (not shown)\n> ", p.Step, p.Actor, p.Text)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(f)
	return b, err
}
