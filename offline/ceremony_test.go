package offline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// These tests run the four ceremonies end to end with the real actions
// (BIP39, BIP32, shares, signing, files), driven by answers files.

func testEnv(t *testing.T) *Env {
	t.Helper()
	var out bytes.Buffer
	return &Env{Stdout: &out, Stderr: &out, Net: &chaincfg.RegressionNetParams}
}

func answers(t *testing.T, def *ceremony.Definition, text string) ceremony.Prompter {
	t.Helper()
	return answersTo(t, def, text, &bytes.Buffer{})
}

// answersTo is answers with the screen written to screen.
func answersTo(t *testing.T, def *ceremony.Definition, text string, screen *bytes.Buffer) ceremony.Prompter {
	t.Helper()
	a, err := ceremony.ParseAnswers(strings.NewReader(text))
	if err != nil {
		t.Fatalf("answers: %v", err)
	}
	p, err := ceremony.NewAnswersPrompter(a, def, screen)
	if err != nil {
		t.Fatalf("answers prompter: %v", err)
	}
	return p
}

// keygen runs the 2-of-3 keygen of testdata and returns its directory.
func keygen(t *testing.T) (dir string, res ceremony.Result) {
	t.Helper()
	dir = t.TempDir()
	env := testEnv(t)
	res, err := RunCeremony(context.Background(), env, CeremonyOptions{
		Name: "keygen", Answers: "testdata/keygen-2of3.answers", Log: filepath.Join(dir, "log.jsonl"),
		ExportDir: filepath.Join(dir, "usb"), ShareDir: filepath.Join(dir, "shares"), CardDir: filepath.Join(dir, "cards"),
		AllowOnline: true,
	}, nil)
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, env.Stdout)
	}
	if !strings.Contains(strings.Join(strings.Fields(env.Stderr.(*bytes.Buffer).String()), " "), "3 share card(s) are in "+filepath.Join(dir, "cards")+", each holding a share in clear") {
		t.Fatalf("keygen does not warn about the cards left on disk:\n%s", env.Stderr)
	}
	return dir, res
}

func share(t *testing.T, dir string, i int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "shares", fmt.Sprintf("share-%d.txt", i)))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func drillAnswers(w ceremony.Wallet, shares ...string) string {
	addr := w.Addresses[0]
	var b strings.Builder
	b.WriteString("ceremony: drill\nsecrets: drill\n1.1: Op\n1.2: Wit\n1.3: W\n1.4: 2026-12-03\n")
	for i, s := range shares {
		fmt.Fprintf(&b, "2.1: Holder %d\n2.2: %s\n", i+1, s)
	}
	fmt.Fprintf(&b, "3.3: %s\n3.4: %s\n3.5: %s\n4.3: W\n", w.Fingerprint, w.ID, addr[len(addr)-8:])
	return b.String()
}

