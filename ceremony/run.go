package ceremony

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Options tune a run; the zero value is what the program uses.
type Options struct {
	// Rand is the OS randomness mixed with the dice; nil means
	// crypto/rand.Reader. Tests give a fixed reader.
	Rand io.Reader
	// EntropyBytes is the size of a new key's BIP39 entropy: 32 (24 words,
	// the default) or 16 (12 words).
	EntropyBytes int
	// MaxTries is how often a wrong typed confirmation, a mistyped share or
	// refused dice are asked again before the ceremony stops; default 3.
	MaxTries int
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
	threshold   int
	count       int
	keyWallet   Wallet // the wallet of key
	collected   []ShareInfo
	need        int
	sweep       Sweep

	// Secret state, wiped by wipeAll.
	key    []byte
	shares [][]byte
	typed  [][]byte
}

// Run walks a ceremony: it shows each step, asks through p, has a do the
// automatic work, and appends every step to the log. At the end of each act
// it shows the log head words for the witnesses' checklist. It returns when
// the ceremony completes, or with a *StopError when it is interrupted (ctx
// cancelled, the prompter's input ends, a confirmation is typed wrong
// MaxTries times) or fails (a check fails); either way the log's last record
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
	}
	return nil
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
	if e := r.append(r.step, string(System), event, map[string]string{"at": at, "reason": st.reason}); e != nil {
		se.Reason += " (and the log could not record it: " + e.Error() + ")"
		return se
	}
	h := r.log.Head()
	r.res.Head = h
	r.p.Show(fmt.Sprintf("The %s ceremony %s at step %s: %s\nNothing secret was kept.\nLog head words: %s\nWitnesses: write these words and \"stopped at %s\" on the checklist.",
		r.def.Name, event, at, st.reason, h.Words(), at))
	return se
}

func (r *runner) wipeAll() {
	wipe(r.key)
	r.key = nil
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

// ask asks a public question; "stop" as an answer interrupts the ceremony.
func (r *runner) ask(s *Step, text string) (string, error) {
	return r.askPrompt(s, r.prompt(s, text))
}

func (r *runner) askPrompt(s *Step, p Prompt) (string, error) {
	if err := r.ctx.Err(); err != nil {
		return "", interrupted(err, "the ceremony was cancelled")
	}
	ans, err := r.p.Ask(p)
	if err != nil {
		return "", interrupted(err, "no answer from %s: %v", r.who(s), err)
	}
	if err := r.ctx.Err(); err != nil {
		return "", interrupted(err, "the ceremony was cancelled")
	}
	ans = strings.TrimSpace(ans)
	if strings.EqualFold(ans, "stop") {
		return "", interrupted(nil, "%s typed stop", r.who(s))
	}
	return ans, nil
}

// askSecret asks for a secret; the caller wipes it.
func (r *runner) askSecret(s *Step, text string) ([]byte, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, interrupted(err, "the ceremony was cancelled")
	}
	b, err := r.p.AskSecret(r.prompt(s, text))
	if err != nil {
		wipe(b)
		return nil, interrupted(err, "no answer from %s: %v", r.who(s), err)
	}
	if err := r.ctx.Err(); err != nil {
		wipe(b)
		return nil, interrupted(err, "the ceremony was cancelled")
	}
	if t := bytes.TrimSpace(b); bytes.EqualFold(t, []byte("stop")) {
		wipe(b)
		return nil, interrupted(nil, "%s typed stop", r.who(s))
	}
	return b, nil
}

// ---- Step functions ----

func doAck(r *runner, s *Step) error {
	if err := r.ackWord(s); err != nil {
		return err
	}
	return r.record(s, "ack", map[string]string{"typed": s.Word})
}

