package ceremony

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrCtrlC is what a terminal prompter returns when Ctrl-C is pressed at a
// prompt. The runner stops at once, logs "interrupted" and wipes.
var ErrCtrlC = errors.New("Ctrl-C pressed")

// askAgain is an answer that is not accepted (yet). Its message, shown to
// everybody, names what differs or what is still missing; the same question
// is asked again and nothing done before is lost.
type askAgain struct{ msg string }

func (e *askAgain) Error() string { return e.msg }

func again(format string, args ...any) error {
	return &askAgain{fmt.Sprintf(format, args...)}
}

// retry is the one loop for every typed answer: it runs try until try
// accepts. An askAgain is shown and try runs again; earlier steps and what
// was typed correctly are kept, and the person can always type stop (or
// press Ctrl-C). With limit > 0 the limit-th askAgain ends the loop with
// giveUp's error instead (a drill's paper check: a value that never matches
// the paper is a failed drill); limit 0 asks until the answer is right,
// because at a ceremony a slip costs a retry, never the work done so far.
func (r *runner) retry(limit int, try func() error, giveUp func(last string) error) error {
	for n := 1; ; n++ {
		err := try()
		var ag *askAgain
		if !errors.As(err, &ag) {
			return err
		}
		if limit > 0 && n >= limit {
			return giveUp(ag.msg)
		}
		if err := r.show(ag.msg); err != nil {
			return err
		}
	}
}

// askUntil asks a public question until check accepts the answer; check
// returns again(…) to ask once more.
func (r *runner) askUntil(s *Step, question string, check func(ans string) error) error {
	return r.retry(0, func() error {
		ans, err := r.ask(s, question)
		if err != nil {
			return err
		}
		return check(ans)
	}, nil)
}

// ask asks a public question; "stop" as an answer interrupts the ceremony.
func (r *runner) ask(s *Step, text string) (string, error) {
	return r.askPrompt(s, r.prompt(s, text))
}

func (r *runner) askPrompt(s *Step, p Prompt) (string, error) {
	b, err := r.read(s, true, func() ([]byte, error) {
		a, err := r.p.Ask(p)
		return []byte(a), err
	})
	return string(b), err
}

// askSecret asks for a secret (a passphrase, a share); the caller wipes
// it. What is typed is never a command: a passphrase "Stop" is a
// passphrase, not an end of the ceremony logged as "typed stop". The way
// to stop at a secret prompt is Ctrl-C.
func (r *runner) askSecret(s *Step, text string) ([]byte, error) {
	return r.read(s, false, func() ([]byte, error) { return r.p.AskSecret(r.prompt(s, text)) })
}

// read runs one prompter call and turns its end into a stop: the context
// cancelled, Ctrl-C, input that ended, or, when stopWord is set, "stop"
// typed (any case). A secret prompt passes stopWord false: what is typed
// there is the secret, never matched against a command. The answer comes
// back trimmed; the caller wipes a secret one.
func (r *runner) read(s *Step, stopWord bool, call func() ([]byte, error)) ([]byte, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, interrupted(err, "the ceremony was cancelled")
	}
	if err := r.remindHead(); err != nil {
		return nil, err
	}
	b, err := call()
	switch {
	case errors.Is(err, ErrCtrlC):
		wipe(b)
		return nil, interrupted(err, "Ctrl-C was pressed at %s's prompt", r.who(s))
	case err != nil:
		wipe(b)
		return nil, interrupted(err, "no answer from %s: %v", r.who(s), err)
	}
	if err := r.ctx.Err(); err != nil {
		wipe(b)
		return nil, interrupted(err, "the ceremony was cancelled")
	}
	t := bytes.TrimSpace(b)
	if stopWord && isStopWord(t) {
		wipe(b)
		return nil, interrupted(nil, "%s typed stop", r.who(s))
	}
	if len(t) < len(b) {
		out := bytes.Clone(t)
		wipe(b)
		b = out
	}
	return b, nil
}

// isStopWord says whether a public answer asks to end the ceremony.
func isStopWord(t []byte) bool { return bytes.EqualFold(t, []byte("stop")) }

// normValue is a typed value as compared: no spaces or hyphens, lower case.
func normValue(s string) string {
	return strings.Map(func(c rune) rune {
		if c == ' ' || c == '-' || c == '\t' {
			return -1
		}
		return unicode.ToLower(c)
	}, s)
}

// sameValue compares a typed value with the program's, ignoring case,
// spaces and hyphens; last > 0 compares only the last characters.
func sameValue(value, typed string, last int) bool {
	v, t := normValue(value), normValue(typed)
	if t == "" {
		return false
	}
	if t == v {
		return true
	}
	return last > 0 && len(v) >= last && t == v[len(v)-last:]
}

// difference names where typed differs from want (both as compared), without
// quoting want: "8 characters typed, 8 expected; character 3 differs".
func difference(want, typed string) string {
	w, t := []rune(normValue(want)), []rune(normValue(typed))
	msg := fmt.Sprintf("%d characters typed, %d expected", len(t), len(w))
	for i := 0; i < len(w) && i < len(t); i++ {
		if w[i] != t[i] {
			return msg + fmt.Sprintf("; character %d differs", i+1)
		}
	}
	if len(t) < len(w) {
		return msg + "; the end is missing"
	}
	return msg + "; there is more than expected"
}
