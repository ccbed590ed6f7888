package online

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt/descriptor"
)

// testdata/keygen-drill.jsonl is a real keygen (2025-01-01, key 465128e2,
// 2 of 3) and a passing drill with shares 1 and 2 (2025-03-01), written by
// the ceremony engine (ceremony/status_test.go, AIRSIGN_WRITE_STATUS_LOG);
// the same log as cmd/airsign-offline/testdata/script/status.txtar.
const drillLogFile = "testdata/keygen-drill.jsonl"

// drillWallet is a watch-only wallet whose key origin is the log's key.
const drillWallet = "wpkh([465128e2/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/<0;1>/*)#w03vhz2c"

func newDrillEnv(t *testing.T) (*testEnv, *Wallet) {
	t.Helper()
	e := newTestEnv(t)
	d, err := descriptor.Parse(drillWallet, regtest)
	if err != nil {
		t.Fatal(err)
	}
	return e, e.importTest(t, "cold", d)
}

func drillReportCount(t *testing.T, e *testEnv) int {
	t.Helper()
	var n int
	if err := e.view(func(tx *store.Tx) error {
		r, err := tx.DrillReports(0)
		n = len(r)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// The online status of the imported reports is the offline status of the
// log, to the word, on every day judged; importing again adds nothing.
func TestImportDrillsSameAnswerAsTheLog(t *testing.T) {
	for _, c := range []struct{ log, clock string }{
		{drillLogFile, "offline machine's clock"},
		// The same ceremonies on a laptop whose clock said 2000-01-01:
		// the dates the witnesses typed count (the log of
		// cmd/airsign-offline/testdata/script/status.txtar's witness.jsonl).
		{"testdata/keygen-drill-witness.jsonl", "date typed by the witnesses"},
	} {
		t.Run(filepath.Base(c.log), func(t *testing.T) { sameAnswerAsTheLog(t, c.log, c.clock) })
	}
}

func sameAnswerAsTheLog(t *testing.T, logFile, clock string) {
	e, _ := newDrillEnv(t)
	ctx := context.Background()
	if err := ImportDrills(ctx, e.Env, DrillsImportOptions{Wallet: "cold", Logs: []string{logFile}}); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	for _, want := range []string{
		"recorded   keygen on 2025-01-01 (" + clock + "): key 465128e2, share set ", " any 2 of 3",
		"recorded   drill on 2025-03-01 (" + clock + "): pass, shares 1, 2 (Holder 1, Holder 2)",
		"not checked here: where the log ends",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	if n := drillReportCount(t, e); n != 2 {
		t.Fatalf("%d reports recorded, want 2", n)
	}
	e.reset()
	if err := ImportDrills(ctx, e.Env, DrillsImportOptions{Wallet: "cold", Logs: []string{logFile, logFile}}); err != nil {
		t.Fatal(err)
	}
	if n := drillReportCount(t, e); n != 2 || !strings.Contains(e.out.String(), "nothing new") {
		t.Fatalf("importing again: %d reports, output:\n%s", n, e.out.String())
	}

	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ceremony.ReadRecords(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, today := range []string{"2025-03-31", "2025-09-17", "2026-02-01", "2027-06-01"} {
		now := day(today)
		offline, err := ceremony.ComputeStatus([][]ceremony.Record{recs}, ceremony.DefaultSchedule(), now)
		if err != nil {
			t.Fatal(err)
		}
		e.reset()
		err = ColdStatus(ctx, e.Env, ColdStatusOptions{Wallet: "cold", Now: now})
		var oe *ceremony.OverdueError
		if len(offline.Overdue) == 0 && err != nil || len(offline.Overdue) > 0 && !errors.As(err, &oe) {
			t.Fatalf("%s: online status error %v, offline overdue %q", today, err, offline.Overdue)
		}
		if oe != nil && strings.Join(oe.Items, "\n") != strings.Join(offline.Overdue, "\n") {
			t.Errorf("%s: online overdue\n%s\noffline overdue\n%s", today, strings.Join(oe.Items, "\n"), strings.Join(offline.Overdue, "\n"))
		}
		var text bytes.Buffer
		offline.WriteText(&text, ceremony.DefaultSchedule(), "the online clock, wallet cold")
		if e.out.String() != text.String() {
			t.Errorf("%s: online status text\n%s\ndiffers from the offline one\n%s", today, e.out.String(), text.String())
		}
	}
}

// watch raises the schedule's overdue items as drill-overdue alerts, and
// a proof of reserves verified here counts for the reserves rule.
func TestWatchDrillOverdue(t *testing.T) {
	e, w := newDrillEnv(t)
	if err := ImportDrills(context.Background(), e.Env, DrillsImportOptions{Wallet: "cold", Logs: []string{drillLogFile}}); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseWatchConfig(strings.NewReader(`{"schedule": {"holder_every_days": 0, "reserves_every_days": 30}}`))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := w.drillEvents(e.Env, cfg, day("2025-03-31"))
	if err != nil || len(evs) != 1 || evs[0].Kind != WatchReservesDue {
		t.Fatalf("30 days after the drill: %+v, %v; want one reserves-overdue", evs, err)
	}
	evs, err = w.drillEvents(e.Env, cfg, day("2025-09-17"))
	if err != nil || len(evs) != 2 || evs[0].Kind != WatchDrillDue || !strings.Contains(evs[0].Message, "recovery drill: the last one passed 200 days ago") {
		t.Fatalf("200 days after the drill: %+v, %v", evs, err)
	}
	// A wallet without reports raises nothing: nothing says when its key
	// was made.
	other := e.importTest(t, "hot", testDescriptor(t, descriptor.WPKH))
	if evs, err := other.drillEvents(e.Env, cfg, day("2030-01-01")); err != nil || len(evs) != 0 {
		t.Fatalf("wallet without reports: %+v, %v", evs, err)
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

// Bad logs are refused whole, naming the file and what is wrong, and
// nothing of them is recorded.
func TestImportDrillsRefusesBadLogs(t *testing.T) {
	good, err := os.ReadFile(drillLogFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	cases := []struct {
		name, log, head, wallet, want string
	}{
		{"edited record", strings.Replace(string(good), `"actor":"operator","event":"participant"`, `"actor":"mallory","event":"participant"`, 1), "", "cold", "record 3: prev hash does not match record 2"},
		{"record removed", strings.Join(append(append([]string{}, lines[:10]...), lines[11:]...), ""), "", "cold", "record 11"},
		{"cut mid-line", string(good[:len(good)-20]), "", "cold", "record 54: the record is cut off"},
		{"empty", "", "", "cold", "record 1: the log is empty"},
		{"not a log", "hello\n", "", "cold", "record 1: not a valid log record"},
		{"windows line ends", strings.ReplaceAll(string(good), "\n", "\r\n"), "", "cold", "carriage return"},
		{"only started", strings.Join(lines[:5], ""), "", "cold", "no completed keygen, rotate or reshare and no drill report"},
		{"another wallet's log", string(good), "", "hot", `is not a log of wallet "hot": its runs are of key 465128e2`},
		{"wrong head words", string(good), "able acid also apex", "cold", "not the head written down"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newDrillEnv(t)
			e.importTest(t, "hot", testDescriptor(t, descriptor.WPKH))
			path := filepath.Join(t.TempDir(), "bad.jsonl")
			if err := os.WriteFile(path, []byte(c.log), 0o600); err != nil {
				t.Fatal(err)
			}
			err := ImportDrills(context.Background(), e.Env, DrillsImportOptions{Wallet: c.wallet, Logs: []string{path}, Head: c.head})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.jsonl") {
				t.Fatalf("error %v; want one naming bad.jsonl and saying %q", err, c.want)
			}
			if n := drillReportCount(t, e); n != 0 {
				t.Fatalf("%d reports recorded from a refused log", n)
			}
		})
	}
}

// FuzzDrillLog: whatever a USB stick carries, the intake (chain check,
// reports, the wallet's sorting, the evaluation) never panics, and what it
// accepts is a log whose chain verifies.
func FuzzDrillLog(f *testing.F) {
	good, err := os.ReadFile(drillLogFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("{}\n"))
	d, err := descriptor.Parse(drillWallet, regtest)
	if err != nil {
		f.Fatal(err)
	}
	w := &Wallet{Name: "cold", desc: d}
	f.Fuzz(func(t *testing.T, data []byte) {
		lr, err := ceremony.ReadReports(bytes.NewReader(data), "")
		if err != nil {
			return
		}
		if _, err := ceremony.Verify(bytes.NewReader(data), ""); err != nil {
			t.Fatalf("reports read from a log whose chain does not verify: %v", err)
		}
		ours, _, err := w.reportsOf("fuzz.jsonl", lr.Reports)
		if err != nil {
			return
		}
		ceremony.Evaluate(ours, nil, ceremony.DefaultSchedule(), day("2030-01-01"))
	})
}