// ackWord asks for s.Word until it is typed, MaxTries times.
func (r *runner) ackWord(s *Step) error {
	for try := 1; try <= r.opts.MaxTries; try++ {
		ans, err := r.ask(s, fmt.Sprintf("%s: type %q when this is done (or stop)", r.actor(s), s.Word))
		if err != nil {
			return err
		}
		if strings.EqualFold(ans, s.Word) {
			return nil
		}
		if err := r.show(fmt.Sprintf("That is not %q. Type %q to go on, or stop to end the ceremony.", s.Word, s.Word)); err != nil {
			return err
		}
	}
	return interrupted(nil, "%q was not typed after %d tries", s.Word, r.opts.MaxTries)
}

var initialsRE = regexp.MustCompile(`^\p{L}[\p{L}. ]{0,9}$`)

func doInitials(r *runner, s *Step) error {
	for try := 1; try <= r.opts.MaxTries; try++ {
		ans, err := r.ask(s, "Witness: initial the checklist, then type your initials here")
		if err != nil {
			return err
		}
		if initialsRE.MatchString(ans) {
			return r.record(s, "initials", map[string]string{"initials": ans})
		}
		if err := r.show("Initials are 1 to 10 letters (dots and spaces allowed). Type them again."); err != nil {
			return err
		}
	}
	return interrupted(nil, "no initials typed after %d tries", r.opts.MaxTries)
}

// validName checks a typed name: printable, 1 to 80 characters.
func validName(s string) error {
	if s == "" {
		return errors.New("the name is empty")
	}
	if utf8.RuneCountInString(s) > 80 {
		return errors.New("the name is longer than 80 characters")
	}
	for _, c := range s {
		if !unicode.IsPrint(c) || c == ',' {
			return errors.New("the name has a character that is not allowed (control characters, commas)")
		}
	}
	return nil
}

func doOperatorName(r *runner, s *Step) error {
	for try := 1; try <= r.opts.MaxTries; try++ {
		ans, err := r.ask(s, "Operator: type your name")
		if err != nil {
			return err
		}
		if err := validName(ans); err != nil {
			if e := r.show(err.Error() + ". Type it again."); e != nil {
				return e
			}
			continue
		}
		r.operator = ans
		return r.record(s, "participant", map[string]string{"role": "operator", "name": ans})
	}
	return interrupted(nil, "no valid name typed after %d tries", r.opts.MaxTries)
}

func doWitnessNames(r *runner, s *Step) error {
Tries:
	for try := 1; try <= r.opts.MaxTries; try++ {
		ans, err := r.ask(s, "Witnesses: type your names, separated by commas")
		if err != nil {
			return err
		}
		var names []string
		for _, n := range strings.Split(ans, ",") {
			n = strings.TrimSpace(n)
			if err := validName(n); err != nil {
				if e := r.show(fmt.Sprintf("Name %d: %v. Type the names again.", len(names)+1, err)); e != nil {
					return e
				}
				continue Tries
			}
			names = append(names, n)
		}
		r.witnesses = names
		return r.record(s, "participant", map[string]string{"role": "witness", "names": strings.Join(names, ", "), "count": strconv.Itoa(len(names))})
	}
	return interrupted(nil, "no valid witness names typed after %d tries", r.opts.MaxTries)
}

func doHolderName(r *runner, s *Step) error {
	for try := 1; try <= r.opts.MaxTries; try++ {
		ans, err := r.ask(s, fmt.Sprintf("Holder %d: type your name", r.holder))
		if err != nil {
			return err
		}
		if err := validName(ans); err != nil {
			if e := r.show(err.Error() + ". Type it again."); e != nil {
				return e
			}
			continue
		}
		r.holderNames[r.holder] = ans
		return r.record(s, "holder", map[string]string{"holder": strconv.Itoa(r.holder), "name": ans})
	}
	return interrupted(nil, "no valid name typed after %d tries", r.opts.MaxTries)
}

