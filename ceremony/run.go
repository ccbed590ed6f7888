package ceremony

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Options tune a run; the zero value is what the program uses.
type Options struct {
	// Rand is the OS randomness mixed with the dice; nil means
	// crypto/rand.Reader. Tests give a fixed reader.
	Rand io.Reader
	// EntropyBytes is the size of a new key's BIP39 entropy: 32 (24 words,
	// the default) or 16 (12 words).
	EntropyBytes int
	// MaxTries is how often a drill's paper check (a value typed from the
	// keygen checklist before the program shows its own) may miss before
	// the drill fails; default 3. Every other typed answer is asked until it
	// is right, or until "stop" or Ctrl-C.
	MaxTries int
	// VoidSets are share sets declared void by stopped ceremonies (see
	// VoidSets): their shares are refused with the reason.
	VoidSets map[string]string
	// RevokedSets are share sets revoked by completed reshares (see
	// RevokedSets): their shares are refused, naming the reshare.
	RevokedSets map[string]string
	// CurrentSet is the share set of the recorded key now (CurrentSet);
	// when set, only a drill of this set can pass. Empty when the record
	// does not come from the log.
	CurrentSet string
	// LogDates are the dates the log already vouches for (DatesOf): the
	// date the witnesses type may not precede the newest one they typed.
	LogDates LogDates
	// Now is the machine's clock, recorded beside the typed date; nil
	// means the log writer's clock, else time.Now.
	Now func() time.Time
	// RebuildPassphrase says the wallet whose key is rebuilt from shares
	// (drill, reshare, rotate's old key) has a BIP39 passphrase: its keygen
	// logged passphrase=yes, or the operator said so. The passphrase is
	// then asked after the shares, and a wrong one may be retyped without
	// them.
	RebuildPassphrase bool
	// NoPassphraseLogged says the record of that wallet (its keygen or
	// rotate in the log) says it has no passphrase. A failed paper check
	// then does not hint at --passphrase; without it (no log, --record,
	// --sheet, a log from before the question) the hint is given.
	NoPassphraseLogged bool
}

// Result is the public outcome of a run, for the CLI to print and tests to
// check. Everything in it is also in the log.
type Result struct {
	Ceremony string
	// Made is the wallet of the key made (keygen, rotate).
	Made Wallet
	// Rebuilt is the wallet of the key rebuilt from shares (drill, reshare,
	// rotate's old key).
	Rebuilt Wallet
	// NewSet is the share set handed out (keygen, reshare, rotate).
	NewSet ShareInfo
	// OldSetID is the set the shares were collected from (drill, reshare,
	// rotate).
	OldSetID string
	// SharesUsed are the indexes of the shares collected, ascending.
	SharesUsed []int
	// DrillPassed is true after a drill that passed.
	DrillPassed bool
	// SweepTxID is the txid of rotate's signed sweep.
	SweepTxID string
	// Head is the log head after the last record.
	Head Head
	// Date is the date the witnesses typed (zero if the run stopped
	// before).
	Date time.Time
	// Passphrase is true when the key made (keygen, rotate) has a BIP39
	// passphrase; PassphraseHolder is who keeps it.
	Passphrase       bool
	PassphraseHolder string
}

// ErrInterrupted and ErrFailed classify a StopError with errors.Is:
// interrupted means the ceremony was stopped (cancelled, input ended, a
// confirmation not typed), failed means a check failed (a wrong share, a
// rebuilt key that is not the recorded one, a network interface up).
var (
	ErrInterrupted = errors.New("ceremony interrupted")
	ErrFailed      = errors.New("ceremony failed")
)

// StopError is what Run returns when a ceremony does not complete. Its
// reason is also in the log's last record.
type StopError struct {
	Ceremony string
	// Step is where it stopped ("2.3"; "" before the first step or after
	// the last).
	Step   string
	Reason string
	Failed bool
	// Err is the underlying error, if any (a prompter's, an action's).
	Err error
}

