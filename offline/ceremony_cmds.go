package offline

import (
	"fmt"
	"os"
	"strings"

	"github.com/airsign/airsign/ceremony"
)

// VerifyLog checks a hash-chained log (ceremony or signing log) and prints
// its runs; with expectHead (the words or hex the witnesses wrote on paper)
// it also checks the log ends exactly there.
func VerifyLog(env *Env, path, expectHead string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening the log: %w", err)
	}
	defer f.Close()
	sum, err := ceremony.Verify(f, expectHead)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, r := range sum.Runs {
		at := ""
		if r.At != "" {
			at = " at step " + r.At
		}
		env.Printf("records %d-%d  %-8s %s%s\n", r.FirstSeq, r.LastSeq, r.Ceremony, r.Outcome, at)
	}
	if sum.Signed+sum.Refused > 0 {
		env.Printf("signing records: %d signed, %d refused\n", sum.Signed, sum.Refused)
	}
	env.Printf("OK: %d records, chain intact\nhead: %s\n      %s\n", sum.Records, sum.Head.Words(), sum.Head.Hex())
	if sum.HeadChecked {
		env.Printf("%s\n", headVerdict(sum))
	}
	return nil
}

// headVerdict says what the words written on paper vouch for: "records 1–33
// match the words of keygen on DATE (end of act 6); 21 later records follow
// (drill on DATE), chain intact".
func headVerdict(sum ceremony.Summary) string {
	at := sum.HeadAt
	what := "the log's last record"
	if at.Ceremony != "" {
		what = fmt.Sprintf("%s on %s", at.Ceremony, ceremony.Day(at.Time))
		if at.Act != "" {
			what += fmt.Sprintf(" (end of act %s)", at.Act)
		} else {
			what += fmt.Sprintf(" (%s)", at.Event)
		}
	}
	msg := fmt.Sprintf("records 1–%d match the words of %s", at.Seq, what)
	later := uint64(sum.Records) - at.Seq
	switch {
	case later == 0:
		msg += "; the log ends there"
	case later == 1:
		msg += "; 1 later record follows"
	default:
		msg += fmt.Sprintf("; %d later records follow", later)
	}
	if runs := sum.Later(); later > 0 && len(runs) > 0 {
		msg += " (" + strings.Join(runs, ", ") + ")"
	}
	if later > 0 {
		msg += ", chain intact; check those with their own head words"
	} else {
		msg += ", chain intact"
	}
	return msg
}

// ErrUnknownCeremony is the error of a name that is none of the ceremonies.
var ErrUnknownCeremony = ceremony.ErrUnknownCeremony

// Checklist prints the paper checklist of one ceremony, or all.
func Checklist(env *Env, name string) error {
	if name == "" {
		return ceremony.WriteDocument(env.Stdout)
	}
	return ceremony.Checklist(env.Stdout, name)
}

// AnswersTemplate prints an answers file for a ceremony with every step.
func AnswersTemplate(env *Env, name string) error {
	def, err := ceremony.Lookup(name)
	if err != nil {
		return err
	}
	return ceremony.WriteAnswersTemplate(env.Stdout, def)
}
