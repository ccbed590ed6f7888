package ceremony

import (
	"errors"
	"fmt"
	"strings"
)

// Role is who carries out a step. The checklist's participants table and
// each step's "who" column come from it.
type Role string

// The roles of a ceremony.
const (
	// Operator works the offline laptop's keyboard and reads the screen.
	Operator Role = "operator"
	// Witness watches every step, compares values and initials the checklist.
	Witness Role = "witness"
	// Holder keeps one share card.
	Holder Role = "holder"
	// System is the program itself, for steps it does alone.
	System Role = "system"
)

// Title is the role as printed on the checklist.
func (r Role) Title() string {
	switch r {
	case Operator:
		return "Operator"
	case Witness:
		return "Witness"
	case Holder:
		return "Share holder"
	case System:
		return "Program"
	}
	return string(r)
}

// Kind is how a step is confirmed. It decides what the runner asks and what
// the checklist says the witnesses check.
type Kind int

// The kinds of confirmation.
const (
	// Ack is a typed acknowledgement: the actor types a given word (usually
	// "yes") once the instruction is done.
	Ack Kind = iota + 1
	// Initials is a witness typing their initials, as they also initial the
	// paper.
	Initials
	// ReadAloud is a value read aloud and compared with a second source (the
	// paper checklist, the other laptop); the comparison is typed in and the
	// program checks it.
	ReadAloud
	// Answer is a public value typed in: names, the threshold.
	Answer
	// Secret is a secret typed in by its keeper (dice rolls, a share), never
	// echoed, logged or kept.
	Secret
	// Auto is an action the program does by itself and logs.
	Auto
)

// String is the kind in plain words, as on the checklist.
func (k Kind) String() string {
	switch k {
	case Ack:
		return "typed acknowledgement"
	case Initials:
		return "witness initials"
	case ReadAloud:
		return "read aloud and compared"
	case Answer:
		return "typed answer"
	case Secret:
		return "secret entry"
	case Auto:
		return "done by the program"
	}
	return fmt.Sprintf("kind %d", int(k))
}

// Repeat says how often an act runs.
type Repeat int

// How often an act runs.
const (
	// Once runs the act one time.
	Once Repeat = iota
	// EachHolder runs the act once per share holder of the new share set
	// (N times, N chosen earlier in the ceremony).
	EachHolder
	// EachShare runs the act once per share collected to rebuild a key, until
	// the threshold written in the first share is reached.
	EachShare
)

// Step is one numbered line of a ceremony: what the screen says, what the
// paper says, and what the program does.
type Step struct {
	// ID is "act.step", e.g. "2.3"; it is how answers files and logs name it.
	ID string
	// Title is a few words.
	Title string
	// Instruction says in plain words what to do; it is printed on the paper
	// checklist and shown on screen.
	Instruction string
	// Actor is who does it.
	Actor Role
	// Confirm is how it is confirmed.
	Confirm Kind
	// Word is what to type for an Ack (case does not matter).
	Word string
	// Box, if set, labels a value the witnesses write on the paper
	// checklist at this step ("Fingerprint"); later ceremonies compare
	// against it.
	Box string
	// Paper, if set, is the Box of the keygen (or rotate) checklist that
	// this step asks the witnesses to type from.
	Paper string
	// Pauses are the "press Enter" pauses of this step at the terminal, in
	// order, as the checklist lists them (the terminal prompter shows the
	// same PauseShowCard and PauseClearCard texts).
	Pauses []string

	do stepFunc
	// check, if set, checks an answers file's answer for this step when
	// the file is read, before anything runs (a date's shape).
	check func(answer string) error
}

// Act is a group of steps after which the program shows the log head words
// for the witnesses to write down.
type Act struct {
	Number int
	Title  string
	Repeat Repeat
	Steps  []Step
}

