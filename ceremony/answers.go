package ceremony

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// Answers is a parsed answers file: the input of a ceremony run without a
// person at the keyboard, for tests, the demo and recovery drills.
//
// The format is plain text, one answer per line:
//
//	# comment lines start with '#'; blank lines are ignored
//	ceremony: keygen        the ceremony the file is for (required)
//	secrets: test           may the file carry secrets? none (default), drill, test
//	1.1: Alice Smith        STEP: ANSWER, the step id as on the checklist
//	4.1: Bob                a step asked several times (once per holder)
//	4.1: Carol              takes its answers in file order
//	2.4: @shown             copy what the screen shows (read-aloud steps; and
//	                        with "secrets: test", a share card just shown)
//
// The answer is everything after the first colon, without surrounding spaces;
// there are no inline comments (a descriptor contains '#'). Secret steps
// (dice rolls, shares) may be answered only when the file says
// "secrets: test" (any ceremony; the key made is then not secret: tests and
// demos only) or "secrets: drill" in a drill. A step id that is not a step of
// the ceremony, or a step the program does alone, is refused when the
// prompter is made; answers left over at the end are reported by Finish.
type Answers struct {
	// Ceremony is the ceremony named in the file.
	Ceremony string
	// Secrets is "none", "drill" or "test".
	Secrets string
	entries []answer
}

type answer struct {
	line  int
	step  string
	value []byte
	used  bool
}

// Limits of an answers file.
const (
	maxAnswersSize  = 1 << 20
	maxAnswerLine   = 4096
	maxAnswersCount = 10000
)

var stepIDRE = regexp.MustCompile(`^[1-9][0-9]?\.[1-9][0-9]?$`)

// ParseAnswers reads an answers file. Errors name the line and never quote
// an answer, which may be secret. The caller's buffer is not kept; the
// parsed secrets are wiped by the prompter's Finish.
func ParseAnswers(r io.Reader) (*Answers, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxAnswersSize+1))
	defer wipe(data)
	if err != nil {
		return nil, fmt.Errorf("answers file: %v", err)
	}
	if len(data) > maxAnswersSize {
		return nil, fmt.Errorf("answers file: larger than %d bytes", maxAnswersSize)
	}
	a := &Answers{}
	fail := func(n int, format string, args ...any) (*Answers, error) {
		a.wipe()
		return nil, fmt.Errorf("answers file line %d: %s", n, fmt.Sprintf(format, args...))
	}
	seen := map[string]bool{}
	for n, line := range bytes.Split(data, []byte("\n")) {
		n++
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > maxAnswerLine {
			return fail(n, "longer than %d bytes", maxAnswerLine)
		}
		if !utf8.Valid(line) {
			return fail(n, "not valid UTF-8")
		}
		for _, c := range string(line) {
			if c < 0x20 && c != '\t' || c == 0x7f {
				return fail(n, "has a control character")
			}
		}
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		k, v, ok := bytes.Cut(t, []byte(":"))
		if !ok {
			return fail(n, "no colon: write STEP: ANSWER, for example 1.1: Alice")
		}
		key := string(bytes.TrimSpace(k))
		v = bytes.TrimSpace(v)
		switch {
		case stepIDRE.MatchString(key):
			if len(a.entries) == maxAnswersCount {
				return fail(n, "more than %d answers", maxAnswersCount)
			}
			a.entries = append(a.entries, answer{line: n, step: key, value: bytes.Clone(v)})
		case key == "ceremony" || key == "secrets":
			if seen[key] {
				return fail(n, "%s: given twice", key)
			}
			seen[key] = true
			val := string(v)
			if key == "ceremony" {
				if _, err := Lookup(val); err != nil {
					return fail(n, "%v", err)
				}
				a.Ceremony = val
			} else {
				if val != "none" && val != "drill" && val != "test" {
					return fail(n, "secrets: must be none, drill or test")
				}
				a.Secrets = val
			}
		default:
			return fail(n, "%q is not a step id (like 2.3) nor ceremony: or secrets:", clip(key, 20))
		}
	}
	if a.Ceremony == "" {
		a.wipe()
		return nil, errors.New("answers file: it does not say which ceremony it is for; add a line like: ceremony: keygen")
	}
	if a.Secrets == "" {
		a.Secrets = "none"
	}
	return a, nil
}

