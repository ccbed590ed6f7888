package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cold storage fails quietly: a drill that was never run, a holder nobody
// asked for their card in years, a key that was meant to be rotated. The
// status answers "when did we last prove we can spend, with which holders,
// and is it overdue?" from the logs alone, against a schedule the team wrote
// down in its policy file.

// Schedule is how often each thing must happen; 0 turns a rule off.
type Schedule struct {
	// DrillEveryDays: a passing recovery drill at least this often.
	DrillEveryDays int `json:"drill_every_days"`
	// HolderEveryDays: every share holder's share used in a passing drill
	// at least this often (a card nobody has looked at may be lost).
	HolderEveryDays int `json:"holder_every_days"`
	// RotateEveryDays: a new key (keygen or rotate) at least this often.
	RotateEveryDays int `json:"rotate_every_days"`
	// ReservesEveryDays: a drill that signed a proof of reserves at least
	// this often.
	ReservesEveryDays int `json:"reserves_every_days"`
}

// DefaultSchedule is a drill every 180 days, every holder yearly, a new key
// every two years; proofs of reserves are not required unless asked for.
func DefaultSchedule() Schedule {
	return Schedule{DrillEveryDays: 180, HolderEveryDays: 365, RotateEveryDays: 730}
}

// MaxScheduleFile bounds the policy file read for the schedule.
const MaxScheduleFile = 1 << 20

// ParseSchedule reads the "schedule" object of a policy file (the file may
// hold the signing policy's fields too; they are not this package's to
// judge). Fields left out keep DefaultSchedule's values; unknown fields,
// negative or fractional days are errors naming the field.
func ParseSchedule(r io.Reader) (Schedule, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxScheduleFile+1))
	if err != nil {
		return Schedule{}, err
	}
	if len(data) > MaxScheduleFile {
		return Schedule{}, fmt.Errorf("the policy file is larger than %d bytes", MaxScheduleFile)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return Schedule{}, fmt.Errorf("the policy file is not a JSON object: %v", err)
	}
	s := DefaultSchedule()
	raw, ok := top["schedule"]
	if !ok {
		return s, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Schedule{}, fmt.Errorf("\"schedule\" must be an object of day counts, e.g. {\"drill_every_days\": 180}")
	}
	for name, v := range fields {
		var dst *int
		switch name {
		case "drill_every_days":
			dst = &s.DrillEveryDays
		case "holder_every_days":
			dst = &s.HolderEveryDays
		case "rotate_every_days":
			dst = &s.RotateEveryDays
		case "reserves_every_days":
			dst = &s.ReservesEveryDays
		default:
			return Schedule{}, fmt.Errorf("schedule: unknown field %q (known: drill_every_days, holder_every_days, rotate_every_days, reserves_every_days)", name)
		}
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		var n json.Number
		if t := bytes.TrimSpace(v); len(t) == 0 || t[0] == '"' {
			return Schedule{}, fmt.Errorf("schedule: %s must be a whole number of days", name)
		}
		if err := dec.Decode(&n); err != nil {
			return Schedule{}, fmt.Errorf("schedule: %s must be a whole number of days", name)
		}
		days, err := strconv.Atoi(n.String())
		if err != nil || days < 0 || days > 100*366 {
			return Schedule{}, fmt.Errorf("schedule: %s is %s; give a whole number of days from 0 (off) to 36600", name, n)
		}
		*dst = days
	}
	return s, nil
}

