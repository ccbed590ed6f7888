package offline

import (
	"fmt"
	"os"

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
	env.Printf("OK: %d records, chain intact\nhead: %s\n      %s\n", sum.Records, sum.Head.Words(), sum.Head.Hex())
	if sum.HeadChecked {
		env.Printf("the log ends at the head written on paper\n")
	}
	return nil
}

// Checklist prints the paper checklist of one ceremony, or all.
func Checklist(env *Env, name string) error {
	if name == "" {
		return ceremony.WriteChecklist(env.Stdout, ceremony.Definitions()...)
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
