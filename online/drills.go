package online

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/online/store"
)

// The connected side answers "when did we last prove we can spend, and is it
// overdue?" without the offline laptop: the ceremony logs are carried over
// (USB, like a signed PSBT), their chains verified here, and each run's
// report kept in the store. `status` then judges the reports with the very
// function `airsign-offline ceremony status` uses (ceremony.Evaluate), and
// `watch` raises the same overdue items as alerts.

// DrillsImportOptions are the inputs of `airsign-online drills import`.
type DrillsImportOptions struct {
	Wallet string
	// Logs are the ceremony log files copied from the offline laptop.
	Logs []string
	// Head is the head words (or hex) written on the paper checklist of
	// the last ceremony of the log; "" skips that check (and says so).
	Head string
}

// ImportDrills verifies each log's chain and records the reports of its
// completed keygens, rotations and reshares and of its drills in the
// wallet's store. A run recorded before is not recorded again; a log none of
// whose runs is of the wallet's key is refused, naming the wallet.
func ImportDrills(ctx context.Context, env *Env, opts DrillsImportOptions) error {
	if len(opts.Logs) == 0 {
		return errors.New("name the ceremony log(s) copied from the offline laptop (airsign-offline writes them where --log said)")
	}
	if opts.Head != "" && len(opts.Logs) > 1 {
		return errors.New("--head is the head words of one log: import the logs one at a time with their own words")
	}
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return err
	}
	for _, path := range opts.Logs {
		if err := importDrillLog(ctx, env, w, path, opts.Head); err != nil {
			return err
		}
	}
	return nil
}

func importDrillLog(ctx context.Context, env *Env, w *Wallet, path, head string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening the log: %w", err)
	}
	lr, err := ceremony.ReadReports(f, head)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was imported from it (check the original on the offline laptop with `airsign-offline ceremony verify-log`)", path, err)
	}
	ours, others, err := w.reportsOf(path, lr.Reports)
	if err != nil {
		return err
	}
	var added, had []ceremony.Report
	err = env.update(func(t *store.Tx) error {
		for _, r := range ours {
			js, err := json.Marshal(r)
			if err != nil {
				return err
			}
			ok, err := t.AddDrillReport(store.DrillReport{WalletID: w.id, LogHead: r.Head, Report: string(js)})
			if err != nil {
				return err
			}
			if ok {
				added = append(added, r)
			} else {
				had = append(had, r)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording the reports of %s: %w", path, err)
	}
	env.Printf("%s: the chain of its %d records is intact; wallet %q\n", path, lr.Summary.Records, w.Name)
	for _, r := range added {
		env.Printf("  recorded   %s\n", describeReport(env, r))
	}
	for _, r := range had {
		env.Printf("  known      %s\n", describeReport(env, r))
	}
	for _, r := range others {
		env.Printf("  not ours   %s (key %s is not in this wallet)\n", describeReport(env, r), r.Fingerprint)
	}
	if len(added) == 0 {
		env.Printf("nothing new: every run of this log was recorded before\n")
	}
	// What the chain alone cannot vouch for, said every time.
	if lr.Summary.HeadChecked {
		env.Printf("head: the log ends at the words written down (%s)\n", lr.Summary.HeadAt.Words)
	} else {
		env.Printf("not checked here: where the log ends. Records cut from its end, or a log\n" +
			"  rewritten whole with a fresh chain, look intact; give --head with the words\n" +
			"  on the last ceremony's paper checklist to rule that out.\n")
	}
	if lr.Sealed > 0 {
		env.Printf("not checked here: %d record(s) sealed with a MAC, which needs the key;\n"+
			"  only the offline laptop can check them, with the key rebuilt from shares.\n", lr.Sealed)
	}
	return nil
}

// reportsOf keeps the reports Evaluate weighs and sorts them into the
// wallet's and other keys'. A run naming no key (a drill that failed before
// the key was rebuilt) goes with the log's runs of this wallet; a log with
// none of this wallet's key is refused, naming the wallet.
func (w *Wallet) reportsOf(path string, all []ceremony.Report) (ours, others []ceremony.Report, err error) {
	var anyOurs bool
	var theirKeys []string
	for _, r := range all {
		if !r.Counts() {
			continue
		}
		switch {
		case w.isKeyOf(r):
			anyOurs = true
			ours = append(ours, r)
		case r.Fingerprint == "" && r.DescriptorID == "":
			ours = append(ours, r)
		default:
			others = append(others, r)
			if !slices.Contains(theirKeys, r.Fingerprint) {
				theirKeys = append(theirKeys, r.Fingerprint)
			}
		}
	}
	if len(ours)+len(others) == 0 {
		return nil, nil, fmt.Errorf("%s: no completed keygen, rotate or reshare and no drill report in it: nothing to import", path)
	}
	if !anyOurs {
		return nil, nil, fmt.Errorf("%s is not a log of wallet %q: its runs are of key %s, and the wallet's key is %s; import it with --wallet naming that key's wallet",
			path, w.Name, orNone(strings.Join(theirKeys, ", ")), strings.Join(w.fingerprints(), ", "))
	}
	return ours, others, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none named)"
	}
	return s
}

// isKeyOf reports whether a run is of this wallet's key: the same
// descriptor ID, or a fingerprint among the descriptor's key origins (a
// multisig wallet holds several keys, each made in its own ceremony).
func (w *Wallet) isKeyOf(r ceremony.Report) bool {
	if r.DescriptorID != "" && r.DescriptorID == w.desc.ID() {
		return true
	}
	return r.Fingerprint != "" && slices.Contains(w.fingerprints(), strings.ToLower(r.Fingerprint))
}

