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

// A year typo at the date step (2062 for 2026): at a keyboard, a date far
// from the machine's clock is typed again before it is recorded; the right
// date typed instead replaces it. And a date typed only in a run that was
// stopped binds no later run.
func TestDateSlipIsConfirmedAndStoppedRunsDoNotBind(t *testing.T) {
	f := &ceremonytest.Fake{}
	opening := keygenScript(4, 2, 2)[:3]
	run := func(lw *ceremony.LogWriter, ld ceremony.LogDates, dates ...string) (string, error) {
		script := append([]string{}, opening...)
		for _, d := range dates {
			script = append(script, "1.4: "+d)
		}
		p := ceremony.NewScripted(append(script, "2.1: stop")...)
		p.AtKeyboard = true
		_, err := ceremony.Run(context.Background(), ceremony.Keygen(), p, lw, f, ceremony.Options{Rand: osRand(4), LogDates: ld})
		var se *ceremony.StopError
		if !errors.As(err, &se) || se.Step != "2.1" {
			t.Fatalf("run with dates %v: %v\n%s", dates, err, strings.Join(p.Transcript, "\n"))
		}
		return strings.Join(p.Transcript, "\n"), nil
	}

	// The slip is asked again, and the right date replaces it.
	log, lw := newLog()
	lw.Now = func() time.Time { return day("2026-12-04") }
	screen, _ := run(lw, ceremony.LogDates{}, "2062-12-04", "2026-12-04")
	if !strings.Contains(screen, "2062-12-04 is 13149 days ahead of this laptop's clock (2026-12-04). If that is today's date, type it again to confirm") {
		t.Errorf("the slip was not asked again:\n%s", screen)
	}
	if !strings.Contains(log.String(), `"witness_date":"2026-12-04"`) || strings.Contains(log.String(), "2062") {
		t.Errorf("the log has the slip:\n%s", log.String())
	}

	// Typed twice, it is recorded as confirmed (the clock may be wrong).
	log, lw = newLog()
	lw.Now = func() time.Time { return day("2026-12-04") }
	run(lw, ceremony.LogDates{}, "2062-12-04", "2062-12-04")
	if !strings.Contains(log.String(), `"confirmed":"typed twice"`) || !strings.Contains(log.String(), `"witness_date":"2062-12-04"`) {
		t.Errorf("the confirmed date is not recorded:\n%s", log.String())
	}

	// That run stopped: its date does not bind the next run, which says so.
	recs, err := ceremony.ReadRecords(strings.NewReader(log.String()))
	if err != nil {
		t.Fatal(err)
	}
	ld := ceremony.DatesOf(recs)
	if !ld.Typed.IsZero() || ld.Stopped.Format(ceremony.DateLayout) != "2062-12-04" {
		t.Fatalf("DatesOf of a stopped run = %+v", ld)
	}
	screen, _ = run(lw, ld, "2026-12-04")
	if !strings.Contains(screen, "a run of this log that was stopped, not completed, had 2062-12-04 typed as its date; a stopped run's date binds no later ceremony") {
		t.Errorf("the next run does not say why the stopped date does not bind:\n%s", screen)
	}

	// A completed run's date still binds, and the message says it completed.
	ld = ceremony.LogDates{Typed: day("2026-12-10"), TypedBy: "keygen"}
	_, lw = newLog()
	lw.Now = func() time.Time { return day("2026-12-11") }
	screen, _ = run(lw, ld, "2026-12-04", "2026-12-11")
	if !strings.Contains(screen, "2026-12-04 is before 2026-12-10, the date typed at an earlier ceremony in this log that completed (a keygen)") {
		t.Errorf("the completed run's date does not bind:\n%s", screen)
	}
}
