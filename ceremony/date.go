package ceremony

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Nobody sets the clock of an offline laptop: its battery runs flat in a
// drawer, it never sees a time server, and a log dated by it alone says
// nothing an auditor can trust. So every ceremony asks the witnesses for
// today's date, read from their own phone or paper calendar; the log keeps
// it beside the machine's time ("witness_date", "machine_date"), and the
// status dates each ceremony by it.

// DateLayout is how a typed date is written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// firstDay is the day of Bitcoin's genesis block: no airsign ceremony can
// be older, so an earlier date is a misread year.
var firstDay = time.Date(2009, 1, 3, 0, 0, 0, 0, time.UTC)

var dateRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// ParseWitnessDate reads a date typed by the witnesses: YYYY-MM-DD, a day
// that is on the calendar (no 2025-02-30), not before 2009-01-03. The error
// quotes the input only when it has the date's shape (digits and hyphens),
// so a share pasted at the wrong prompt is never echoed.
func ParseWitnessDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if !dateRE.MatchString(s) {
		return time.Time{}, errors.New("type the date as YYYY-MM-DD, for example 2026-03-14 (year, month, day)")
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not a day on the calendar: check the month (01 to 12) and the day", s)
	}
	if t.Before(firstDay) {
		return time.Time{}, fmt.Errorf("%s is before 2009-01-03, when Bitcoin began: read the year again", s)
	}
	return t, nil
}

// LogDates are the latest dates a log vouches for, which a new ceremony's
// date may not precede: the newest date witnesses typed in a ceremony that
// completed, and the machine's time on the last record (an older log has
// only that). A date typed in a run that stopped binds nothing: its witnesses
// may have stopped it because the date was wrong.
type LogDates struct {
	// Typed is the newest witness_date of a completed run in the log (zero
	// if none), and TypedBy that run's ceremony.
	Typed   time.Time
	TypedBy string
	// Stopped is the newest witness_date of a run that did not complete,
	// when it is later than Typed (zero otherwise): said, never enforced.
	Stopped time.Time
	// Machine is the machine's time on the log's last record (zero for an
	// empty log).
	Machine time.Time
}

// DatesOf reads the LogDates of a log's records (in log order).
func DatesOf(recs []Record) LogDates {
	var d LogDates
	var pending time.Time // the date typed in the run being read
	for _, rec := range recs {
		switch rec.Event {
		case EventStarted:
			if pending.After(d.Stopped) {
				d.Stopped = pending
			}
			pending = time.Time{}
		case EventCompleted:
			if pending.After(d.Typed) {
				d.Typed, d.TypedBy = pending, rec.Ceremony
			}
			pending = time.Time{}
		}
		if w := rec.Data["witness_date"]; w != "" {
			if t, err := time.Parse(DateLayout, w); err == nil {
				pending = t
			}
		}
	}
	if pending.After(d.Stopped) { // the last run did not complete
		d.Stopped = pending
	}
	if !d.Stopped.After(d.Typed) {
		d.Stopped = time.Time{}
	}
	if len(recs) > 0 {
		if t, err := parseTime(recs[len(recs)-1].Time); err == nil {
			d.Machine = t.UTC()
		}
	}
	return d
}

// confirmDays is how far a typed date may be from the machine's clock (or
// before the log's last record) without being typed again to confirm.
const confirmDays = 3

// dayOf is t's calendar day (UTC) at midnight.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween is b - a in whole calendar days.
func daysBetween(a, b time.Time) int {
	return int(dayOf(b).Sub(dayOf(a)).Hours() / 24)
}

// checkDateAnswer is the answers-file check of a date step: the shape and
// the calendar, before anything runs (the log's dates are checked at the
// step).
func checkDateAnswer(s string) error {
	_, err := ParseWitnessDate(s)
	return err
}