func TestKeygenThenDrillWithEveryPair(t *testing.T) {
	dir, res := keygen(t)
	if res.NewSet.Threshold != 2 || res.NewSet.Count != 3 || res.Made.Fingerprint == "" {
		t.Fatalf("keygen result %+v", res)
	}
	desc, err := os.ReadFile(filepath.Join(dir, "usb", "descriptor.txt"))
	if err != nil || !strings.Contains(string(desc), res.Made.Fingerprint) {
		t.Fatalf("exported descriptor %q (err %v) does not name key %s", desc, err, res.Made.Fingerprint)
	}
	for _, f := range []string{"cards/card-" + res.NewSet.SetID + "-1.html", "usb/descriptor-qr/frame-001.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("keygen did not write %s: %v", f, err)
		}
	}
	for _, pair := range [][2]int{{1, 2}, {1, 3}, {2, 3}} {
		env := testEnv(t)
		def, _ := ceremony.Lookup("drill")
		p := answers(t, def, drillAnswers(res.Made, share(t, dir, pair[0]), share(t, dir, pair[1])))
		got, err := RunCeremony(context.Background(), env, CeremonyOptions{Name: "drill", Log: filepath.Join(dir, "log.jsonl"), AllowOnline: true}, p)
		if err != nil {
			t.Fatalf("drill with shares %v: %v\n%s", pair, err, env.Stdout)
		}
		if !got.DrillPassed || got.Rebuilt.Fingerprint != res.Made.Fingerprint {
			t.Errorf("drill with shares %v: passed=%v rebuilt %s, want %s", pair, got.DrillPassed, got.Rebuilt.Fingerprint, res.Made.Fingerprint)
		}
	}
	f, _ := os.Open(filepath.Join(dir, "log.jsonl"))
	defer f.Close()
	sum, err := ceremony.Verify(f, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Runs) != 4 {
		t.Fatalf("log has %d runs, want keygen + 3 drills", len(sum.Runs))
	}
	for _, r := range sum.Runs {
		if r.Outcome != "completed" {
			t.Errorf("run %s: %s", r.Ceremony, r.Outcome)
		}
	}
	// A year later the keygen's words still check the records they cover.
	env := testEnv(t)
	if err := VerifyLog(env, filepath.Join(dir, "log.jsonl"), res.Head.Words()); err != nil {
		t.Fatal(err)
	}
	day := ceremony.Day(sum.Checkpoints[0].Time)
	want := fmt.Sprintf("records 1–%d match the words of keygen on %s (end of act 6); %d later records follow (drill on %s, drill on %s, drill on %s), chain intact",
		res.Head.Seq, day, uint64(sum.Records)-res.Head.Seq, day, day, day)
	if !strings.Contains(env.Stdout.(*bytes.Buffer).String(), want) {
		t.Fatalf("verify-log --head with the keygen's words says\n%s\nwant %q", env.Stdout, want)
	}
	// The log holds nothing secret: no share text, no mnemonic word run.
	logData, _ := os.ReadFile(filepath.Join(dir, "log.jsonl"))
	for i := 1; i <= 3; i++ {
		s := share(t, dir, i)
		if bytes.Contains(logData, []byte(s[10:30])) {
			t.Errorf("the log contains part of share %d", i)
		}
	}
}

func TestDrillFailsWithAShareOfAnotherKey(t *testing.T) {
	dir, res := keygen(t)
	other, _ := keygen(t)
	env := testEnv(t)
	def, _ := ceremony.Lookup("drill")
	p := answers(t, def, drillAnswers(res.Made, share(t, dir, 1), share(t, other, 2), share(t, other, 2), share(t, other, 2)))
	_, err := RunCeremony(context.Background(), env, CeremonyOptions{Name: "drill", Log: filepath.Join(dir, "log.jsonl"), AllowOnline: true}, p)
	if err == nil {
		t.Fatal("a drill with a share of another key passed")
	}
	var stop *ceremony.StopError
	if !errors.As(err, &stop) {
		t.Fatalf("error %v is not a StopError", err)
	}
}

func TestDrillRefusesOnAConnectedMachine(t *testing.T) {
	if len(CheckAirgap().Problems()) == 0 {
		t.Skip("this machine is air-gapped")
	}
	dir, res := keygen(t)
	env := testEnv(t)
	def, _ := ceremony.Lookup("drill")
	p := answers(t, def, drillAnswers(res.Made, share(t, dir, 1), share(t, dir, 2)))
	_, err := RunCeremony(context.Background(), env, CeremonyOptions{Name: "drill", Log: filepath.Join(dir, "log.jsonl")}, p)
	if !errors.Is(err, ceremony.ErrFailed) || !strings.Contains(err.Error(), "air-gap") {
		t.Fatalf("drill on a connected machine: %v", err)
	}
}

