package offline

import (
	"fmt"
	"os"
	"strings"

	"github.com/airsign/airsign/ceremony"
)

// ttyCeremonyPrompter runs a ceremony at the terminal: public text on the
// screen, secrets typed without echo, dice echoed with a running count, each
// share card shown to its holder alone and cleared from the screen before
// the next. Every prompt, including each "press Enter", reads in raw mode,
// so Ctrl-C ends the ceremony at once (the runner logs "interrupted" and
// wipes) instead of after the next Enter. Everything it writes, the
// runner's text and its own prompts, goes through ceremonyText: wrapped
// between words to an 80-column console, values never cut.
type ttyCeremonyPrompter struct {
	env *Env
}

var _ ceremony.DiceAsker = (*ttyCeremonyPrompter)(nil)

// Attended: a person is at the terminal, who is asked to confirm a
// suspicious answer by typing it again.
func (p *ttyCeremonyPrompter) Attended() bool { return true }

func (t *ttyCeremonyPrompter) Describe() string { return "terminal" }

func (t *ttyCeremonyPrompter) tty() (*os.File, error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, ErrNoTerminal
	}
	return f, nil
}

func (t *ttyCeremonyPrompter) Show(text string) error {
	fmt.Fprintln(t.env.Stdout, ceremonyText(text))
	return nil
}

// pressEnter waits for Enter (Ctrl-C interrupts).
func pressEnter(f *os.File, prompt string) error {
	b, err := readRawLine(f, prompt, echoNone, 0)
	wipe(b)
	return err
}

func (t *ttyCeremonyPrompter) ShowSecret(p ceremony.Prompt, secret []byte) error {
	f, err := t.tty()
	if err != nil {
		return err
	}
	defer f.Close()
	// The pauses are the checklist's (ceremony.PauseShowCard, PauseClearCard).
	if err := pressEnter(f, ceremonyText(fmt.Sprintf("\n[%s] %s (%s)\n%s.", p.Step, p.Text, p.Actor, ceremony.PauseShowCard))+" "); err != nil {
		return err
	}
	err = showSecretText(f, "\n", secret, "\n\n")
	if err == nil {
		err = pressEnter(f, ceremonyText(ceremony.PauseClearCard+".")+" ")
	}
	fmt.Fprint(f, clearScreen)
	return err
}

func (t *ttyCeremonyPrompter) ask(p ceremony.Prompt, mode echoMode, have int, note string) ([]byte, error) {
	f, err := t.tty()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	text := p.Text
	if !strings.HasPrefix(strings.ToLower(text), strings.ToLower(p.Actor)) {
		text = p.Actor + ": " + text
	}
	prompt := ceremonyText(fmt.Sprintf("[%s] %s%s", p.Step, text, note)) + "\n"
	if mode != echoDice {
		prompt += "> "
	}
	return readRawLine(f, prompt, mode, have)
}

func (t *ttyCeremonyPrompter) Ask(p ceremony.Prompt) (string, error) {
	b, err := t.ask(p, echoText, 0, "")
	return string(b), err
}

// AskSecret reads a secret without echo. What is typed there is never a
// command (the runner does not take "stop" from it): Ctrl-C is the way to
// stop, and the prompt says so.
func (t *ttyCeremonyPrompter) AskSecret(p ceremony.Prompt) ([]byte, error) {
	note := " Ctrl-C stops."
	if !strings.Contains(p.Text, "not shown") {
		note = " (not shown; Ctrl-C stops)"
	}
	return t.ask(p, echoNone, 0, note)
}

// AskDice echoes the rolls: they are mixed with the computer's randomness
// (so seeing them does not give the key) and the operator must see what was
// typed to trust the count. Only the faces 1 to 6 are taken.
func (t *ttyCeremonyPrompter) AskDice(p ceremony.Prompt, have int) ([]byte, error) {
	return t.ask(p, echoDice, have, "\nType the faces as they land; backspace corrects, Enter when done.")
}