func doAirGap(r *runner, s *Step) error {
	checks, err := r.a.AirGapCheck(r.ctx)
	if err != nil {
		return failed(err, "the air-gap check could not run: %v", err)
	}
	if len(checks) == 0 {
		return failed(nil, "the air-gap check checked nothing")
	}
	data := map[string]string{}
	var lines []string
	var bad []string
	for _, c := range checks {
		v := "ok"
		switch {
		case !c.OK && c.Required:
			v = "FAIL"
			bad = append(bad, c.Name+": "+c.Detail)
		case !c.OK:
			v = "WARNING"
		}
		if c.Detail != "" {
			v += ": " + c.Detail
		}
		data[c.Name] = v
		lines = append(lines, fmt.Sprintf("  %-12s %s", c.Name, v))
	}
	if err := r.show("Air-gap check:\n" + strings.Join(lines, "\n")); err != nil {
		return err
	}
	if err := r.record(s, "airgap-check", data); err != nil {
		return err
	}
	if len(bad) > 0 {
		return failed(nil, "the air-gap check failed: %s", strings.Join(bad, "; "))
	}
	return nil
}

var tofnRE = regexp.MustCompile(`^(\d{1,2})\s*(?:of|/|-of-|-)\s*(\d{1,2})$`)

// ParseThreshold reads "T of N" ("2 of 3", "2-of-3", "2/3") and checks
// 2 ≤ T ≤ N ≤ 16, the limits of the share envelope.
func ParseThreshold(s string) (t, n int, err error) {
	m := tofnRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, 0, errors.New("type the threshold as T of N, for example 2 of 3")
	}
	t, _ = strconv.Atoi(m[1])
	n, _ = strconv.Atoi(m[2])
	switch {
	case n > 16:
		return 0, 0, fmt.Errorf("%d shares: at most 16", n)
	case t < 2:
		return 0, 0, errors.New("a threshold below 2 gives every holder the whole key; use at least 2")
	case t > n:
		return 0, 0, fmt.Errorf("%d of %d: the threshold cannot be more than the number of shares", t, n)
	}
	return t, n, nil
}

func doThreshold(r *runner, s *Step) error {
	for try := 1; try <= r.opts.MaxTries; try++ {
		ans, err := r.ask(s, "Operator: type the threshold and the number of shares as T of N (for example 2 of 3)")
		if err != nil {
			return err
		}
		t, n, err := ParseThreshold(ans)
		if err != nil {
			if e := r.show(err.Error() + "."); e != nil {
				return e
			}
			continue
		}
		r.threshold, r.count = t, n
		return r.record(s, "threshold", map[string]string{"threshold": strconv.Itoa(t), "shares": strconv.Itoa(n)})
	}
	return interrupted(nil, "no valid threshold typed after %d tries", r.opts.MaxTries)
}

func doDice(r *runner, s *Step) error {
	for try := 1; try <= r.opts.MaxTries; try++ {
		text, err := r.askSecret(s, fmt.Sprintf("Operator: type the dice rolls, at least %d (digits 1 to 6, spaces allowed)", MinDiceRolls))
		if err != nil {
			return err
		}
		ent, n, err := DiceEntropy(text, r.opts.Rand, r.opts.EntropyBytes)
		wipe(text)
		var de *DiceError
		if errors.As(err, &de) {
			if e := r.show(de.Error() + "\nNothing was kept. Roll again."); e != nil {
				return e
			}
			continue
		}
		if err != nil {
			return failed(err, "making the key: %v", err)
		}
		wipe(r.key)
		r.key = ent
		return r.record(s, "entropy", map[string]string{
			"dice_rolls": strconv.Itoa(n), "os_random_bytes": "32", "entropy_bits": strconv.Itoa(8 * len(ent)),
			"mix": "SHA-256(tag || dice || OS random)"})
	}
	return interrupted(nil, "the dice were refused %d times; check the die and start again", r.opts.MaxTries)
}

func checkWallet(w Wallet) (Wallet, error) {
	w.Fingerprint = strings.ToLower(w.Fingerprint)
	if len(w.Fingerprint) != 8 || !isLowerHex(w.Fingerprint) {
		return w, errors.New("the derived fingerprint is not 8 hex digits")
	}
	if w.Descriptor == "" || len(w.Addresses) == 0 {
		return w, errors.New("the derived wallet has no descriptor or no address")
	}
	return w, nil
}