func TestReshareThenDrillWithTheNewSet(t *testing.T) {
	dir, res := keygen(t)
	env := testEnv(t)
	def, _ := ceremony.Lookup("reshare")
	text := fmt.Sprintf(`ceremony: reshare
secrets: test
1.1: Op
1.2: Wit
1.3: W
1.4: 2026-12-03
2.1: H1
2.2: %s
2.1: H3
2.2: %s
3.3: %s
3.4: %s
4.1: 3 of 4
4.3: @shown
`, share(t, dir, 1), share(t, dir, 3), res.Made.Fingerprint, res.Made.ID)
	for i := 0; i < 4; i++ {
		text += fmt.Sprintf("5.1: Holder %d\n5.2: copied\n5.3: @shown\n5.4: W\n", i+1)
	}
	text += "6.2: understood\n6.3: W\n"
	newShares := filepath.Join(dir, "new")
	got, err := RunCeremony(context.Background(), env, CeremonyOptions{Name: "reshare", Log: filepath.Join(dir, "log.jsonl"), AllowOnline: true, ShareDir: newShares, Answers: "-"}, answers(t, def, text))
	if err != nil {
		t.Fatalf("reshare: %v\n%s", err, env.Stdout)
	}
	if got.NewSet.SetID == res.NewSet.SetID || got.NewSet.Threshold != 3 || got.NewSet.Count != 4 || got.OldSetID != res.NewSet.SetID {
		t.Fatalf("reshare result %+v", got)
	}
	logData, _ := os.ReadFile(filepath.Join(dir, "log.jsonl"))
	if !bytes.Contains(logData, []byte(`"event":"set-revoked"`)) && !bytes.Contains(logData, []byte("revoked")) {
		t.Error("the log does not record the old set as revoked")
	}
	// the new set rebuilds the same key
	var ns []string
	for i := 2; i <= 4; i++ {
		b, err := os.ReadFile(filepath.Join(newShares, fmt.Sprintf("share-%d.txt", i)))
		if err != nil {
			t.Fatal(err)
		}
		ns = append(ns, strings.TrimSpace(string(b)))
	}
	ddef, _ := ceremony.Lookup("drill")
	drill, err := RunCeremony(context.Background(), testEnv(t), CeremonyOptions{Name: "drill", Log: filepath.Join(dir, "log.jsonl"), AllowOnline: true},
		answers(t, ddef, drillAnswers(res.Made, ns...)))
	if err != nil || !drill.DrillPassed {
		t.Fatalf("drill with the new set: %v", err)
	}
}

// sweepOnReady builds the sweep PSBT when the ceremony reaches step 6.1, as
// the online laptop would: all of the old wallet's coin to the new wallet's
// first address. The coin is made up (no node here); the end-to-end test
// with a node is in cmd/airsign-online.
type sweepOnReady struct {
	ceremony.Prompter
	t        *testing.T
	oldDesc  string
	newDesc  string // file
	sweepOut string
}

func (s *sweepOnReady) Ask(p ceremony.Prompt) (string, error) {
	if p.Step == "6.1" {
		net := &chaincfg.RegressionNetParams
		oldD, err := descriptor.Parse(s.oldDesc, net)
		if err != nil {
			s.t.Fatal(err)
		}
		text, err := os.ReadFile(s.newDesc)
		if err != nil {
			s.t.Fatal(err)
		}
		newD, err := descriptor.Parse(strings.TrimSpace(string(text)), net)
		if err != nil {
			s.t.Fatal(err)
		}
		from, _ := oldD.Derive(0, 0)
		to, _ := newD.Derive(0, 0)
		prev := wire.NewMsgTx(2)
		prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{1}, 0), nil, nil))
		prev.AddTxOut(wire.NewTxOut(5_000_000, from.Script))
		var keys []psbt.KeyOrigin
		for _, k := range from.Keys {
			keys = append(keys, psbt.KeyOrigin{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path})
		}
		p, err := psbt.Build(2, 0, []psbt.InputSpec{{PrevTx: prev, Sequence: 0xfffffffd, Keys: keys}}, []psbt.OutputSpec{{PkScript: to.Script, Amount: 4_999_000}})
		if err != nil {
			s.t.Fatal(err)
		}
		b, _ := p.Encode()
		if err := os.WriteFile(s.sweepOut, b, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
	return s.Prompter.Ask(p)
}

// rotateAnswers are a rotate's answers up to act 6: ready is what act 6
// is answered with.
func rotateAnswers(ready string) string {
	text := `ceremony: rotate
secrets: test
1.1: Op
1.2: Wit
1.3: W
1.4: 2026-12-03
2.1: 2 of 3
2.2: no
2.3: 6116322261 6651541112 2551526665 4245312643 3223114133 5316451415 3653526116 2312143463 2332636661 5625622443 6652631213 4312563264
2.5: @shown
2.6: @shown
3.2: @shown
`
	for i := 0; i < 3; i++ {
		text += fmt.Sprintf("4.1: Holder %d\n4.2: copied\n4.3: @shown\n4.4: W\n", i+1)
	}
	return text + "5.2: @shown\n" + ready
}

