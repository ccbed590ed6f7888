package offline

import (
	"errors"
	"fmt"
	"os"
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

// ErrOverdue and OverdueError (exit code 4) are ceremony's: airsign-online
// gives the same answer from the reports it keeps.
var ErrOverdue = ceremony.ErrOverdue

// OverdueError lists what is overdue; it unwraps to ErrOverdue.
type OverdueError = ceremony.OverdueError

// Status answers "when did we last prove we can spend, with which holders,
// and is it overdue?" from the logs alone.
func Status(env *Env, opts StatusOptions) error {
	if len(opts.Logs) == 0 {
		return errors.New("name the ceremony log(s): the keygen's, and the drills' if they were kept apart")
	}
	sched, err := ceremony.ReadScheduleFile(opts.PolicyFile)
	if err != nil {
		return err
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
	return st.Print(env.Stdout, opts.JSON, sched, clock)
}
