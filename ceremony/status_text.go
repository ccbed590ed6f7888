package ceremony

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrOverdue is what a status with anything overdue returns (Status.Err),
// so a checklist step or a cron job can gate on it.
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

// Err is an *OverdueError when anything is overdue, else nil.
func (st *Status) Err() error {
	if len(st.Overdue) > 0 {
		return &OverdueError{Items: st.Overdue}
	}
	return nil
}

// Print writes the status as indented JSON or as text (WriteText) and
// returns Err: what both airsign-offline and airsign-online print.
func (st *Status) Print(w io.Writer, asJSON bool, sched Schedule, clock string) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return err
		}
	} else {
		st.WriteText(w, sched, clock)
	}
	return st.Err()
}

// WriteText prints the status for a person: the key, the last drill, every
// holder, the schedule and what is overdue. clock says what "now" was
// taken from (a date typed with --date, or which machine's clock).
func (st *Status) WriteText(w io.Writer, sched Schedule, clock string) {
	printf := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	date := func(d Dated) string {
		src := "machine clock"
		if d.Clock == "witnesses" {
			src = "typed by the witnesses"
		}
		return fmt.Sprintf("%s (%d days ago, %s)", d.Date.Format("2006-01-02"), int(st.Now.Sub(d.Date).Hours()/24), src)
	}
	printf("Cold storage status on %s, by %s\n\n", st.Now.Format("2006-01-02"), clock)
	k := st.Key
	printf("Key %s made by %s on %s\n", k.Fingerprint, k.Ceremony, date(k.Dated))
	if k.Shares > 0 {
		printf("Share set %s: any %d of %d\n", k.SetID, k.Threshold, k.Shares)
	}
	if st.LastDrill != nil {
		printf("Last passing drill: %s, shares %s\n", date(st.LastDrill.Dated), joinShareNumbers(st.LastDrill.SharesUsed))
	} else {
		printf("Last passing drill: none\n")
	}
	printf("Drills of this key: %d\n", len(st.Drills))
	// Each ceremony says which clock dated it: a log from before the
	// witnesses typed the date has only the machine's.
	for i, d := range st.Drills {
		if i == maxDrillsListed {
			printf("  … and %d older\n", len(st.Drills)-i)
			break
		}
		what := strings.ToUpper(d.Result)
		if len(d.SharesUsed) > 0 {
			what += ", shares " + joinShareNumbers(d.SharesUsed)
		}
		if d.Reserves {
			what += ", proof of reserves"
		}
		printf("  drill %s: %s\n", date(d.Dated), what)
	}
	if len(st.Holders) > 0 {
		printf("\nHolders:\n")
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
			printf("  share %-3d %-20.20s %-38s %s\n", h.Share, name, last, mark)
		}
	}
	printf("\nSchedule: drill %s, each holder %s, new key %s, proof of reserves %s\n",
		days(sched.DrillEveryDays), days(sched.HolderEveryDays), days(sched.RotateEveryDays), days(sched.ReservesEveryDays))
	if len(st.Overdue) == 0 {
		printf("Nothing is overdue.\n")
		return
	}
	printf("\nOVERDUE:\n")
	for _, o := range st.Overdue {
		printf("  - %s\n", o)
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
