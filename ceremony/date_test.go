package ceremony_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/ceremony/ceremonytest"
)

func TestParseWitnessDate(t *testing.T) {
	good := map[string]string{"2026-12-03": "2026-12-03", " 2024-02-29 ": "2024-02-29", "2009-01-03": "2009-01-03"}
	for in, want := range good {
		d, err := ceremony.ParseWitnessDate(in)
		if err != nil || d.Format(ceremony.DateLayout) != want {
			t.Errorf("%q: %v, %v", in, d, err)
		}
	}
	for _, bad := range []struct{ in, says string }{
		{"", "type the date as YYYY-MM-DD"},
		{"03.12.2026", "type the date as YYYY-MM-DD"},
		{"2026-12-3", "type the date as YYYY-MM-DD"},
		{"26-12-03", "type the date as YYYY-MM-DD"},
		{"2026/12/03", "type the date as YYYY-MM-DD"},
		{"2026-12-03T10:00:00Z", "type the date as YYYY-MM-DD"},
		{"2025-02-29", "2025-02-29 is not a day on the calendar"},
		{"2026-13-01", "is not a day on the calendar"},
		{"2026-00-10", "is not a day on the calendar"},
		{"2026-04-31", "is not a day on the calendar"},
		{"2009-01-02", "before 2009-01-03"},
		{"0000-01-01", "before 2009-01-03"},
		{"AS1-SECRET-SHARE-TEXT", "type the date as YYYY-MM-DD"},
	} {
		_, err := ceremony.ParseWitnessDate(bad.in)
		if err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%q: got %v, want %q", bad.in, err, bad.says)
		}
		if err != nil && len(bad.in) > 10 && strings.Contains(err.Error(), bad.in) {
			t.Errorf("%q: the error quotes what was typed: %v", bad.in, err)
		}
	}
}

// FuzzParseWitnessDate: any input is a date from 2009-01-03 on, printed
// back as typed, or an error that quotes nothing but a date's shape.
func FuzzParseWitnessDate(f *testing.F) {
	for _, s := range []string{"2026-12-03", "2025-02-29", "1999-01-01", "x", "9999-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ceremony.ParseWitnessDate(in)
		if err != nil {
			if len(in) > 10 && strings.Contains(err.Error(), in) {
				t.Fatalf("error quotes the input: %v", err)
			}
			return
		}
		if d.Format(ceremony.DateLayout) != strings.TrimSpace(in) || d.Year() < 2009 {
			t.Fatalf("%q parsed as %v", in, d)
		}
	})
}

// The date step: a date in the wrong shape and one before the log's last
// typed date are asked again (nothing else lost), the one accepted is
// logged beside the machine's, and a clock more than a day off is named.
func TestDateStep(t *testing.T) {
	f := &ceremonytest.Fake{}
	log, lw := newLog()
	lw.Now = func() time.Time { return day("2026-12-01") }
	script := append(keygenScript(4, 2, 2)[:3], "1.4: 12/03/2026", "1.4: 2026-11-30", "1.4: 2026-12-03")
	script = append(script, keygenScript(4, 2, 2)[4:]...)
	p := ceremony.NewScripted(script...)
	opts := ceremony.Options{Rand: osRand(4), LogDates: ceremony.LogDates{Typed: day("2026-12-01").Add(-12 * time.Hour)}}
	res, err := ceremony.Run(context.Background(), ceremony.Keygen(), p, lw, f, opts)
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, strings.Join(p.Transcript, "\n"))
	}
	screen := strings.Join(p.Transcript, "\n")
	for _, want := range []string{
		"type the date as YYYY-MM-DD, for example 2026-03-14 (year, month, day). Type the date again.",
		"2026-11-30 is before 2026-12-01, the date typed at an earlier ceremony in this log",
		"Date recorded: 2026-12-03, typed by the witnesses. This laptop's clock says 2026-12-01 12:00 UTC.",
		"WARNING: this laptop's clock is 2 days behind the date typed. The typed date, 2026-12-03, is the one that counts",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
	if res.Date.Format(ceremony.DateLayout) != "2026-12-03" {
		t.Errorf("result date %v", res.Date)
	}
	if !strings.Contains(log.String(), `"step":"1.4","actor":"witness","event":"date","data":{"clock_differs_days":"2","machine_date":"2026-12-01","witness_date":"2026-12-03"}`) {
		t.Errorf("log lacks the date record:\n%s", log.String())
	}
	recs, err := ceremony.ReadRecords(strings.NewReader(log.String()))
	if err != nil {
		t.Fatal(err)
	}
	if d := ceremony.DatesOf(recs); d.Typed.Format(ceremony.DateLayout) != "2026-12-03" || d.Machine.Format(ceremony.DateLayout) != "2026-12-01" {
		t.Errorf("DatesOf = %+v", d)
	}

	// A clock within a day says nothing more; "stop" at the date stops.
	lw.Now = func() time.Time { return day("2026-12-04") }
	p = ceremony.NewScripted(append(keygenScript(4, 2, 2)[:3], "1.4: stop")...)
	_, err = ceremony.Run(context.Background(), ceremony.Keygen(), p, lw, f, ceremony.Options{Rand: osRand(4)})
	var se *ceremony.StopError
	if !errors.As(err, &se) || se.Step != "1.4" || !strings.Contains(err.Error(), "the witness typed stop") {
		t.Fatalf("stop at the date: %v", err)
	}
}