func TestRotateSignsTheSweepWithTheOldKey(t *testing.T) {
	dir, res := keygen(t)
	env := testEnv(t)
	def, _ := ceremony.Lookup("rotate")
	text := rotateAnswers("6.1: ready\n") + fmt.Sprintf("7.1: H1\n7.2: %s\n7.1: H2\n7.2: %s\n8.3: %s\n8.4: %s\n9.2: @shown\n9.3: W\n9.6: done\n",
		share(t, dir, 1), share(t, dir, 2), res.Made.Fingerprint, res.Made.ID)
	newUSB := filepath.Join(dir, "usb2")
	var screen bytes.Buffer
	p := &sweepOnReady{Prompter: answersTo(t, def, text, &screen), t: t, oldDesc: mustRead(t, filepath.Join(dir, "usb", "descriptor.txt")),
		newDesc: filepath.Join(newUSB, "descriptor.txt"), sweepOut: filepath.Join(dir, "sweep.psbt")}
	got, err := RunCeremony(context.Background(), env, CeremonyOptions{Name: "rotate", Log: filepath.Join(dir, "log.jsonl"), AllowOnline: true,
		ExportDir: newUSB, ShareDir: filepath.Join(dir, "new"), Sweep: filepath.Join(dir, "sweep.psbt"), SweepOut: filepath.Join(dir, "sweep-signed.psbt")}, p)
	if err != nil {
		t.Fatalf("rotate: %v\n%s", err, env.Stdout)
	}
	if got.SweepTxID == "" || got.Made.Fingerprint == res.Made.Fingerprint || got.Rebuilt.Fingerprint != res.Made.Fingerprint {
		t.Fatalf("rotate result %+v", got)
	}
	// What a terminal would show of it fits 80 columns: no word of a
	// rotation's screens (the sweep's addresses, amounts, files) is too
	// long for a line.
	for _, l := range strings.Split(ceremonyText(screen.String()), "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("rotate: a line of %d columns: %q", n, l)
		}
	}
	signed, err := os.ReadFile(filepath.Join(dir, "sweep-signed.psbt"))
	if err != nil {
		t.Fatal(err)
	}
	sp, err := psbt.Decode(signed)
	if err != nil {
		t.Fatal(err)
	}
	if err := psbt.Finalize(sp); err != nil {
		t.Fatalf("the signed sweep does not finalize: %v", err)
	}
	if _, err := psbt.Extract(sp); err != nil {
		t.Fatalf("the signed sweep's signature does not verify: %v", err)
	}
	logData, _ := os.ReadFile(filepath.Join(dir, "log.jsonl"))
	for _, want := range []string{got.SweepTxID, got.Made.Fingerprint, res.Made.Fingerprint} {
		if !bytes.Contains(logData, []byte(want)) {
			t.Errorf("the log does not record %s", want)
		}
	}

	// After the rotation the log's wallet is the new key: a drill of the
	// old key fails, and its failure (which logs the key it rebuilt) must
	// not make the old key the one a later drill is checked against.
	ns := func(i int) string { return mustRead(t, filepath.Join(dir, "new", fmt.Sprintf("share-%d.txt", i))) }
	drill := func(w ceremony.Wallet, shares ...string) bool {
		ddef, _ := ceremony.Lookup("drill")
		r, err := RunCeremony(context.Background(), testEnv(t), CeremonyOptions{Name: "drill", Log: filepath.Join(dir, "log.jsonl"), AllowOnline: true},
			answers(t, ddef, drillAnswers(w, shares...)))
		return err == nil && r.DrillPassed
	}
	if !drill(got.Made, ns(1), ns(2)) {
		t.Fatal("a drill of the new key fails right after the rotation")
	}
	for i := 0; i < 2; i++ {
		if drill(res.Made, share(t, dir, 1), share(t, dir, 3)) {
			t.Fatalf("drill %d of the rotated-away key passed", i+1)
		}
	}
	if !drill(got.Made, ns(2), ns(3)) {
		t.Fatal("a failed drill of the old key changed the key later drills are checked against")
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestCeremonyFlagsCheckedFirst: a flag a late step needs is refused
// before the log is touched, not after the cards went out.
func TestCeremonyFlagsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists.psbt")
	if err := os.WriteFile(exists, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		opts CeremonyOptions
		want string
	}{
		{CeremonyOptions{Name: "keygen"}, "give --export-dir DIR"},
		{CeremonyOptions{Name: "keygen", ExportDir: dir, Passphrase: true}, "the keygen asks at step 2.2 whether the new wallet has one"},
		{CeremonyOptions{Name: "rotate", ExportDir: dir}, "give --sweep FILE"},
		{CeremonyOptions{Name: "rotate", ExportDir: dir, Sweep: "a.psbt", SweepOut: "a.psbt"}, "are the same file"},
		{CeremonyOptions{Name: "rotate", ExportDir: dir, Sweep: "a.psbt", SweepOut: exists}, "already exists"},
	} {
		c.opts.Log = filepath.Join(dir, "log.jsonl")
		_, err := RunCeremony(context.Background(), testEnv(t), c.opts, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.opts, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "log.jsonl")); !os.IsNotExist(err) {
		t.Error("a refused ceremony touched the log")
	}
}