// suspicious says why a typed date needs confirming ("" if it does not):
// more than confirmDays from the machine's clock, or before the log's last
// record by more than that.
func suspiciousDate(t, machine time.Time, ld LogDates) string {
	var why []string
	if n := daysBetween(machine, t); n > confirmDays || n < -confirmDays {
		dir := "ahead of"
		if n < 0 {
			dir, n = "behind", -n
		}
		why = append(why, fmt.Sprintf("%d days %s this laptop's clock (%s)", n, dir, machine.Format(DateLayout)))
	}
	if m := ld.Machine; !m.IsZero() {
		if n := daysBetween(t, m); n > confirmDays {
			why = append(why, fmt.Sprintf("%d days before the log's last record (%s)", n, m.Format(DateLayout)))
		}
	}
	return strings.Join(why, " and ")
}

// doWitnessDate asks the witnesses for today's date from their own
// calendar, refuses a date before the last date typed at a completed
// ceremony of the log, has a date far from the machine's clock typed again
// to confirm (at a keyboard), warns when the clock differs by more than a
// day, and records both.
func doWitnessDate(r *runner, s *Step) error {
	var typed, pending time.Time
	machine := r.opts.Now().UTC()
	err := r.askUntil(s, "Witness: type today's date from your own phone or paper calendar (not from this laptop), as YYYY-MM-DD", func(ans string) error {
		t, err := ParseWitnessDate(ans)
		if err != nil {
			pending = time.Time{}
			return again("%v. Type the date again.", err)
		}
		if last := r.opts.LogDates.Typed; !last.IsZero() && t.Before(last) {
			pending = time.Time{}
			by := ""
			if r.opts.LogDates.TypedBy != "" {
				by = " (a " + r.opts.LogDates.TypedBy + ")"
			}
			return again("%s is before %s, the date typed at an earlier ceremony in this log that completed%s: a log does not go back in time (a date typed in a stopped run does not count). Read the date from the calendar again.",
				t.Format(DateLayout), last.Format(DateLayout), by)
		}
		if why := suspiciousDate(t, machine, r.opts.LogDates); why != "" && attended(r.p) && !t.Equal(pending) {
			pending = t
			return again("%s is %s. If that is today's date, type it again to confirm; if it is a slip, type the right date.", t.Format(DateLayout), why)
		}
		typed = t
		return nil
	})
	if err != nil {
		return err
	}
	data := map[string]string{"witness_date": typed.Format(DateLayout), "machine_date": machine.Format(DateLayout)}
	if !pending.IsZero() && typed.Equal(pending) {
		data["confirmed"] = "typed twice"
	}
	msg := fmt.Sprintf("Date recorded: %s, typed by the witnesses. This laptop's clock says %s.", typed.Format(DateLayout), machine.Format("2006-01-02 15:04 UTC"))
	if n := daysBetween(machine, typed); n > 1 || n < -1 {
		dir := "behind"
		if n < 0 {
			dir, n = "ahead of", -n
		}
		msg += fmt.Sprintf("\nWARNING: this laptop's clock is %d days %s the date typed. The typed date, %s, is the one that counts: "+
			"it is this ceremony's date in the log and in `ceremony status`. Check it once more against a calendar; do not change it to match the laptop.",
			n, dir, typed.Format(DateLayout))
		data["clock_differs_days"] = fmt.Sprint(n)
	}
	if m := r.opts.LogDates.Machine; !m.IsZero() && dayOf(typed).Before(dayOf(m)) && r.opts.LogDates.Typed.IsZero() {
		msg += fmt.Sprintf("\nNote: the log's last record is dated %s by the machine's clock, after the date typed; the machine's clock is not trusted, the typed date counts.", m.Format(DateLayout))
	}
	if st := r.opts.LogDates.Stopped; !st.IsZero() && typed.Before(st) {
		msg += fmt.Sprintf("\nNote: a run of this log that was stopped, not completed, had %s typed as its date; a stopped run's date binds no later ceremony.", st.Format(DateLayout))
	}
	r.res.Date = typed
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "date", data)
}
