package ceremony

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// Prompt is one question the runner asks a person.
type Prompt struct {
	// Step is the step id ("2.3"); answers files key their answers by it.
	Step string
	// Actor is who answers: "operator", "witness", "holder 3".
	Actor string
	// Holder is the holder's number for holder steps, else 0.
	Holder int
	// Text is the question in plain words.
	Text string
	// Shown is, for a read-aloud step where the screen shows a public value
	// that people copy onto paper and type back, that value; "" otherwise.
	// A terminal prompter ignores it; answers files may answer Shown to
	// mean "copy it", so unattended runs can pass these steps.
	Shown string
}

// Prompter is how the runner talks to people. The terminal prompter lives in
// the CLI; AnswersPrompter and Scripted are here. Any error from a Prompter
// (io.EOF when input ends, a closed terminal) interrupts the ceremony.
type Prompter interface {
	// Show puts text on the screen for everybody.
	Show(text string) error
	// ShowSecret shows one share card to its holder only: on a terminal,
	// until the holder confirms the copy, then the screen is cleared. The
	// prompter must not keep secret after returning (except AnswersPrompter's
	// documented test mode).
	ShowSecret(p Prompt, secret []byte) error
	// Ask asks for a public answer (names, acknowledgements, values read
	// aloud).
	Ask(p Prompt) (string, error)
	// AskSecret asks for a secret (dice rolls, a share) without echo. The
	// runner wipes the result.
	AskSecret(p Prompt) ([]byte, error)
}

// Attended is implemented by prompters with a person at the keyboard (the
// terminal). Only they are asked to confirm a suspicious answer by typing it
// again (a date far from the clock): an answers file was written before the
// run, and nobody is there to look twice; its run records the warning.
type Attended interface {
	Attended() bool
}

// attended says whether p has a person at the keyboard.
func attended(p Prompter) bool {
	a, ok := p.(Attended)
	return ok && a.Attended()
}

// DiceAsker is implemented by prompters that read dice rolls the way the
// operator needs to see them: each roll echoed as it is typed, with the
// count and the entropy gathered so far, and backspace. have is the number
// of rolls already kept from earlier entries (the count starts there).
// Without it the runner asks for rolls with AskSecret. The result is wiped
// by the runner.
type DiceAsker interface {
	AskDice(p Prompt, have int) ([]byte, error)
}

// The "press Enter" pauses of a terminal while a card is shown
// (Prompter.ShowSecret); the Card step lists them on the checklist.
const (
	PauseShowCard  = "Everyone but the holder looks away; press Enter to show the card"
	PauseClearCard = "After copying every block (not the block numbers), press Enter to clear the screen"
)

// Describer is implemented by prompters that can say what they are; the
// runner writes it into the log's "started" record, so a log shows whether
// a ceremony was run at a terminal or from an answers file.
type Describer interface {
	Describe() string
}

// Finisher is implemented by prompters that can check, at the end, that all
// their input was used; the runner calls it before declaring a ceremony
// completed.
type Finisher interface {
	Finish() error
}

// Shown is the answer that means "what the screen shows": for a secret
// question, the share card last shown to the same holder; for a read-aloud
// question, Prompt.Shown. Scripted always allows it, AnswersPrompter for
// secrets only with "secrets: test", so a keygen can run unattended in tests
// and in the demo.
const Shown = "@shown"

// Scripted is an in-memory Prompter for tests: it answers from a list of
// "step: answer" lines in strict order, fails on any question it did not
// expect, and keeps a transcript of everything shown and asked. An answer
// of Shown returns the card last shown to the same holder.
type Scripted struct {
	mu    sync.Mutex
	lines []scriptLine
	pos   int
	shown map[int][]byte
	// Transcript is what was shown and asked, for tests to read; secrets
	// appear as "[secret]".
	Transcript []string
	// Before, if set, is called before each question; tests use it to
	// cancel the context at a chosen step.
	Before func(p Prompt)
	// AtKeyboard makes it answer Attended as a terminal does: the runner
	// then asks the confirmations a person at the keyboard is asked.
	AtKeyboard bool
}

// Attended says whether the scripted run stands for a person at the
// keyboard (AtKeyboard).
func (s *Scripted) Attended() bool { return s.AtKeyboard }

type scriptLine struct{ step, answer string }

// NewScripted makes a Scripted prompter from lines of the form "2.3: yes".
// It panics on a malformed line: it is for tests, with literal scripts.
func NewScripted(lines ...string) *Scripted {
	s := &Scripted{shown: map[int][]byte{}}
	for _, l := range lines {
		step, answer, ok := strings.Cut(l, ":")
		if !ok {
			panic("ceremony.NewScripted: line without colon: " + l)
		}
		s.lines = append(s.lines, scriptLine{strings.TrimSpace(step), strings.TrimSpace(answer)})
	}
	return s
}

// Show records text.
func (s *Scripted) Show(text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Transcript = append(s.Transcript, text)
	return nil
}

// ShowSecret keeps a copy of the card for a later Shown answer.
func (s *Scripted) ShowSecret(p Prompt, secret []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	wipe(s.shown[p.Holder])
	s.shown[p.Holder] = bytes.Clone(secret)
	s.Transcript = append(s.Transcript, fmt.Sprintf("[card shown to %s at %s]", p.Actor, p.Step))
	return nil
}

// Ask answers the next scripted line, which must be for p.Step.
func (s *Scripted) Ask(p Prompt) (string, error) {
	b, err := s.next(p, false)
	return string(b), err
}

// AskSecret answers the next scripted line, which must be for p.Step.
func (s *Scripted) AskSecret(p Prompt) ([]byte, error) {
	return s.next(p, true)
}

func (s *Scripted) next(p Prompt, secret bool) ([]byte, error) {
	if s.Before != nil {
		s.Before(p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Transcript = append(s.Transcript, fmt.Sprintf("? %s %s: %s", p.Step, p.Actor, p.Text))
	if s.pos == len(s.lines) {
		return nil, fmt.Errorf("script: no answer left for step %s (%s)", p.Step, p.Actor)
	}
	l := s.lines[s.pos]
	if l.step != p.Step {
		return nil, fmt.Errorf("script: asked for step %s (%s) but the next scripted answer (%d) is for step %s", p.Step, p.Actor, s.pos+1, l.step)
	}
	s.pos++
	if l.answer == Shown && !secret {
		if p.Shown == "" {
			return nil, fmt.Errorf("script: step %s: nothing is shown to copy", p.Step)
		}
		s.Transcript = append(s.Transcript, p.Shown)
		return []byte(p.Shown), nil
	}
	if l.answer == Shown {
		c, ok := s.shown[p.Holder]
		if !ok {
			return nil, fmt.Errorf("script: step %s: no card was shown to %s", p.Step, p.Actor)
		}
		s.Transcript = append(s.Transcript, "[secret]")
		return bytes.Clone(c), nil
	}
	if secret {
		s.Transcript = append(s.Transcript, "[secret]")
	} else {
		s.Transcript = append(s.Transcript, l.answer)
	}
	return []byte(l.answer), nil
}

// Finish reports scripted answers that were not asked for.
func (s *Scripted) Finish() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.shown {
		wipe(c)
	}
	clear(s.shown)
	if s.pos < len(s.lines) {
		return fmt.Errorf("script: %d answers not used, the first for step %s", len(s.lines)-s.pos, s.lines[s.pos].step)
	}
	return nil
}

// Describe says what this prompter is.
func (s *Scripted) Describe() string { return "scripted (test)" }