func walletData(w Wallet) map[string]string {
	return map[string]string{"fingerprint": w.Fingerprint, "descriptor": w.Descriptor, "address_0": w.Addresses[0]}
}

func doMakeWallet(r *runner, s *Step) error {
	if r.key == nil {
		return failed(nil, "no key was made before this step")
	}
	w, err := r.a.Wallet(r.ctx, r.key)
	if err == nil {
		w, err = checkWallet(w)
	}
	if err != nil {
		return failed(err, "deriving the wallet: %v", err)
	}
	r.keyWallet, r.res.Made = w, w
	if err := r.show(fmt.Sprintf("Fingerprint: %s\nWatch-only descriptor: %s", w.Fingerprint, w.Descriptor)); err != nil {
		return err
	}
	return r.record(s, "key-made", walletData(w))
}

// sameValue compares a typed value with the program's, ignoring case,
// spaces and hyphens; last > 0 compares only the last characters.
func sameValue(value, typed string, last int) bool {
	norm := func(s string) string {
		return strings.Map(func(c rune) rune {
			if c == ' ' || c == '-' || c == '\t' {
				return -1
			}
			return unicode.ToLower(c)
		}, s)
	}
	v, t := norm(value), norm(typed)
	if t == "" {
		return false
	}
	if t == v {
		return true
	}
	return last > 0 && len(v) >= last && t == v[len(v)-last:]
}

// compare is a ReadAloud step: a value the program has, compared with a
// second source by typing it. showFirst shows the value before asking (the
// witnesses copy it onto paper and type the copy back); otherwise the value
// is typed from the paper first and shown after.
type compare struct {
	what      string
	value     func(r *runner) string
	last      int
	showFirst bool
	ask       string
}

func (c compare) do(r *runner, s *Step) error {
	v := c.value(r)
	if v == "" {
		return failed(nil, "there is no %s to compare yet", c.what)
	}
	label := c.what
	if c.last > 0 {
		label = fmt.Sprintf("last %d characters of the %s", c.last, c.what)
	}
	if c.showFirst {
		if err := r.show(fmt.Sprintf("Read aloud — %s: %s", c.what, v)); err != nil {
			return err
		}
	}
	p := r.prompt(s, c.ask)
	if c.showFirst {
		p.Shown = v
	}
	for try := 1; try <= r.opts.MaxTries; try++ {
		ans, err := r.askPrompt(s, p)
		if err != nil {
			return err
		}
		if sameValue(v, ans, c.last) {
			if err := r.show(fmt.Sprintf("The %s matches: %s", label, v)); err != nil {
				return err
			}
			return r.record(s, "compared", map[string]string{"what": c.what, "value": v})
		}
		msg := fmt.Sprintf("What was typed is not the %s the program has (%s). Check the paper against the screen and type it again.", label, v)
		if err := r.show(msg); err != nil {
			return err
		}
	}
	return failed(nil, "the %s on paper does not match the program's %s after %d tries", c.what, v, r.opts.MaxTries)
}

func doSplit(r *runner, s *Step) error {
	if r.key == nil || r.keyWallet.Fingerprint == "" || r.count == 0 {
		return failed(nil, "there is no key or no threshold to split with")
	}
	set, err := r.a.Split(r.ctx, r.key, r.keyWallet.Fingerprint, r.threshold, r.count)
	if err == nil {
		switch {
		case len(set.Shares) != r.count || set.Threshold != r.threshold || set.Count != r.count:
			err = fmt.Errorf("the split made %d shares (%d of %d), not %d of %d", len(set.Shares), set.Threshold, set.Count, r.threshold, r.count)
		case set.SetID == "":
			err = errors.New("the split has no set id")
		case set.SetID == r.res.OldSetID:
			err = fmt.Errorf("the new share set has the old set's id %s", set.SetID)
		}
	}
	if err != nil {
		for _, sh := range set.Shares {
			wipe(sh)
		}
		return failed(err, "splitting the key: %v", err)
	}
	r.shares = set.Shares
	r.res.NewSet = ShareInfo{SetID: set.SetID, Threshold: set.Threshold, Count: set.Count, Fingerprint: r.keyWallet.Fingerprint}
	if err := r.show(fmt.Sprintf("Share set %s: %d shares, any %d rebuild the key.", set.SetID, set.Count, set.Threshold)); err != nil {
		return err
	}
	return r.record(s, "split", map[string]string{"set_id": set.SetID, "threshold": strconv.Itoa(set.Threshold),
		"shares": strconv.Itoa(set.Count), "fingerprint": r.keyWallet.Fingerprint})
}