// ReadScheduleFile reads the schedule of the policy file at path
// (ParseSchedule); path "" is DefaultSchedule. Errors name the file.
func ReadScheduleFile(path string) (Schedule, error) {
	if path == "" {
		return DefaultSchedule(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return Schedule{}, fmt.Errorf("opening the policy file: %w", err)
	}
	defer f.Close()
	s, err := ParseSchedule(f)
	if err != nil {
		return Schedule{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Status is the answer at one moment.
type Status struct {
	Now time.Time `json:"now"`
	// Key is the newest key made (keygen or rotate), nil if no log has one.
	Key *KeyEvent `json:"key,omitempty"`
	// LastDrill is the newest passing drill of that key, nil if none.
	LastDrill *DrillEvent `json:"last_drill,omitempty"`
	// Drills are every drill of that key, newest first, passing or not.
	Drills []DrillEvent `json:"drills,omitempty"`
	// Holders are the holders of the newest share set and when each
	// one's share last served in a passing drill.
	Holders []HolderStatus `json:"holders,omitempty"`
	// LastProof is the newest proof of reserves of that key verified
	// against the chain (by airsign-online's reserves verify), nil if none
	// was given; a drill that signed one counts too (Drills[].Reserves).
	LastProof *Dated `json:"last_proof,omitempty"`
	// Overdue says, in plain words, what the schedule asks for and has not
	// had; empty when nothing is.
	Overdue []string `json:"overdue"`
	// Items are the same, each with its kind, for alerts that tell a
	// drill overdue from a proof of reserves overdue.
	Items []OverdueItem `json:"-"`
}

// OverdueItem is one thing the schedule asks for and has not had.
type OverdueItem struct {
	// Kind is one of the Due… kinds.
	Kind    string
	Message string
}

// The kinds of overdue item, one per rule of the Schedule.
const (
	DueRotate   = "rotate"
	DueDrill    = "drill"
	DueHolder   = "holder"
	DueReserves = "reserves"
)

func (st *Status) due(kind, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	st.Overdue = append(st.Overdue, msg)
	st.Items = append(st.Items, OverdueItem{Kind: kind, Message: msg})
}

// Dated is when something happened, and by which clock: the date the
// witnesses typed, or the offline machine's clock, which nobody sets.
type Dated struct {
	Date time.Time `json:"date"`
	// Clock is "witnesses" or "machine".
	Clock string `json:"clock"`
}

// KeyEvent is a completed keygen or rotate.
type KeyEvent struct {
	Dated
	Ceremony    string `json:"ceremony"`
	Fingerprint string `json:"fingerprint"`
	SetID       string `json:"set_id,omitempty"`
	Shares      int    `json:"shares,omitempty"`
	Threshold   int    `json:"threshold,omitempty"`
}

// DrillEvent is one recovery drill's report.
type DrillEvent struct {
	Dated
	Result     string `json:"result"`
	SharesUsed []int  `json:"shares_used,omitempty"`
	SetID      string `json:"set_id,omitempty"`
	// Reserves is true when the drill signed a proof of reserves.
	Reserves bool `json:"reserves,omitempty"`
}

// HolderStatus is one share holder of the current set.
type HolderStatus struct {
	Share int    `json:"share"`
	Name  string `json:"name,omitempty"`
	// LastDrill is the newest passing drill that used this share (nil: never).
	LastDrill *Dated `json:"last_drill,omitempty"`
	Overdue   bool   `json:"overdue"`
}

// MaxStatusLog bounds a log read whole for the status: years of ceremonies
// and signatures stay far below it.
const MaxStatusLog = 256 << 20

// ReadRecords reads the records of a log whose chain Verify has accepted.
func ReadRecords(r io.Reader) ([]Record, error) {
	l, err := readLog(r, "")
	return l.recs, err
}

// verifiedLog is a log read whole and verified: its records, each line's
// SHA-256 (the chain's hashes), and what Verify learned.
type verifiedLog struct {
	recs    []Record
	hashes  [][32]byte
	summary Summary
}

func readLog(r io.Reader, expectHead string) (verifiedLog, error) {
	var l verifiedLog
	data, err := io.ReadAll(io.LimitReader(r, MaxStatusLog+1))
	if err != nil {
		return l, err
	}
	if len(data) > MaxStatusLog {
		return l, fmt.Errorf("the log is larger than %d MiB; that is not a ceremony log (start a new log per key)", MaxStatusLog>>20)
	}
	if l.summary, err = Verify(bytes.NewReader(data), expectHead); err != nil {
		return l, err
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return l, fmt.Errorf("record %d: %v", len(l.recs)+1, err)
		}
		l.recs = append(l.recs, rec)
		l.hashes = append(l.hashes, sha256.Sum256(line))
	}
	return l, nil
}

// run is the records of one ceremony run in one log.
type run struct {
	ceremony string
	outcome  string
	recs     []Record
}

// splitRuns cuts a log into ceremony runs ("started" … end), dropping the
// records that belong to none (the signing log's).
func splitRuns(recs []Record) []run {
	var out []run
	var cur *run
	for _, rec := range recs {
		switch {
		case rec.Event == EventStarted:
			out = append(out, run{ceremony: rec.Ceremony, outcome: "open"})
			cur = &out[len(out)-1]
		case cur == nil || rec.Ceremony != cur.ceremony:
			continue
		}
		cur.recs = append(cur.recs, rec)
		switch rec.Event {
		case EventCompleted, EventInterrupted, EventFailed:
			cur.outcome = rec.Event
			cur = nil
		}
	}
	return out
}

// date is when a run happened: the date the witnesses typed, if the run
// recorded one ("witness_date", YYYY-MM-DD), else the machine's clock on the
// run's last record.
func (r run) date() (Dated, error) {
	for _, rec := range r.recs {
		if d := rec.Data["witness_date"]; d != "" {
			t, err := time.Parse("2006-01-02", d)
			if err == nil {
				return Dated{Date: t, Clock: "witnesses"}, nil
			}
		}
	}
	last := r.recs[len(r.recs)-1]
	t, err := parseTime(last.Time)
	if err != nil {
		return Dated{}, fmt.Errorf("record %d: %v", last.Seq, err)
	}
	return Dated{Date: t, Clock: "machine"}, nil
}

func (r run) find(event string) (Record, bool) {
	for i := len(r.recs) - 1; i >= 0; i-- {
		if r.recs[i].Event == event {
			return r.recs[i], true
		}
	}
	return Record{}, false
}

// ComputeStatus answers from the records of one or more logs (keygen,
// drills, reshares, rotations; in any order of logs) against sched at now.
func ComputeStatus(logs [][]Record, sched Schedule, now time.Time) (*Status, error) {
	var reports []Report
	for _, recs := range logs {
		rs, err := reportsOf(recs, nil)
		if err != nil {
			return nil, err
		}
		reports = append(reports, rs...)
	}
	return Evaluate(reports, nil, sched, now)
}

// Evaluate is the one judgement of the schedule, from the reports of
// ceremony runs (read from logs here, or kept by airsign-online from the logs
// it imported) and proofs of reserves verified elsewhere (proofs; airsign-online
// verifies them against the chain), against sched at now.
func Evaluate(reports []Report, proofs []Dated, sched Schedule, now time.Time) (*Status, error) {
	all := slices.Clone(reports)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Date.Before(all[j].Date) })

	st := &Status{Now: now}
	names := map[int]string{}
	for _, r := range all {
		if r.Outcome != EventCompleted {
			continue
		}
		switch r.Ceremony {
		case "keygen", "rotate":
			st.Key = &KeyEvent{Dated: r.Dated, Ceremony: r.Ceremony, Fingerprint: r.Fingerprint, SetID: r.SetID, Shares: r.Shares, Threshold: r.Threshold}
			st.LastDrill, st.Drills = nil, nil
			names = r.Holders
		case "reshare":
			if st.Key == nil || !r.Split {
				continue
			}
			st.Key.SetID, st.Key.Threshold, st.Key.Shares = r.SetID, r.Threshold, r.Shares
			names = r.Holders
			// Drills of the old set say nothing about the new holders'
			// cards.
			st.Drills, st.LastDrill = nil, nil
		}
	}
	if st.Key == nil {
		return st, errors.New("no completed keygen or rotate in these logs; give the log the key was made in (and the drills' logs)")
	}
	for _, r := range all {
		if r.Ceremony != "drill" || r.Result == "" || r.Date.Before(st.Key.Date) {
			continue
		}
		if r.Fingerprint != "" && st.Key.Fingerprint != "" && r.Fingerprint != st.Key.Fingerprint {
			continue // a drill of another key
		}
		if r.SetID != "" && st.Key.SetID != "" && r.SetID != st.Key.SetID {
			continue // a drill of an earlier share set
		}
		d := DrillEvent{Dated: r.Dated, Result: r.Result, SetID: r.SetID, SharesUsed: r.SharesUsed, Reserves: r.Reserves}
		st.Drills = append([]DrillEvent{d}, st.Drills...)
		if d.Result == "pass" {
			dd := d
			st.LastDrill = &dd
		}
	}
	for _, p := range proofs {
		if !p.Date.Before(st.Key.Date) && (st.LastProof == nil || p.Date.After(st.LastProof.Date)) {
			pp := p
			st.LastProof = &pp
		}
	}
	if st.Key.Shares < 0 || st.Key.Shares > 255 {
		// Shamir over GF(256) has at most 255 shares; a log that says
		// more was not written by a ceremony.
		return nil, fmt.Errorf("the log says the share set has %d shares; a share set has 1 to 255", st.Key.Shares)
	}
	for i := 1; i <= st.Key.Shares; i++ {
		h := HolderStatus{Share: i, Name: names[i]}
		for _, d := range st.Drills {
			if d.Result == "pass" && slices.Contains(d.SharesUsed, i) {
				dd := d.Dated
				h.LastDrill = &dd
				break
			}
		}
		st.Holders = append(st.Holders, h)
	}
	st.overdue(sched)
	return st, nil
}

func (st *Status) overdue(s Schedule) {
	days := func(t time.Time) int { return int(st.Now.Sub(t).Hours() / 24) }
	if s.RotateEveryDays > 0 && days(st.Key.Date) > s.RotateEveryDays {
		st.due(DueRotate, "key rotation: the key is %d days old; the schedule asks for a new key every %d days", days(st.Key.Date), s.RotateEveryDays)
	}
	if s.DrillEveryDays > 0 {
		switch {
		case st.LastDrill == nil && days(st.Key.Date) > s.DrillEveryDays:
			st.due(DueDrill, "recovery drill: none has passed since the key was made %d days ago; the schedule asks for one every %d days", days(st.Key.Date), s.DrillEveryDays)
		case st.LastDrill != nil && days(st.LastDrill.Date) > s.DrillEveryDays:
			st.due(DueDrill, "recovery drill: the last one passed %d days ago; the schedule asks for one every %d days", days(st.LastDrill.Date), s.DrillEveryDays)
		}
	}
	if s.HolderEveryDays > 0 {
		for i := range st.Holders {
			h := &st.Holders[i]
			since := st.Key.Date
			if h.LastDrill != nil {
				since = h.LastDrill.Date
			}
			if days(since) > s.HolderEveryDays {
				h.Overdue = true
				who := fmt.Sprintf("share %d", h.Share)
				if h.Name != "" {
					who += " (" + h.Name + ")"
				}
				what := "has never been used in a passing drill"
				if h.LastDrill != nil {
					what = fmt.Sprintf("was last used in a passing drill %d days ago", days(h.LastDrill.Date))
				}
				st.due(DueHolder, "holder: %s %s; the schedule asks for every holder every %d days", who, what, s.HolderEveryDays)
			}
		}
	}
	if s.ReservesEveryDays > 0 {
		since, how := st.Key.Date, "signed in a drill"
		for i := range st.Drills {
			if st.Drills[i].Result == "pass" && st.Drills[i].Reserves {
				since = st.Drills[i].Date
				break
			}
		}
		if st.LastProof != nil && st.LastProof.Date.After(since) {
			since = st.LastProof.Date
		}
		if st.LastProof != nil {
			how = "signed in a drill or verified online"
		}
		if days(since) > s.ReservesEveryDays {
			st.due(DueReserves, "proof of reserves: none %s for %d days; the schedule asks for one every %d days", how, days(since), s.ReservesEveryDays)
		}
	}
}

func parseInts(s string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}
