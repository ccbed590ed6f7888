package offlinecmd

import (
	"fmt"
	"time"

	"github.com/airsign/airsign/cmd/internal/cli"
	"github.com/airsign/airsign/offline"
	"github.com/spf13/cobra"
)

// statusCmd is `airsign-offline ceremony status LOG…`.
func statusCmd(env *offline.Env) *cobra.Command {
	var opts offline.StatusOptions
	var date string
	cmd := &cobra.Command{
		Use:   "status LOG… [--policy FILE] [--date YYYY-MM-DD]",
		Short: "When did we last prove we can spend, with which holders, and is anything overdue?",
		Long: `Read the ceremony logs and answer, against the schedule: the key's age and the
ceremony that made it, the last passing recovery drill and the share numbers
that took part, every holder of the current share set and when their share
last served in a passing drill, and what is overdue.

The schedule is the "schedule" object of the policy file (--policy), e.g.
  {"schedule": {"drill_every_days": 180, "holder_every_days": 365,
                "rotate_every_days": 730, "reserves_every_days": 365}}
Without one: a drill every 180 days, every holder yearly, a new key every two
years. A date the witnesses typed during a ceremony is used before the
machine's clock, and the report says which; --date gives today's date when
the offline laptop's clock is not set.

Exit code 4 when anything is overdue, so the status can gate a checklist or a
monitoring job; 0 when nothing is.`,
		Args: cli.MinArgs(1, "the ceremony log(s)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Logs = args
			if date != "" {
				t, err := time.Parse("2006-01-02", date)
				if err != nil {
					return cli.UsageError{Err: fmt.Errorf("--date %q: give the date as YYYY-MM-DD", date)}
				}
				opts.Now = t.Add(12 * time.Hour)
			}
			return offline.Status(env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.PolicyFile, "policy", "", "policy file whose \"schedule\" object sets the periods (docs/policy.md)")
	f.StringVar(&date, "date", "", "today's date, YYYY-MM-DD, when the offline clock cannot be trusted")
	f.BoolVar(&opts.JSON, "json", false, "print the status as JSON")
	return cmd
}