func (a *Answers) wipe() {
	for i := range a.entries {
		wipe(a.entries[i].value)
	}
}

// secretsAllowed says whether the file may answer secret steps of def.
func (a *Answers) secretsAllowed(def *Definition) bool {
	return a.Secrets == "test" || a.Secrets == "drill" && def.Name == "drill"
}

// AnswersPrompter is a Prompter that answers from an answers file and writes
// what a terminal would show to a writer (a transcript; never a secret).
type AnswersPrompter struct {
	mu     sync.Mutex
	a      *Answers
	def    *Definition
	screen io.Writer
	shown  map[int][]byte
}

// NewAnswersPrompter checks the answers against def (the ceremony, every step
// id, secrets only where allowed) and returns a prompter for one run. screen
// receives the transcript; nil discards it.
func NewAnswersPrompter(a *Answers, def *Definition, screen io.Writer) (*AnswersPrompter, error) {
	if a.Ceremony != def.Name {
		return nil, fmt.Errorf("answers file: it is for the %s ceremony, not %s", a.Ceremony, def.Name)
	}
	for _, e := range a.entries {
		s, ok := def.Step(e.step)
		if !ok {
			return nil, fmt.Errorf("answers file line %d: step %s is not a step of the %s ceremony", e.line, e.step, def.Name)
		}
		switch {
		case s.Confirm == Auto:
			return nil, fmt.Errorf("answers file line %d: step %s (%s) is done by the program and takes no answer", e.line, e.step, s.Title)
		case s.Confirm == Secret && !a.secretsAllowed(def):
			return nil, fmt.Errorf("answers file line %d: step %s (%s) is a secret entry; an answers file carries secrets only with \"secrets: test\" "+
				"(tests and demos: the key is then not secret) or \"secrets: drill\" in a drill", e.line, e.step, s.Title)
		case string(e.value) == Shown && s.Confirm != Secret && s.Confirm != ReadAloud:
			return nil, fmt.Errorf("answers file line %d: %s answers only read-aloud and secret steps; step %s is a %s", e.line, Shown, e.step, s.Confirm)
		case string(e.value) == Shown && s.Confirm == Secret && a.Secrets != "test":
			return nil, fmt.Errorf("answers file line %d: %s for a secret needs \"secrets: test\"", e.line, Shown)
		case s.check != nil && len(e.value) > 0 && !bytes.EqualFold(e.value, []byte("stop")):
			if err := s.check(string(e.value)); err != nil {
				return nil, fmt.Errorf("answers file line %d: step %s (%s): %v", e.line, e.step, s.Title, err)
			}
		}
	}
	if screen == nil {
		screen = io.Discard
	}
	return &AnswersPrompter{a: a, def: def, screen: screen, shown: map[int][]byte{}}, nil
}

// Show writes text to the transcript.
func (p *AnswersPrompter) Show(text string) error {
	_, err := fmt.Fprintf(p.screen, "%s\n\n", text)
	return err
}

// ShowSecret notes in the transcript that a card was shown and, with
// "secrets: test", keeps a copy for a later @shown answer.
func (p *AnswersPrompter) ShowSecret(pr Prompt, secret []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.a.Secrets == "test" {
		wipe(p.shown[pr.Holder])
		p.shown[pr.Holder] = bytes.Clone(secret)
	}
	_, err := fmt.Fprintf(p.screen, "[%s: card shown to %s]\n\n", pr.Step, pr.Actor)
	return err
}

func (p *AnswersPrompter) next(pr Prompt) (*answer, error) {
	for i := range p.a.entries {
		e := &p.a.entries[i]
		if !e.used && e.step == pr.Step {
			e.used = true
			return e, nil
		}
	}
	return nil, fmt.Errorf("answers file: no answer left for step %s (%s): %w", pr.Step, pr.Actor, io.EOF)
}