func doShowCard(r *runner, s *Step) error {
	i := r.holder
	if i < 1 || i > len(r.shares) || r.shares[i-1] == nil {
		return failed(nil, "there is no card for holder %d", i)
	}
	set := r.res.NewSet
	arts, err := r.a.PrintCard(r.ctx, Card{SetID: set.SetID, Threshold: set.Threshold, Count: set.Count, Index: i,
		Fingerprint: set.Fingerprint, Holder: r.holderNames[i], Share: r.shares[i-1]})
	if err != nil {
		return failed(err, "printing card %d: %v", i, err)
	}
	if err := r.p.ShowSecret(r.prompt(s, fmt.Sprintf("Card %d of %d for %s — only this holder looks at the screen", i, set.Count, r.holderNames[i])), r.shares[i-1]); err != nil {
		return interrupted(err, "the card could not be shown: %v", err)
	}
	if err := r.ackWord(s); err != nil {
		return err
	}
	data := map[string]string{"holder": strconv.Itoa(i), "index": strconv.Itoa(i), "set_id": set.SetID, "typed": s.Word}
	for _, a := range arts {
		data["printed "+a.Name] = a.SHA256
	}
	return r.record(s, "card-shown", data)
}

func doReenter(r *runner, s *Step) error {
	i := r.holder
	if i < 1 || i > len(r.shares) || r.shares[i-1] == nil {
		return failed(nil, "there is no card for holder %d", i)
	}
	for try := 1; try <= r.opts.MaxTries; try++ {
		typed, err := r.askSecret(s, fmt.Sprintf("Holder %d: type your share from your own copy (not from the screen)", i))
		if err != nil {
			return err
		}
		err = r.a.CheckCopy(r.ctx, r.shares[i-1], typed)
		wipe(typed)
		if err == nil {
			wipe(r.shares[i-1])
			r.shares[i-1] = nil
			if err := r.show(fmt.Sprintf("Holder %d's copy is correct.", i)); err != nil {
				return err
			}
			return r.record(s, "copy-checked", map[string]string{"holder": strconv.Itoa(i), "index": strconv.Itoa(i), "result": "match"})
		}
		if e := r.show(fmt.Sprintf("The copy does not match the card: %v\nThe card is shown again: correct the copy.", err)); e != nil {
			return e
		}
		if e := r.p.ShowSecret(r.prompt(s, fmt.Sprintf("Card %d again — correct your copy", i)), r.shares[i-1]); e != nil {
			return interrupted(e, "the card could not be shown: %v", e)
		}
	}
	return failed(nil, "holder %d's copy still does not match the card after %d tries", i, r.opts.MaxTries)
}

func doExport(r *runner, s *Step) error {
	w := r.res.Made
	arts, err := r.a.Export(r.ctx, w)
	if err != nil {
		return failed(err, "exporting the watch-only wallet: %v", err)
	}
	data := map[string]string{"fingerprint": w.Fingerprint, "descriptor": w.Descriptor}
	var lines []string
	for _, a := range arts {
		data["file "+a.Name] = a.SHA256
		lines = append(lines, fmt.Sprintf("  %s  sha256 %s", a.Name, a.SHA256))
	}
	if err := r.show("Watch-only wallet written:\n" + strings.Join(lines, "\n")); err != nil {
		return err
	}
	return r.record(s, "exported", data)
}