// fingerprints are the master fingerprints of the descriptor's keys.
func (w *Wallet) fingerprints() []string {
	var out []string
	for _, k := range w.desc.Keys() {
		out = append(out, hex.EncodeToString(k.MasterFingerprint[:]))
	}
	return out
}

func describeReport(env *Env, r ceremony.Report) string {
	s := fmt.Sprintf("%s on %s (%s)", r.Ceremony, r.Date.Format("2006-01-02"), clockName(r.Clock))
	switch {
	case r.Ceremony == "drill":
		s += ": " + r.Result
		if len(r.SharesUsed) > 0 {
			s += fmt.Sprintf(", shares %s", joinInts(r.SharesUsed))
		}
		if names := holderList(r.Holders); names != "" {
			s += " (" + names + ")"
		}
		if r.Reserves {
			s += fmt.Sprintf(", proof of reserves of %s for %q", env.amount(r.ReservesTotal), r.ReservesMessage)
		}
	case r.Split:
		s += fmt.Sprintf(": key %s, share set %s, any %d of %d", r.Fingerprint, r.SetID, r.Threshold, r.Shares)
		if names := holderList(r.Holders); names != "" {
			s += " (" + names + ")"
		}
	default:
		s += ": key " + r.Fingerprint
	}
	return s
}

func clockName(c string) string {
	if c == "witnesses" {
		return "date typed by the witnesses"
	}
	return "offline machine's clock"
}

func holderList(m map[int]string) string {
	var names []string
	for i := 1; i <= 255 && len(names) < len(m); i++ {
		if n, ok := m[i]; ok && n != "" {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// ColdStatusOptions are the inputs of `airsign-online status` without a
// txid: the schedule's answer for the wallet.
type ColdStatusOptions struct {
	Wallet string
	// PolicyFile holds the "schedule" object, as for airsign-offline
	// ceremony status; empty is ceremony.DefaultSchedule.
	PolicyFile string
	JSON       bool
	// Now is the moment judged (time.Now if zero).
	Now time.Time
}

// ColdStatus prints the schedule's answer from the reports and the proofs
// of reserves verified in the store; an *ceremony.OverdueError (exit code
// 4) when anything is overdue.
func ColdStatus(ctx context.Context, env *Env, opts ColdStatusOptions) error {
	sched, err := ceremony.ReadScheduleFile(opts.PolicyFile)
	if err != nil {
		return err
	}
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	st, n, err := w.coldStatus(env, sched, now)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("wallet %q has no ceremony reports yet: carry the keygen's and the drills' logs over and run `airsign-online drills import LOG…`", w.Name)
	}
	return st.Print(env.Stdout, opts.JSON, sched, "the online clock, wallet "+w.Name)
}

// coldStatus judges the wallet's recorded reports and the proofs of
// reserves verified here; n is how many reports there were (none: no
// status, since nothing says when the key was made).
func (w *Wallet) coldStatus(env *Env, sched ceremony.Schedule, now time.Time) (st *ceremony.Status, n int, err error) {
	var recs []store.DrillReport
	var proofs []store.ReservesProof
	err = env.view(func(t *store.Tx) error {
		var err error
		if recs, err = t.DrillReports(w.id); err != nil {
			return err
		}
		proofs, err = t.ReservesProofs()
		return err
	})
	if err != nil || len(recs) == 0 {
		return nil, 0, err
	}
	reports := make([]ceremony.Report, 0, len(recs))
	for _, r := range recs {
		var rep ceremony.Report
		if err := json.Unmarshal([]byte(r.Report), &rep); err != nil {
			return nil, 0, fmt.Errorf("drill report %d of wallet %q in the store is damaged (%v): import its log again", r.ID, w.Name, err)
		}
		reports = append(reports, rep)
	}
	var verified []ceremony.Dated
	for _, p := range proofs {
		if p.WalletID == w.id {
			verified = append(verified, ceremony.Dated{Date: time.Unix(p.VerifiedAt, 0).UTC(), Clock: "online"})
		}
	}
	st, err = ceremony.Evaluate(reports, verified, sched, now)
	return st, len(recs), err
}

// watchSchedule reads the watch configuration's "schedule" exactly as the
// policy file's (ceremony.ParseSchedule); absent, it is the default one.
func watchSchedule(raw json.RawMessage) (ceremony.Schedule, error) {
	if len(raw) == 0 {
		return ceremony.DefaultSchedule(), nil
	}
	doc, err := json.Marshal(map[string]json.RawMessage{"schedule": raw})
	if err != nil {
		return ceremony.Schedule{}, err
	}
	return ceremony.ParseSchedule(bytes.NewReader(doc))
}

// overdueWatch is one overdue item of the schedule, as a watch alert.
type overdueWatch struct{ Kind, Message string }

// drillEvents are the schedule's overdue items for a wallet with ceremony
// reports, from the same evaluation as `status` (none for a wallet
// without reports: nothing says when its key was made). A proof of
// reserves overdue is left to reserves_every_days when that is set, so one
// lapse is one alert.
func (w *Wallet) drillEvents(env *Env, cfg *WatchConfig, now time.Time) ([]overdueWatch, error) {
	st, n, err := w.coldStatus(env, cfg.sched, now)
	if err != nil || n == 0 {
		return nil, err
	}
	var out []overdueWatch
	for _, it := range st.Items {
		kind := WatchDrillDue
		if it.Kind == ceremony.DueReserves {
			if cfg.ReservesEveryDays > 0 {
				continue
			}
			kind = WatchReservesDue
		}
		out = append(out, overdueWatch{kind, it.Message})
	}
	return out, nil
}