// A keygen stopped after the cards were shown and the wallet exported is
// void: the screen and the log say which cards and files exist; a drill on
// that log is refused before the first share (naming --record), and with
// --record the void set's shares are refused by name.
func TestStoppedKeygenIsVoid(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "log.jsonl")
	text, err := os.ReadFile("testdata/keygen-2of3.answers")
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv(t)
	var out bytes.Buffer
	p := answersTo(t, ceremony.Keygen(), strings.Replace(string(text), "6.2: done", "6.2: stop", 1), &out)
	_, err = RunCeremony(context.Background(), env, CeremonyOptions{Name: "keygen", Log: logPath, ExportDir: filepath.Join(dir, "usb"),
		ShareDir: filepath.Join(dir, "shares"), AllowOnline: true}, p)
	if !errors.Is(err, ceremony.ErrInterrupted) {
		t.Fatalf("keygen stopped at 6.2: %v", err)
	}
	screen := out.String()
	log := mustRead(t, logPath)
	last := log[strings.LastIndex(strings.TrimSpace(log), "\n")+1:]
	for _, want := range []string{"3 card(s) of share set", "(holder 1,2,3)", "is VOID: destroy those cards", "descriptor.txt", "Run keygen again"} {
		if !strings.Contains(screen, want) || !strings.Contains(last, want) {
			t.Errorf("the screen or the stop record lacks %q:\n%s\n%s", want, screen, last)
		}
	}
	if !strings.Contains(last, `"cards_shown":"1,2,3"`) || !strings.Contains(last, `"void_set":"`) {
		t.Fatalf("stop record %s", last)
	}

	// The drill refuses before anything is asked: the answers are empty.
	_, err = RunCeremony(context.Background(), testEnv(t), CeremonyOptions{Name: "drill", Log: logPath, AllowOnline: true},
		answers(t, ceremony.Drill(), "ceremony: drill\n"))
	if err == nil || !strings.Contains(err.Error(), "records no completed keygen or rotate: give --record") {
		t.Fatalf("drill on a log without a completed keygen: %v", err)
	}

	// With --record the drill runs, and the void set's card is refused.
	out.Reset()
	p = answersTo(t, ceremony.Drill(), "ceremony: drill\nsecrets: drill\n1.1: Op\n1.2: Wit\n1.3: W\n1.4: 2026-12-03\n2.1: Dan\n2.2: "+share(t, dir, 1)+"\n", &out)
	_, err = RunCeremony(context.Background(), testEnv(t), CeremonyOptions{Name: "drill", Log: logPath, Record: filepath.Join(dir, "usb", "descriptor.txt"), AllowOnline: true}, p)
	if !errors.Is(err, ceremony.ErrInterrupted) || !strings.Contains(out.String(), "is void (keygen stopped at step 6.2 on ") {
		t.Fatalf("drill with a void card: %v\n%s", err, out.String())
	}
}