func (e *StopError) Error() string {
	what := "interrupted"
	if e.Failed {
		what = "failed"
	}
	at := ""
	if e.Step != "" {
		at = " at step " + e.Step
	}
	return fmt.Sprintf("%s %s%s: %s", e.Ceremony, what, at, e.Reason)
}

// Is makes errors.Is(err, ErrInterrupted) and errors.Is(err, ErrFailed) work.
func (e *StopError) Is(target error) bool {
	return target == ErrFailed && e.Failed || target == ErrInterrupted && !e.Failed
}

func (e *StopError) Unwrap() error { return e.Err }

// stop is how step functions end a ceremony early.
type stop struct {
	failed bool
	reason string
	err    error
}

func (s *stop) Error() string { return s.reason }

func interrupted(err error, format string, args ...any) error {
	return &stop{reason: fmt.Sprintf(format, args...), err: err}
}

func failed(err error, format string, args ...any) error {
	return &stop{failed: true, reason: fmt.Sprintf(format, args...), err: err}
}

// errFinish marks a stop caused by the prompter's Finish, so it is not
// called twice.
var errFinish = errors.New("prompter finish")

// logError is a failure to write the log; the ceremony stops without a
// closing record (the log cannot take one).
type logError struct{ err error }

func (e *logError) Error() string { return e.err.Error() }

type stepFunc func(r *runner, s *Step) error

type runner struct {
	ctx  context.Context
	def  *Definition
	p    Prompter
	log  *LogWriter
	a    Actions
	opts Options
	res  Result
	step string
	// holder is the repetition of the current act (1-based), 0 outside
	// repeated acts.
	holder int

	// Public state.
	operator    string
	witnesses   []string
	holderNames map[int]string
	head        pendingHead // the last act's head words, until the next question
	threshold   int
	count       int
	keyWallet   Wallet // the wallet of key
	collected   []ShareInfo
	need        int
	sweep       Sweep

	// What left the machine, for a stop record (leftBehind).
	cardsShown  []int
	exported    []string
	sweepSigned bool

	// Secret state, wiped by wipeAll.
	key    []byte
	shares [][]byte
	typed  [][]byte
	// passphrase is the BIP39 passphrase of the key held (nil: none).
	passphrase []byte
	// passStep is the rebuild's passphrase step, asked again when the
	// fingerprint with the passphrase is not the one on paper.
	passStep *Step
}

// secret is the key held, for the actions.
func (r *runner) secret() Key { return Key{Entropy: r.key, Passphrase: r.passphrase} }