func doWipe(r *runner, s *Step) error {
	r.wipeAll()
	r.keyWallet = Wallet{}
	if err := r.show("The key and the shares are wiped from memory."); err != nil {
		return err
	}
	return r.record(s, "key-wiped", nil)
}

func doCollect(r *runner, s *Step) error {
	h := r.holder
	if h > 16 {
		return failed(nil, "more shares were entered than a set can have")
	}
	for try := 1; try <= r.opts.MaxTries; try++ {
		typed, err := r.askSecret(s, fmt.Sprintf("Holder %d: type your share (it is not shown)", h))
		if err != nil {
			return err
		}
		info, err := r.a.ParseShare(r.ctx, typed)
		if err == nil {
			err = r.acceptShare(info)
		}
		if err != nil {
			wipe(typed)
			if e := r.show(fmt.Sprintf("This share is not accepted: %v\nType it again.", err)); e != nil {
				return e
			}
			continue
		}
		r.typed = append(r.typed, typed)
		r.collected = append(r.collected, info)
		if r.need == 0 {
			r.need = info.Threshold
		}
		msg := fmt.Sprintf("Share %d of set %s accepted: %d of %d needed.", info.Index, info.SetID, len(r.collected), r.need)
		if err := r.show(msg); err != nil {
			return err
		}
		return r.record(s, "share-entered", map[string]string{"holder": strconv.Itoa(h), "index": strconv.Itoa(info.Index),
			"set_id": info.SetID, "threshold": strconv.Itoa(info.Threshold)})
	}
	return failed(nil, "holder %d's share was not accepted after %d tries", h, r.opts.MaxTries)
}

// acceptShare checks a share's header against the shares already collected.
func (r *runner) acceptShare(info ShareInfo) error {
	switch {
	case info.SetID == "":
		return errors.New("the share has no set id")
	case info.Threshold < 2 || info.Count < info.Threshold || info.Count > 16 || info.Index < 1 || info.Index > info.Count:
		return fmt.Errorf("the share says it is %d of a %d-of-%d set, which is impossible", info.Index, info.Threshold, info.Count)
	case r.res.NewSet.SetID != "" && info.SetID == r.res.NewSet.SetID:
		return fmt.Errorf("this share is from the new set %s made in this ceremony; the old key needs the old set's shares", info.SetID)
	}
	if len(r.collected) == 0 {
		return nil
	}
	first := r.collected[0]
	if info.SetID != first.SetID {
		return fmt.Errorf("you are mixing two share sets: this share is from set %s, the first share was from set %s", info.SetID, first.SetID)
	}
	for _, c := range r.collected {
		if c.Index == info.Index {
			return fmt.Errorf("share %d was already entered", info.Index)
		}
	}
	return nil
}