// Definition is a whole ceremony, defined once: the runner walks it and
// WriteChecklist prints it, so screen and paper say the same thing.
type Definition struct {
	// Name is the command name: keygen, drill, reshare, rotate.
	Name string
	// Title is the heading on paper.
	Title string
	// Purpose says in a few sentences why and when to run it.
	Purpose string
	// Warnings are said plainly on screen at the start and printed in a box
	// on the checklist.
	Warnings []string
	// Participants lists the rows of the checklist's participants table.
	Participants []Role
	// Acts are the acts in order.
	Acts []Act

	// report makes the runner write a drill report (pass or fail).
	report bool
}

// Step finds a step by its id.
func (d *Definition) Step(id string) (*Step, bool) {
	for a := range d.Acts {
		for s := range d.Acts[a].Steps {
			if d.Acts[a].Steps[s].ID == id {
				return &d.Acts[a].Steps[s], true
			}
		}
	}
	return nil, false
}

// Validate checks a definition's shape: acts numbered 1, 2, 3…, step ids
// "act.n" in order, every step with a title, instruction, actor, kind and
// action. The built-in definitions are checked by a test; it is exported for
// definitions made elsewhere.
func (d *Definition) Validate() error {
	if d.Name == "" || d.Title == "" || len(d.Acts) == 0 {
		return fmt.Errorf("ceremony %q: needs a name, a title and acts", d.Name)
	}
	for i, a := range d.Acts {
		if a.Number != i+1 {
			return fmt.Errorf("ceremony %s: act %d is numbered %d", d.Name, i+1, a.Number)
		}
		if a.Title == "" || len(a.Steps) == 0 {
			return fmt.Errorf("ceremony %s: act %d needs a title and steps", d.Name, a.Number)
		}
		for j, s := range a.Steps {
			if want := fmt.Sprintf("%d.%d", a.Number, j+1); s.ID != want {
				return fmt.Errorf("ceremony %s: step %q should be %s", d.Name, s.ID, want)
			}
			if s.Title == "" || s.Instruction == "" || s.Actor == "" || s.Confirm < Ack || s.Confirm > Auto || s.do == nil {
				return fmt.Errorf("ceremony %s: step %s is incomplete", d.Name, s.ID)
			}
			if (s.Confirm == Auto) != (s.Actor == System) {
				return fmt.Errorf("ceremony %s: step %s: only the program does automatic steps", d.Name, s.ID)
			}
			if s.Confirm == Ack && s.Word == "" {
				return fmt.Errorf("ceremony %s: step %s: an acknowledgement needs a word to type", d.Name, s.ID)
			}
			if strings.ContainsAny(s.Instruction, "\r\t") {
				return fmt.Errorf("ceremony %s: step %s: instruction has control characters", d.Name, s.ID)
			}
		}
	}
	return nil
}

// Definitions returns fresh copies of the four ceremonies, in the order of
// the checklist: keygen, drill, reshare, rotate.
func Definitions() []*Definition {
	return []*Definition{Keygen(), Drill(), Reshare(), Rotate()}
}

// ErrUnknownCeremony is what Lookup's error Is: a name that is none of the
// ceremonies (on a command line, the command line's fault: exit 2).
var ErrUnknownCeremony = errors.New("unknown ceremony")

type unknownCeremony struct{ msg string }

func (e unknownCeremony) Error() string        { return e.msg }
func (e unknownCeremony) Is(target error) bool { return target == ErrUnknownCeremony }

// Lookup returns the ceremony named name.
func Lookup(name string) (*Definition, error) {
	var names []string
	for _, d := range Definitions() {
		if d.Name == name {
			return d, nil
		}
		names = append(names, d.Name)
	}
	// Quote the name only when it looks like a mistyped ceremony name: an
	// answers file with something else on its ceremony line (a pasted share,
	// say) must not have it echoed into a log or a terminal.
	if ceremonyNameLike(name) {
		return nil, unknownCeremony{fmt.Sprintf("no ceremony %q; the ceremonies are %s", name, strings.Join(names, ", "))}
	}
	return nil, unknownCeremony{fmt.Sprintf("no such ceremony (the name given is not shown); the ceremonies are %s", strings.Join(names, ", "))}
}

func ceremonyNameLike(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