// Run walks a ceremony: it shows each step, asks through p, has a do the
// automatic work, and appends every step to the log. At the end of each act
// it shows the log head words for the witnesses' checklist. It returns when
// the ceremony completes, or with a *StopError when it is interrupted (ctx
// cancelled, the prompter's input ends, "stop" or Ctrl-C) or fails (a check fails); either way the log's last record
// says where and why, and every secret the run held is wiped.
func Run(ctx context.Context, def *Definition, p Prompter, log *LogWriter, a Actions, opts Options) (Result, error) {
	if def == nil || p == nil || log == nil || a == nil {
		return Result{}, errors.New("ceremony: Run needs a definition, a prompter, a log writer and actions")
	}
	if err := def.Validate(); err != nil {
		return Result{}, err
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.EntropyBytes == 0 {
		opts.EntropyBytes = 32
	}
	if opts.EntropyBytes != 16 && opts.EntropyBytes != 32 {
		return Result{}, fmt.Errorf("ceremony: entropy of %d bytes; use 16 (12 words) or 32 (24 words)", opts.EntropyBytes)
	}
	if opts.MaxTries <= 0 {
		opts.MaxTries = 3
	}
	if opts.Now == nil {
		opts.Now = time.Now
		if log.Now != nil {
			opts.Now = log.Now
		}
	}
	r := &runner{ctx: ctx, def: def, p: p, log: log, a: a, opts: opts, holderNames: map[int]string{}}
	r.res.Ceremony = def.Name
	defer r.wipeAll()
	err := r.run()
	r.res.Head = log.Head()
	if err == nil {
		return r.res, nil
	}
	return r.res, r.finishStopped(err)
}

func (r *runner) run() error {
	data := map[string]string{"title": r.def.Title}
	if d, ok := r.p.(Describer); ok {
		data["prompter"] = d.Describe()
	}
	if err := r.append("", string(System), EventStarted, data); err != nil {
		return err
	}
	intro := r.def.Title + "\n\n" + r.def.Purpose
	for _, w := range r.def.Warnings {
		intro += "\n\nIMPORTANT: " + w
	}
	if err := r.show(intro); err != nil {
		return err
	}
	for i := range r.def.Acts {
		act := &r.def.Acts[i]
		if err := r.runAct(act); err != nil {
			return err
		}
		r.holder = 0
		last := i == len(r.def.Acts)-1
		if last {
			r.step = ""
			if f, ok := r.p.(Finisher); ok {
				if err := f.Finish(); err != nil {
					return interrupted(fmt.Errorf("%w: %w", errFinish, err), "all steps are done, but %v", err)
				}
			}
		}
		event := EventActEnd
		if last {
			event = EventCompleted
		}
		if err := r.append("", string(System), event, map[string]string{"act": strconv.Itoa(act.Number), "title": act.Title}); err != nil {
			return err
		}
		h := r.log.Head()
		msg := fmt.Sprintf("End of act %d (%s).\nLog head words: %s\n(hex %s)\nWitnesses: write these words on the checklist line for the end of act %d.",
			act.Number, act.Title, h.Words(), h.Hex(), act.Number)
		if last {
			msg += fmt.Sprintf("\n\nThe %s ceremony is complete.", r.def.Name)
		}
		if err := r.show(msg); err != nil {
			return err
		}
		r.head = pendingHead{act: act.Number, words: h.Words()}
	}
	return nil
}

// pendingHead is the head words of the act that ended last, until the next
// question. Steps the program does on its own (an export, a rebuild) print
// screens of their own after them, and on an 80×24 console the words the
// witnesses must write scroll away before anyone is asked anything; so
// when a step ran between the act's end and the question, remindHead
// shows them again right before it.
type pendingHead struct {
	act   int    // 0: none pending
	words string // the head words at the end of act
	steps int    // the steps shown since
}

// remindHead shows the pending head words again, last before a question,
// when any step was shown between them and the question's own step.
func (r *runner) remindHead() error {
	h := r.head
	r.head = pendingHead{}
	if h.act == 0 || h.steps <= 1 {
		return nil
	}
	return r.show(fmt.Sprintf("Witnesses: act %d's log head words, for its line on the checklist:\n  %s", h.act, h.words))
}

func (r *runner) runAct(act *Act) error {
	switch act.Repeat {
	case Once:
		return r.runSteps(act, 0)
	case EachHolder:
		if r.count < 2 {
			return failed(nil, "act %d repeats for each holder, but no share count was chosen before it", act.Number)
		}
		for h := 1; h <= r.count; h++ {
			if err := r.runSteps(act, h); err != nil {
				return err
			}
		}
		return nil
	case EachShare:
		r.need, r.collected = 0, nil
		for h := 1; r.need == 0 || len(r.collected) < r.need; h++ {
			if err := r.runSteps(act, h); err != nil {
				return err
			}
		}
		return nil
	}
	return failed(nil, "act %d has an unknown repeat", act.Number)
}

func (r *runner) runSteps(act *Act, holder int) error {
	r.holder = holder
	for i := range act.Steps {
		s := &act.Steps[i]
		r.step = s.ID
		if err := r.ctx.Err(); err != nil {
			return interrupted(err, "the ceremony was cancelled")
		}
		head := fmt.Sprintf("Step %s", s.ID)
		if holder > 0 {
			head += fmt.Sprintf(" (%s %d)", repeatNoun(act.Repeat), holder)
		}
		head += fmt.Sprintf(" — %s [%s: %s]\n%s", s.Title, r.actor(s), s.Confirm, s.Instruction)
		if r.head.act > 0 {
			r.head.steps++
		}
		if err := r.show(head); err != nil {
			return err
		}
		if err := s.do(r, s); err != nil {
			return err
		}
	}
	return nil
}

func repeatNoun(rep Repeat) string {
	if rep == EachShare {
		return "share"
	}
	return "holder"
}

// finishStopped logs where the ceremony stopped and builds the StopError.
func (r *runner) finishStopped(err error) error {
	var le *logError
	if errors.As(err, &le) {
		return &StopError{Ceremony: r.def.Name, Step: r.step, Reason: "the log could not be written: " + le.Error(), Failed: true, Err: le.err}
	}
	var st *stop
	if !errors.As(err, &st) {
		st = &stop{failed: true, reason: err.Error(), err: err}
	}
	se := &StopError{Ceremony: r.def.Name, Step: r.step, Reason: st.reason, Failed: st.failed, Err: st.err}
	if f, ok := r.p.(Finisher); ok && !errors.Is(st.err, errFinish) {
		f.Finish() // wipes what the prompter holds; unused answers are expected here
	}
	if r.def.report {
		r.append(r.step, string(System), "drill-report", r.drillReport("fail", st.reason))
	}
	event := EventInterrupted
	if st.failed {
		event = EventFailed
	}
	at := r.step
	if at == "" {
		at = "end"
	}
	exists, data := r.leftBehind()
	data["at"], data["reason"], data["left_behind"] = at, st.reason, exists
	if e := r.append(r.step, string(System), event, data); e != nil {
		se.Reason += " (and the log could not record it: " + e.Error() + ")"
		return se
	}
	h := r.log.Head()
	r.res.Head = h
	r.p.Show(fmt.Sprintf("The %s ceremony stopped at step %s (%s): %s\n%s\nLog head words: %s\nWitnesses: write these words and \"stopped at %s\" on the checklist, and what the screen says exists.",
		r.def.Name, at, event, st.reason, exists, h.Words(), at))
	return se
}

func (r *runner) wipeAll() {
	wipe(r.key)
	r.key = nil
	wipe(r.passphrase)
	r.passphrase = nil
	for _, s := range r.shares {
		wipe(s)
	}
	r.shares = nil
	for _, s := range r.typed {
		wipe(s)
	}
	r.typed = nil
}

// actor names who does step s in the current repetition.
func (r *runner) actor(s *Step) string {
	if s.Actor == Holder && r.holder > 0 {
		return fmt.Sprintf("holder %d", r.holder)
	}
	return string(s.Actor)
}

// who is the actor as the subject of a sentence: "the operator", "holder 2".
func (r *runner) who(s *Step) string {
	a := r.actor(s)
	if strings.HasPrefix(a, "holder ") {
		return a
	}
	return "the " + a
}

func (r *runner) prompt(s *Step, text string) Prompt {
	return Prompt{Step: s.ID, Actor: r.actor(s), Holder: r.holder, Text: text}
}

func (r *runner) append(step, actor, event string, data map[string]string) error {
	if _, err := r.log.Append(Record{Ceremony: r.def.Name, Step: step, Actor: actor, Event: event, Data: data}); err != nil {
		return &logError{err}
	}
	return nil
}

// record logs step s as done by its actor.
func (r *runner) record(s *Step, event string, data map[string]string) error {
	if data == nil {
		data = map[string]string{}
	}
	if r.holder > 0 {
		data["repeat"] = strconv.Itoa(r.holder)
	}
	return r.append(s.ID, r.actor(s), event, data)
}

func (r *runner) show(text string) error {
	if err := r.p.Show(text); err != nil {
		return interrupted(err, "the screen could not be written: %v", err)
	}
	return nil
}