func doCombine(r *runner, s *Step) error {
	if len(r.collected) == 0 {
		return failed(nil, "no shares were collected")
	}
	key, err := r.a.Combine(r.ctx, r.typed)
	for _, t := range r.typed {
		wipe(t)
	}
	r.typed = nil
	if err != nil {
		wipe(key)
		return failed(err, "the shares do not rebuild a key: %v", err)
	}
	wipe(r.key)
	r.key = key
	w, err := r.a.Wallet(r.ctx, key)
	if err == nil {
		w, err = checkWallet(w)
	}
	if err != nil {
		return failed(err, "deriving the rebuilt key's wallet: %v", err)
	}
	first := r.collected[0]
	if first.Fingerprint != "" && !strings.EqualFold(first.Fingerprint, w.Fingerprint) {
		return failed(nil, "the rebuilt key's fingerprint %s is not the %s written on the shares", w.Fingerprint, first.Fingerprint)
	}
	var idx []int
	for _, c := range r.collected {
		idx = append(idx, c.Index)
	}
	slices.Sort(idx)
	r.keyWallet, r.res.Rebuilt, r.res.OldSetID, r.res.SharesUsed = w, w, first.SetID, idx
	if err := r.show(fmt.Sprintf("The key is rebuilt in memory.\nFingerprint: %s\nWatch-only descriptor: %s", w.Fingerprint, w.Descriptor)); err != nil {
		return err
	}
	data := walletData(w)
	data["set_id"], data["shares_used"] = first.SetID, joinInts(idx)
	return r.record(s, "key-rebuilt", data)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func doCompareRecord(r *runner, s *Step) error {
	rec, err := r.a.RecordedWallet(r.ctx)
	if err != nil {
		return failed(err, "no recorded wallet to compare with: %v", err)
	}
	w := r.res.Rebuilt
	if !strings.EqualFold(rec.Fingerprint, w.Fingerprint) {
		return failed(nil, "the rebuilt key's fingerprint %s is not the recorded wallet's %s (the last keygen or rotate in the log, or --record FILE): these shares are of another key, or give --record with the right wallet's descriptor", w.Fingerprint, rec.Fingerprint)
	}
	if rec.Descriptor != w.Descriptor {
		return failed(nil, "the rebuilt key's descriptor differs from the recorded wallet's:\n  rebuilt  %s\n  recorded %s", w.Descriptor, rec.Descriptor)
	}
	if err := r.show(fmt.Sprintf("The rebuilt key is the recorded wallet's: fingerprint %s, same descriptor.", w.Fingerprint)); err != nil {
		return err
	}
	return r.record(s, "matches-record", map[string]string{"fingerprint": w.Fingerprint, "descriptor": w.Descriptor})
}

func doShowAddresses(r *runner, s *Step) error {
	w := r.res.Rebuilt
	var lines []string
	for i, a := range w.Addresses {
		lines = append(lines, fmt.Sprintf("  receive %d: %s", i, a))
	}
	if err := r.show("First receive addresses of the rebuilt key:\n" + strings.Join(lines, "\n")); err != nil {
		return err
	}
	return compare{what: "first receive address", value: func(r *runner) string { return r.res.Rebuilt.Addresses[0] }, last: 8,
		ask: "Witness: type the last 8 characters of the first receive address written on the keygen checklist"}.do(r, s)
}

func doSignTest(r *runner, s *Step) error {
	ts, err := r.a.SignTest(r.ctx, r.key, r.res.Rebuilt)
	if err != nil {
		return failed(err, "the test signing failed: %v", err)
	}
	if !ts.Verified {
		return failed(nil, "the test signature did not verify")
	}
	if err := r.show(fmt.Sprintf("Test transaction signed and verified (%d inputs, PSBT sha256 %s). It spends nothing real.", ts.Inputs, ts.PSBTSHA256)); err != nil {
		return err
	}
	return r.record(s, "test-signed", map[string]string{"psbt_sha256": ts.PSBTSHA256, "inputs": strconv.Itoa(ts.Inputs), "verified": "yes"})
}

func (r *runner) drillReport(result, reason string) map[string]string {
	d := map[string]string{
		"result":      result,
		"operator":    r.operator,
		"witnesses":   strings.Join(r.witnesses, ", "),
		"shares_used": joinInts(r.res.SharesUsed),
	}
	if len(r.res.SharesUsed) == 0 {
		var idx []int
		for _, c := range r.collected {
			idx = append(idx, c.Index)
		}
		d["shares_entered"] = joinInts(idx)
	}
	var holders []string
	for h := 1; h <= len(r.holderNames); h++ {
		holders = append(holders, r.holderNames[h])
	}
	d["holders"] = strings.Join(holders, ", ")
	if r.res.OldSetID != "" {
		d["set_id"] = r.res.OldSetID
	}
	if r.res.Rebuilt.Fingerprint != "" {
		d["fingerprint"] = r.res.Rebuilt.Fingerprint
	}
	if reason != "" {
		d["reason"] = reason
	}
	return d
}

func doDrillReport(r *runner, s *Step) error {
	r.res.DrillPassed = true
	d := r.drillReport("pass", "")
	msg := fmt.Sprintf("Drill report: PASS\n  key fingerprint %s, share set %s\n  shares used: %s\n  operator: %s\n  witnesses: %s\n  holders: %s",
		d["fingerprint"], d["set_id"], d["shares_used"], d["operator"], d["witnesses"], d["holders"])
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "drill-report", d)
}