// loggedPassphrase follows the last completed keygen or rotate: a log from
// before the question has none (and cannot tell); a stopped run's answer
// does not count.
func TestLoggedPassphrase(t *testing.T) {
	rec := func(c, event, pass string) ceremony.Record {
		r := ceremony.Record{Ceremony: c, Event: event}
		if pass != "" {
			r.Data = map[string]string{"passphrase": pass}
		}
		return r
	}
	run := func(c, pass, end string) []ceremony.Record {
		return []ceremony.Record{rec(c, ceremony.EventStarted, ""), rec(c, "passphrase-chosen", pass), rec(c, end, "")}
	}
	old := []ceremony.Record{rec("keygen", ceremony.EventStarted, ""), rec("keygen", ceremony.EventCompleted, "")}
	for _, tc := range []struct {
		name        string
		recs        []ceremony.Record
		want, known bool
	}{
		{"old log", old, false, false},
		{"no log", nil, false, false},
		{"keygen yes", run("keygen", "yes", ceremony.EventCompleted), true, true},
		{"keygen no", run("keygen", "no", ceremony.EventCompleted), false, true},
		{"rotated to a wallet without", append(run("keygen", "yes", ceremony.EventCompleted), run("rotate", "no", ceremony.EventCompleted)...), false, true},
		{"a stopped rotate does not count", append(run("keygen", "yes", ceremony.EventCompleted), run("rotate", "no", ceremony.EventInterrupted)...), true, true},
		{"a drill after", append(run("keygen", "yes", ceremony.EventCompleted), rec("drill", ceremony.EventStarted, ""), rec("drill", ceremony.EventCompleted, "")), true, true},
		{"an old keygen after one that said no", append(run("keygen", "no", ceremony.EventCompleted), old...), false, false},
	} {
		if got, known := loggedPassphrase(tc.recs); got != tc.want || known != tc.known {
			t.Errorf("%s: %v (known %v), want %v (known %v)", tc.name, got, known, tc.want, tc.known)
		}
	}
}

// keygenWith runs the testdata keygen with opts' Cosigner and the answers
// changed by edit, and returns its directory.
func keygenWith(t *testing.T, cosigner bool, edit func(string) string) (string, ceremony.Result, string) {
	t.Helper()
	dir := t.TempDir()
	env := testEnv(t)
	text, err := os.ReadFile("testdata/keygen-2of3.answers")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := ceremony.Lookup("keygen")
	var screen bytes.Buffer
	res, err := RunCeremony(context.Background(), env, CeremonyOptions{
		Name: "keygen", Log: filepath.Join(dir, "log.jsonl"), Cosigner: cosigner,
		ExportDir: filepath.Join(dir, "usb"), ShareDir: filepath.Join(dir, "shares"), CardDir: filepath.Join(dir, "cards"),
		AllowOnline: true,
	}, answersTo(t, def, edit(string(text)), &screen))
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, screen.String())
	}
	return dir, res, screen.String()
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCosignerKeygenPaper: a keygen --cosigner's cards and sheet say the
// key is a multisig cosigner (its BIP48 path and xpub), that the wallet is
// the multisig and that the multisig's sheet goes with the cards; step 5.3
// says the same on screen and in the log. A plain keygen's paper says none
// of it.
func TestCosignerKeygenPaper(t *testing.T) {
	same := func(s string) string { return s }
	dir, res, screen := keygenWith(t, true, same)
	cos := strings.TrimSpace(fileText(t, filepath.Join(dir, "usb", "cosigner.txt")))
	_, xpub, _ := strings.Cut(cos, "]")
	card := html.UnescapeString(fileText(t, filepath.Join(dir, "cards", "card-"+res.NewSet.SetID+"-1.html")))
	txt := fileText(t, filepath.Join(dir, "usb", "wallet-sheet-"+res.Made.ID+".txt"))
	for name, doc := range map[string]string{"card": card, "sheet": txt} {
		for _, want := range []string{"THIS KEY IS A COSIGNER OF A MULTISIG WALLET", "the money is in the multisig",
			"The multisig's own sheet (threshold, every cosigner's xpub", "must be kept with these cards", "m/48h/1h/0h/2h", xpub} {
			if !strings.Contains(doc, want) {
				t.Errorf("cosigner %s lacks %q:\n%s", name, want, doc)
			}
		}
	}
	if strings.Contains(card, "Wallet <b>") {
		t.Errorf("the cosigner card presents the single-key wallet as its wallet:\n%s", card)
	}
	if !strings.Contains(screen, "This key is a COSIGNER of a multisig wallet: "+cos) || !strings.Contains(fileText(t, filepath.Join(dir, "log.jsonl")), `"cosigner":"yes"`) {
		t.Errorf("step 5.3 does not say the key is a cosigner:\n%s", screen)
	}

	dir, res, screen = keygenWith(t, false, same)
	card = fileText(t, filepath.Join(dir, "cards", "card-"+res.NewSet.SetID+"-1.html"))
	txt = fileText(t, filepath.Join(dir, "usb", "wallet-sheet-"+res.Made.ID+".txt"))
	if !strings.Contains(card, "Wallet <b>"+res.Made.ID+"</b> · single key, native SegWit (P2WPKH) · regtest</div>") {
		t.Errorf("the single-key card changed:\n%s", card)
	}
	for _, doc := range []string{card, txt} {
		if strings.Contains(strings.ToLower(doc), "cosigner") || strings.Contains(doc, "passphrase too") {
			t.Errorf("a single-key keygen's paper speaks of cosigners or passphrases:\n%s", doc)
		}
	}
	if !strings.Contains(screen, "not a multisig cosigner: write none in the box") {
		t.Errorf("step 5.3 of a plain keygen does not say to write none:\n%s", screen)
	}
}