// Ask returns the next answer for the step.
func (p *AnswersPrompter) Ask(pr Prompt) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, err := p.next(pr)
	if err != nil {
		return "", err
	}
	v := string(e.value)
	if v == Shown {
		if pr.Shown == "" {
			return "", fmt.Errorf("answers file line %d: %s, but step %s shows nothing to copy", e.line, Shown, pr.Step)
		}
		v = pr.Shown
	}
	_, err = fmt.Fprintf(p.screen, "? %s\n> %s\n\n", pr.Text, v)
	return v, err
}

// AskSecret returns the next answer for the step, if the file may carry
// secrets for this ceremony.
func (p *AnswersPrompter) AskSecret(pr Prompt) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.a.secretsAllowed(p.def) {
		return nil, fmt.Errorf("answers file: step %s asks for a secret and the file may not carry secrets", pr.Step)
	}
	e, err := p.next(pr)
	if err != nil {
		return nil, err
	}
	var v []byte
	if string(e.value) == Shown {
		c, ok := p.shown[pr.Holder]
		if !ok {
			return nil, fmt.Errorf("answers file line %d: %s, but no card was shown to %s", e.line, Shown, pr.Actor)
		}
		v = bytes.Clone(c)
	} else {
		v = bytes.Clone(e.value)
	}
	_, err = fmt.Fprintf(p.screen, "? %s\n> [secret from the answers file, line %d]\n\n", pr.Text, e.line)
	return v, err
}

// Leftovers lists the answers not used, by line and step.
func (p *AnswersPrompter) Leftovers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, e := range p.a.entries {
		if !e.used {
			out = append(out, fmt.Sprintf("line %d (step %s)", e.line, e.step))
		}
	}
	return out
}

// Finish wipes every secret the prompter holds and reports answers not used:
// a file that does not match the run it drove is an error, not a detail.
func (p *AnswersPrompter) Finish() error {
	left := p.Leftovers()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.a.wipe()
	for _, c := range p.shown {
		wipe(c)
	}
	clear(p.shown)
	if len(left) > 0 {
		return fmt.Errorf("answers file: %d answers not used: %s", len(left), strings.Join(left, ", "))
	}
	return nil
}

// Describe says the run is driven by an answers file, and whether it carried
// secrets; the runner logs it.
func (p *AnswersPrompter) Describe() string {
	return "answers file (secrets: " + p.a.Secrets + ")"
}

// WriteAnswersTemplate writes an answers file for def with every step that
// takes an answer, commented with its instruction; the CLI offers it so a
// drill or demo file starts from the right step ids.
func WriteAnswersTemplate(w io.Writer, def *Definition) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Answers for the %s ceremony (%s). Format: STEP: ANSWER.\n", def.Name, def.Title)
	fmt.Fprintf(&b, "# Steps in acts repeated per holder or share take one line per repetition.\n")
	fmt.Fprintf(&b, "ceremony: %s\nsecrets: none\n", def.Name)
	for _, a := range def.Acts {
		fmt.Fprintf(&b, "\n# Act %d — %s", a.Number, a.Title)
		switch a.Repeat {
		case EachHolder:
			b.WriteString(" (repeat for each holder)")
		case EachShare:
			b.WriteString(" (repeat for each share)")
		}
		b.WriteString("\n")
		for _, s := range a.Steps {
			if s.Confirm == Auto {
				continue
			}
			fmt.Fprintf(&b, "# %s %s (%s, %s): %s\n", s.ID, s.Title, s.Actor, s.Confirm, s.Instruction)
			switch s.Confirm {
			case Ack:
				fmt.Fprintf(&b, "%s: %s\n", s.ID, s.Word)
			case Secret:
				fmt.Fprintf(&b, "# %s: (secret; needs secrets: test, or secrets: drill in a drill)\n", s.ID)
			default:
				fmt.Fprintf(&b, "%s: \n", s.ID)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
