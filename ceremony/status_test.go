package ceremony_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/ceremony/ceremonytest"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

// A real keygen and drill on an offline laptop whose clock was never set
// (it says 2000-01-01): the witnesses typed the dates (step 1.4), and the
// status moves from "nothing overdue" to an overdue drill, then an overdue
// holder, as the days pass by those dates, never the machine's.
func TestStatusFromRealCeremonies(t *testing.T) {
	defer func(d string) { scriptDate = d }(scriptDate)
	f := &ceremonytest.Fake{}
	log, lw := newLog()
	lw.Now = func() time.Time { return day("2000-01-01") }
	scriptDate = "2025-01-01"
	res, cards := keygen(t, f, lw, 3, 2, 3)
	f.Recorded = res.Made
	scriptDate = "2025-03-01"
	p := ceremony.NewScripted(drillScript(res.Made, []string{cards[1], cards[2]})...)
	if _, err := ceremony.Run(context.Background(), ceremony.Drill(), p, lw, f, ceremony.Options{}); err != nil {
		t.Fatalf("drill: %v", err)
	}
	if !strings.Contains(strings.Join(p.Transcript, "\n"), "WARNING: this laptop's clock is 9191 days behind the date typed. The typed date, 2025-03-01, is the one that counts") {
		t.Errorf("no warning about the laptop's clock:\n%s", strings.Join(p.Transcript, "\n"))
	}
	if out := os.Getenv("AIRSIGN_WRITE_STATUS_LOG"); out != "" {
		// Writes the log witness.jsonl of
		// cmd/airsign-offline/testdata/script/status.txtar: a real keygen
		// and drill dated by the witnesses.
		if err := os.WriteFile(out, log.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := ceremony.ReadRecords(bytes.NewReader(log.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	status := func(now string) *ceremony.Status {
		t.Helper()
		st, err := ceremony.ComputeStatus([][]ceremony.Record{recs}, ceremony.DefaultSchedule(), day(now))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	st := status("2025-04-01")
	if st.Key == nil || st.Key.Ceremony != "keygen" || st.Key.Fingerprint != res.Made.Fingerprint || st.Key.Shares != 3 || st.Key.Clock != "witnesses" || !st.Key.Date.Equal(day("2025-01-01").Add(-12*time.Hour)) {
		t.Fatalf("key = %+v", st.Key)
	}
	if st.LastDrill == nil || !st.LastDrill.Date.Equal(day("2025-03-01").Add(-12*time.Hour)) || st.LastDrill.Clock != "witnesses" || len(st.LastDrill.SharesUsed) != 2 {
		t.Fatalf("last drill = %+v", st.LastDrill)
	}
	if len(st.Overdue) != 0 {
		t.Fatalf("overdue on day 90: %v", st.Overdue)
	}
	if st.Holders[0].LastDrill == nil || st.Holders[2].LastDrill != nil || st.Holders[0].Name != "Holder 1" {
		t.Fatalf("holders = %+v", st.Holders)
	}

	st = status("2025-09-15") // 198 days after the drill
	if len(st.Overdue) != 1 || !strings.Contains(st.Overdue[0], "recovery drill: the last one passed 198 days ago") {
		t.Fatalf("overdue = %v", st.Overdue)
	}

	st = status("2026-01-10") // share 3 unused for 374 days since the key
	var holder string
	for _, o := range st.Overdue {
		if strings.HasPrefix(o, "holder:") {
			holder = o
		}
	}
	if !strings.Contains(holder, "share 3 (Holder 3) has never been used in a passing drill") || !st.Holders[2].Overdue || st.Holders[0].Overdue {
		t.Fatalf("overdue = %v, holders %+v", st.Overdue, st.Holders)
	}

	st = status("2027-01-05") // two years and more
	if !strings.Contains(strings.Join(st.Overdue, "\n"), "key rotation: the key is 734 days old") {
		t.Fatalf("overdue = %v", st.Overdue)
	}
}

func TestStatusNeedsAKey(t *testing.T) {
	if _, err := ceremony.ComputeStatus(nil, ceremony.DefaultSchedule(), day("2025-01-01")); err == nil || !strings.Contains(err.Error(), "no completed keygen") {
		t.Fatalf("err = %v", err)
	}
}

// A drill of another key, a failed drill and a witness-typed date.
func TestStatusChoosesTheRightEvents(t *testing.T) {
	rec := func(ceremonyName, event string, data map[string]string) ceremony.Record {
		return ceremony.Record{Ceremony: ceremonyName, Actor: "system", Event: event, Data: data}
	}
	var b bytes.Buffer
	lw := ceremony.NewLogWriter(&b, ceremony.GenesisHead())
	add := func(date string, recs ...ceremony.Record) {
		lw.Now = func() time.Time { return day(date) }
		for _, r := range recs {
			if _, err := lw.Append(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("2025-01-01",
		rec("keygen", ceremony.EventStarted, nil),
		rec("keygen", "date", map[string]string{"witness_date": "2024-12-30"}),
		rec("keygen", "key-made", map[string]string{"fingerprint": "aabbccdd"}),
		rec("keygen", "split", map[string]string{"set_id": "S1", "threshold": "2", "shares": "2"}),
		rec("keygen", ceremony.EventCompleted, nil))
	add("2025-02-01",
		rec("drill", ceremony.EventStarted, nil),
		rec("drill", "drill-report", map[string]string{"result": "pass", "fingerprint": "00000000", "shares_used": "1,2"}),
		rec("drill", ceremony.EventCompleted, nil))
	add("2025-03-01",
		rec("drill", ceremony.EventStarted, nil),
		rec("drill", "drill-report", map[string]string{"result": "fail", "fingerprint": "aabbccdd", "shares_used": "1,2"}),
		rec("drill", ceremony.EventFailed, nil))
	add("2025-03-02", rec("sign", "signed", nil))
	recs, err := ceremony.ReadRecords(&b)
	if err != nil {
		t.Fatal(err)
	}
	st, err := ceremony.ComputeStatus([][]ceremony.Record{recs}, ceremony.Schedule{DrillEveryDays: 30}, day("2025-03-10"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Key.Clock != "witnesses" || !st.Key.Date.Equal(day("2024-12-30").Add(-12*time.Hour)) {
		t.Fatalf("key dated %+v; want the witnesses' date", st.Key.Dated)
	}
	if st.LastDrill != nil {
		t.Fatalf("a drill of another key or a failed one counted: %+v", st.LastDrill)
	}
	if len(st.Overdue) != 1 || !strings.Contains(st.Overdue[0], "none has passed since the key was made 70 days ago") {
		t.Fatalf("overdue = %v", st.Overdue)
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ceremony.ParseSchedule(strings.NewReader(`{"max_fee_sat": 100000, "schedule": {"drill_every_days": 90, "reserves_every_days": 365}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.DrillEveryDays != 90 || s.ReservesEveryDays != 365 || s.HolderEveryDays != 365 || s.RotateEveryDays != 730 {
		t.Fatalf("schedule = %+v", s)
	}
	for _, bad := range []struct{ in, want string }{
		{`[]`, "not a JSON object"},
		{`{"schedule": 5}`, "must be an object"},
		{`{"schedule": {"drill_every_day": 90}}`, `unknown field "drill_every_day"`},
		{`{"schedule": {"drill_every_days": -1}}`, "drill_every_days is -1"},
		{`{"schedule": {"drill_every_days": 1.5}}`, "drill_every_days is 1.5"},
		{`{"schedule": {"drill_every_days": "90"}}`, "whole number"},
	} {
		if _, err := ceremony.ParseSchedule(strings.NewReader(bad.in)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: err = %v, want %q", bad.in, err, bad.want)
		}
	}
}

// FuzzParseSchedule: any policy file gives a schedule or an error, never a
// panic, and a schedule is never negative.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{`{}`, `{"schedule": {"drill_every_days": 90}}`, `{"schedule": {"holder_every_days": 1e3}}`, `{"schedule": null}`, `[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ceremony.ParseSchedule(strings.NewReader(in))
		if err == nil && (s.DrillEveryDays < 0 || s.HolderEveryDays < 0 || s.RotateEveryDays < 0 || s.ReservesEveryDays < 0) {
			t.Fatalf("negative schedule %+v from %q", s, in)
		}
	})
}

// FuzzStatus: any verified log gives a status or an error, never a panic.
func FuzzStatus(f *testing.F) {
	f.Add("keygen", "split", "shares", "3", "drill-report", "shares_used", "1,2,x")
	f.Fuzz(func(t *testing.T, c1, e1, k1, v1, e2, k2, v2 string) {
		var b bytes.Buffer
		lw := ceremony.NewLogWriter(&b, ceremony.GenesisHead())
		for _, r := range []ceremony.Record{
			{Ceremony: c1, Actor: "system", Event: ceremony.EventStarted},
			{Ceremony: c1, Actor: "system", Event: e1, Data: map[string]string{k1: v1}},
			{Ceremony: c1, Actor: "system", Event: ceremony.EventCompleted},
			{Ceremony: "drill", Actor: "system", Event: ceremony.EventStarted},
			{Ceremony: "drill", Actor: "system", Event: e2, Data: map[string]string{k2: v2, "result": "pass"}},
			{Ceremony: "drill", Actor: "system", Event: ceremony.EventCompleted},
		} {
			if _, err := lw.Append(r); err != nil {
				return
			}
		}
		recs, err := ceremony.ReadRecords(&b)
		if err != nil {
			return
		}
		st, err := ceremony.ComputeStatus([][]ceremony.Record{recs}, ceremony.DefaultSchedule(), day("2030-01-01"))
		if err == nil && len(st.Holders) > 255 {
			t.Fatalf("%d holders from a log", len(st.Holders))
		}
	})
}