// TestPassphraseKeygenCardAndSheetMatch: a passphrase wallet's card names
// the wallet (its ID, and that the passphrase is needed too) and its sheet
// names the cards' key F and share set: a separated card and sheet match.
func TestPassphraseKeygenCardAndSheetMatch(t *testing.T) {
	dir, res, _ := keygenWith(t, false, func(s string) string {
		return strings.Replace(s, "2.2: no\n", "2.2: yes\n2.2: Dana\n2.2: correct horse\n2.2: correct horse\n", 1)
	})
	if !res.Made.HasPassphrase() {
		t.Fatalf("the keygen made no passphrase wallet: %+v", res.Made)
	}
	card := fileText(t, filepath.Join(dir, "cards", "card-"+res.NewSet.SetID+"-1.html"))
	txt := fileText(t, filepath.Join(dir, "usb", "wallet-sheet-"+res.Made.ID+".txt"))
	if !strings.Contains(card, "Wallet <b>"+res.Made.ID+"</b>") || !strings.Contains(card, "needs the BIP39 passphrase too") || !strings.Contains(card, "rebuild key <b>"+res.Made.SharesFingerprint+"</b>") {
		t.Errorf("the passphrase wallet's card does not name the wallet %s:\n%s", res.Made.ID, card)
	}
	want := "Share cards:      key " + res.Made.SharesFingerprint + ", share set " + res.NewSet.SetID + ": what the matching share cards print"
	if !strings.Contains(txt, want) {
		t.Errorf("the passphrase wallet's sheet lacks %q:\n%s", want, txt)
	}
}

// A drill failing at the paper: when the keygen in the log says the wallet
// has no passphrase, the error does not suggest --passphrase; with the
// wallet given by --record (the log is not asked), it does.
func TestDrillPassphraseHintFollowsTheLog(t *testing.T) {
	dir, res := keygen(t)
	def, _ := ceremony.Lookup("drill")
	wrong := "00000000"
	if res.Made.Fingerprint == wrong {
		wrong = "11111111"
	}
	text := strings.Replace(drillAnswers(res.Made, share(t, dir, 1), share(t, dir, 2)),
		"3.3: "+res.Made.Fingerprint+"\n", strings.Repeat("3.3: "+wrong+"\n", 3), 1)
	for _, record := range []string{"", filepath.Join(dir, "usb", "descriptor.txt")} {
		_, err := RunCeremony(context.Background(), testEnv(t), CeremonyOptions{Name: "drill", Log: filepath.Join(dir, "log.jsonl"),
			Record: record, AllowOnline: true}, answers(t, def, text))
		if !errors.Is(err, ceremony.ErrFailed) {
			t.Fatalf("record %q: %v", record, err)
		}
		if hint := strings.Contains(err.Error(), "--passphrase"); hint != (record != "") {
			t.Errorf("record %q: hint %v: %v", record, hint, err)
		}
	}
}
