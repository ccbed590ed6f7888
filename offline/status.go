package offline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/airsign/airsign/ceremony"
)

// StatusOptions are the inputs of `airsign-offline ceremony status`.
type StatusOptions struct {
	// Logs are the ceremony logs to read (keygen, drills, reshares, …).
	Logs []string
	// PolicyFile holds the "schedule" object; empty is DefaultSchedule.
	PolicyFile string
	JSON       bool
	// Now is the moment judged (time.Now if zero): the offline clock
	// cannot be trusted, so --date lets the witnesses give today's date.
	Now time.Time
}

// ErrOverdue is returned when the schedule asks for something that has not
// happened; the command then exits 4, so a checklist or a cron job can gate
// on it.
var ErrOverdue = errors.New("overdue")

// OverdueError lists what is overdue; it unwraps to ErrOverdue.
type OverdueError struct{ Items []string }

func (e *OverdueError) Error() string {
	return fmt.Sprintf("%d item(s) overdue:\n  %s", len(e.Items), strings.Join(e.Items, "\n  "))
}
func (e *OverdueError) Unwrap() error { return ErrOverdue }

// ExitCode is 4: "something is overdue", distinct from an error (1), a bad
// command line (2) and a refusal (3).
func (e *OverdueError) ExitCode() int { return 4 }

// Status answers "when did we last prove we can spend, with which holders,
// and is it overdue?" from the logs alone.
func Status(env *Env, opts StatusOptions) error {
	if len(opts.Logs) == 0 {
		return errors.New("name the ceremony log(s): the keygen's, and the drills' if they were kept apart")
	}
	sched := ceremony.DefaultSchedule()
	if opts.PolicyFile != "" {
		f, err := os.Open(opts.PolicyFile)
		if err != nil {
			return fmt.Errorf("opening the policy file: %w", err)
		}
		sched, err = ceremony.ParseSchedule(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", opts.PolicyFile, err)
		}
	}
	var logs [][]ceremony.Record
	for _, path := range opts.Logs {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("opening the log: %w", err)
		}
		recs, err := ceremony.ReadRecords(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w; check it with `airsign-offline ceremony verify-log %s`", path, err, path)
		}
		logs = append(logs, recs)
	}
	now, clock := opts.Now, "the date given with --date"
	if now.IsZero() {
		now, clock = time.Now().UTC(), "this machine's clock (give --date YYYY-MM-DD if it is not set)"
	}
	st, err := ceremony.ComputeStatus(logs, sched, now)
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return err
		}
	} else {
		printStatus(env, st, sched, clock)
	}
	if len(st.Overdue) > 0 {
		return &OverdueError{Items: st.Overdue}
	}
	return nil
}

func printStatus(env *Env, st *ceremony.Status, sched ceremony.Schedule, clock string) {
	date := func(d ceremony.Dated) string {
		src := "machine clock"
		if d.Clock == "witnesses" {
			src = "typed by the witnesses"
		}
		return fmt.Sprintf("%s (%d days ago, %s)", d.Date.Format("2006-01-02"), int(st.Now.Sub(d.Date).Hours()/24), src)
	}
	env.Printf("Cold storage status on %s, by %s\n\n", st.Now.Format("2006-01-02"), clock)
	k := st.Key
	env.Printf("Key %s made by %s on %s\n", k.Fingerprint, k.Ceremony, date(k.Dated))
	if k.Shares > 0 {
		env.Printf("Share set %s: any %d of %d\n", k.SetID, k.Threshold, k.Shares)
	}
	if st.LastDrill != nil {
		env.Printf("Last passing drill: %s, shares %s\n", date(st.LastDrill.Dated), joinShareNumbers(st.LastDrill.SharesUsed))
	} else {
		env.Printf("Last passing drill: none\n")
	}
	env.Printf("Drills of this key: %d\n", len(st.Drills))
	// Each ceremony says which clock dated it: a log from before the
	// witnesses typed the date has only the machine's.
	for i, d := range st.Drills {
		if i == maxDrillsListed {
			env.Printf("  … and %d older\n", len(st.Drills)-i)
			break
		}
		what := strings.ToUpper(d.Result)
		if len(d.SharesUsed) > 0 {
			what += ", shares " + joinShareNumbers(d.SharesUsed)
		}
		if d.Reserves {
			what += ", proof of reserves"
		}
		env.Printf("  drill %s: %s\n", date(d.Dated), what)
	}
	if len(st.Holders) > 0 {
		env.Printf("\nHolders:\n")
		for _, h := range st.Holders {
			last := "never drilled"
			if h.LastDrill != nil {
				last = fmt.Sprintf("drilled %s (%d days ago)", h.LastDrill.Date.Format("2006-01-02"), int(st.Now.Sub(h.LastDrill.Date).Hours()/24))
			}
			mark := "ok"
			if h.Overdue {
				mark = "OVERDUE"
			}
			name := h.Name
			if name == "" {
				name = "(name not logged)"
			}
			env.Printf("  share %-3d %-20.20s %-38s %s\n", h.Share, name, last, mark)
		}
	}
	env.Printf("\nSchedule: drill %s, each holder %s, new key %s, proof of reserves %s\n",
		days(sched.DrillEveryDays), days(sched.HolderEveryDays), days(sched.RotateEveryDays), days(sched.ReservesEveryDays))
	if len(st.Overdue) == 0 {
		env.Printf("Nothing is overdue.\n")
		return
	}
	env.Printf("\nOVERDUE:\n")
	for _, o := range st.Overdue {
		env.Printf("  - %s\n", o)
	}
}

// maxDrillsListed keeps the report on one screen.
const maxDrillsListed = 5

func days(n int) string {
	if n == 0 {
		return "off"
	}
	return fmt.Sprintf("every %d days", n)
}

func joinShareNumbers(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