func doRevoke(r *runner, s *Step) error {
	if r.res.OldSetID == "" || r.res.NewSet.SetID == "" {
		return failed(nil, "there is no old and new share set")
	}
	msg := fmt.Sprintf("Share set %s is revoked and replaced by %s.\nThe old shares still rebuild the same key: to cut off a departed holder, run rotate.",
		r.res.OldSetID, r.res.NewSet.SetID)
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "share-set-revoked", map[string]string{"set_id": r.res.OldSetID, "replaced_by": r.res.NewSet.SetID,
		"fingerprint": r.res.Rebuilt.Fingerprint, "note": "revoked on paper only: old shares still rebuild the same key"})
}

func doLoadSweep(r *runner, s *Step) error {
	from, to := r.res.Rebuilt, r.res.Made
	sw, err := r.a.LoadSweep(r.ctx, from, to)
	if err != nil {
		return failed(err, "reading the sweep: %v", err)
	}
	// Address 0 only: it is the one the witnesses wrote at step 5.2 and
	// compare at 9.2.
	if len(to.Addresses) == 0 || sw.Destination != to.Addresses[0] {
		return failed(nil, "the sweep pays %s, not the new wallet's first address (written at step 5.2): prepare the sweep again to that address", sw.Destination)
	}
	if sw.AmountSats <= 0 || sw.FeeSats < 0 || sw.Inputs < 1 {
		return failed(nil, "the sweep moves nothing (%d inputs, %d sat)", sw.Inputs, sw.AmountSats)
	}
	r.sweep = sw
	msg := fmt.Sprintf("Sweep from %s to %s:\n  %d inputs, %s BTC to %s, fee %s BTC\n  PSBT sha256 %s",
		from.Fingerprint, to.Fingerprint, sw.Inputs, btc(sw.AmountSats), sw.Destination, btc(sw.FeeSats), sw.PSBTSHA256)
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "sweep-loaded", map[string]string{"psbt_sha256": sw.PSBTSHA256, "inputs": strconv.Itoa(sw.Inputs),
		"amount_sats": strconv.FormatInt(sw.AmountSats, 10), "fee_sats": strconv.FormatInt(sw.FeeSats, 10), "destination": sw.Destination})
}

func btc(sat int64) string {
	neg := ""
	if sat < 0 {
		neg, sat = "-", -sat
	}
	return fmt.Sprintf("%s%d.%08d", neg, sat/100_000_000, sat%100_000_000)
}

func doSignSweep(r *runner, s *Step) error {
	ss, err := r.a.SignSweep(r.ctx, r.key, r.sweep)
	if err != nil {
		return failed(err, "signing the sweep: %v", err)
	}
	if len(ss.TxID) != 64 || !isLowerHex(strings.ToLower(ss.TxID)) {
		return failed(nil, "the signed sweep has no valid txid")
	}
	r.res.SweepTxID = strings.ToLower(ss.TxID)
	data := map[string]string{"old_fingerprint": r.res.Rebuilt.Fingerprint, "new_fingerprint": r.res.Made.Fingerprint, "txid": r.res.SweepTxID}
	var lines []string
	for _, a := range ss.Artefacts {
		data["file "+a.Name] = a.SHA256
		lines = append(lines, fmt.Sprintf("  %s  sha256 %s", a.Name, a.SHA256))
	}
	if err := r.show(fmt.Sprintf("Sweep signed with the old key.\n  txid %s\n%s", r.res.SweepTxID, strings.Join(lines, "\n"))); err != nil {
		return err
	}
	return r.record(s, "sweep-signed", data)
}
