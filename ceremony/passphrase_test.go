package ceremony_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/ceremony/ceremonytest"
)

const testPass = "twenty-fifth word"

// passKeygenScript is keygenScript for a wallet with a passphrase held by
// Dana: the second entry first differs, then both are typed again.
func passKeygenScript(seed uint64) []string {
	var s []string
	for _, l := range keygenScript(seed, 2, 3) {
		if l == "2.2: no" {
			s = append(s, "2.2: yes", "2.2: Dana", "2.2: "+testPass, "2.2: Twenty-fifth word", "2.2: "+testPass, "2.2: "+testPass+"!",
				"2.2: "+testPass, "2.2: "+testPass)
			continue
		}
		s = append(s, l)
	}
	return s
}

// A keygen with a passphrase: asked twice until both entries agree, the
// wallet is the one with the passphrase, the shares carry the words'
// fingerprint, and the log says only that a passphrase exists and who
// holds it. A drill then needs it: a wrong one names both fingerprints and
// is asked again with the shares kept; three wrong ones fail the drill.
func TestPassphraseKeygenAndDrill(t *testing.T) {
	f := &ceremonytest.Fake{}
	log, lw := newLog()
	p := &capture{Scripted: ceremony.NewScripted(passKeygenScript(9)...)}
	res, err := ceremony.Run(context.Background(), ceremony.Keygen(), p, lw, f, ceremony.Options{Rand: osRand(9)})
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, strings.Join(p.Transcript, "\n"))
	}
	if res.Made.SharesFingerprint == "" || res.Made.Fingerprint == res.Made.SharesFingerprint {
		t.Fatalf("made %+v: the wallet is not the one with the passphrase", res.Made)
	}
	if !res.Passphrase || res.PassphraseHolder != "Dana" || res.NewSet.Fingerprint != res.Made.SharesFingerprint {
		t.Fatalf("result %+v", res)
	}
	screen := strings.Join(p.Transcript, "\n")
	if n := strings.Count(screen, "The two entries differ. Nothing else is lost"); n != 2 {
		t.Errorf("%d mismatches said, want 2", n)
	}
	for _, s := range []string{log.String(), screen} {
		if strings.Contains(s, "twenty") {
			t.Fatal("the passphrase is in the log or on the screen")
		}
	}
	if !strings.Contains(log.String(), `"event":"passphrase-chosen","data":{"holder":"Dana","passphrase":"yes"}`) ||
		!strings.Contains(log.String(), `"fingerprint":"`+res.Made.SharesFingerprint+`","set_id"`) {
		t.Fatalf("log:\n%s", log.String())
	}

	f.Recorded = res.Made
	drill := func(passes ...string) (*ceremony.Scripted, error) {
		var s []string
		for _, l := range drillScript(res.Made, []string{p.cards[1], p.cards[3]}) {
			if strings.HasPrefix(l, "3.3: ") {
				for _, pp := range passes[:len(passes)-1] {
					s = append(s, "3.2: "+pp, l)
				}
				s = append(s, "3.2: "+passes[len(passes)-1])
			}
			s = append(s, l)
		}
		sp := ceremony.NewScripted(s...)
		_, err := ceremony.Run(context.Background(), ceremony.Drill(), sp, lw, f, ceremony.Options{RebuildPassphrase: true})
		return sp, err
	}
	sp, err := drill("twenty-fifth ward", testPass)
	if err != nil {
		t.Fatalf("drill with one slip: %v\n%s", err, strings.Join(sp.Transcript, "\n"))
	}
	named := regexp.MustCompile(`The fingerprint with this passphrase is ([0-9a-f]{8}), the checklist says ` + res.Made.Fingerprint + `\.`).FindStringSubmatch(strings.Join(sp.Transcript, "\n"))
	if named == nil || named[1] == res.Made.Fingerprint || named[1] == res.Made.SharesFingerprint {
		t.Errorf("the slip is not named:\n%s", strings.Join(sp.Transcript, "\n"))
	}
	_, err = drill("a", "b", "c")
	var se *ceremony.StopError
	if !errors.As(err, &se) || !se.Failed || se.Step != "3.3" || !strings.Contains(err.Error(), "the checklist says "+res.Made.Fingerprint+" (after 3 tries)") {
		t.Fatalf("three wrong passphrases: %v", err)
	}
	if !strings.Contains(lastRecord(log.String()), `"event":"failed"`) || strings.Contains(log.String(), "twenty") {
		t.Fatalf("last record %s", lastRecord(log.String()))
	}
	if err := f.Wiped(); err != nil {
		t.Fatal(err)
	}

	// Without RebuildPassphrase the words alone are not the wallet on
	// paper: the drill fails at the paper and says what to do.
	sp = ceremony.NewScripted(append(drillScript(res.Made, []string{p.cards[1], p.cards[2]})[:8], "3.3: "+res.Made.Fingerprint, "3.3: "+res.Made.Fingerprint, "3.3: "+res.Made.Fingerprint)...)
	_, err = ceremony.Run(context.Background(), ceremony.Drill(), sp, lw, f, ceremony.Options{})
	if err == nil || !strings.Contains(err.Error(), "run the ceremony again with --passphrase") {
		t.Fatalf("drill without the passphrase: %v", err)
	}
}

// A rotation between two wallets with passphrases: the old key is rebuilt
// with its passphrase (checked against the paper), the new one gets its
// own, held by someone else, and the new cards then rebuild the new
// wallet only with the new passphrase. Neither is logged or shown.
func TestPassphraseRotate(t *testing.T) {
	const newPass = "a new twenty-sixth"
	f := &ceremonytest.Fake{}
	log, lw := newLog()
	kp := &capture{Scripted: ceremony.NewScripted(passKeygenScript(9)...)}
	old, err := ceremony.Run(context.Background(), ceremony.Keygen(), kp, lw, f, ceremony.Options{Rand: osRand(9)})
	if err != nil {
		t.Fatalf("keygen: %v", err)
	}
	f.Recorded = old.Made
	var script []string
	for _, l := range rotateScript(41, old.Made, []string{kp.cards[1], kp.cards[2]}) {
		switch {
		case l == "2.2: no":
			script = append(script, "2.2: yes", "2.2: Erin", "2.2: "+newPass, "2.2: "+newPass)
			continue
		case strings.HasPrefix(l, "8.3: "):
			script = append(script, "8.2: "+testPass)
		}
		script = append(script, l)
	}
	p := &capture{Scripted: ceremony.NewScripted(script...)}
	res, err := ceremony.Run(context.Background(), ceremony.Rotate(), p, lw, f, ceremony.Options{Rand: osRand(41), RebuildPassphrase: true})
	if err != nil {
		t.Fatalf("rotate: %v\n%s", err, strings.Join(p.Transcript, "\n"))
	}
	if res.Rebuilt.Fingerprint != old.Made.Fingerprint || res.Made.Fingerprint == res.Made.SharesFingerprint || res.PassphraseHolder != "Erin" || len(res.SweepTxID) != 64 {
		t.Fatalf("rotate result %+v", res)
	}
	if !strings.Contains(log.String(), `"event":"passphrase-chosen","data":{"holder":"Erin","passphrase":"yes"}`) {
		t.Fatalf("the new passphrase's holder is not logged:\n%s", log.String())
	}
	for _, s := range []string{log.String(), strings.Join(p.Transcript, "\n")} {
		if strings.Contains(s, "twenty") {
			t.Fatal("a passphrase is in the log or on the screen")
		}
	}
	// The new cards and the new passphrase rebuild the new wallet.
	f.Recorded = res.Made
	var ds []string
	for _, l := range drillScript(res.Made, []string{p.cards[1], p.cards[2]}) {
		if strings.HasPrefix(l, "3.3: ") {
			ds = append(ds, "3.2: "+newPass)
		}
		ds = append(ds, l)
	}
	d, err := ceremony.Run(context.Background(), ceremony.Drill(), ceremony.NewScripted(ds...), lw, f, ceremony.Options{RebuildPassphrase: true})
	if err != nil || !d.DrillPassed || d.Rebuilt.Fingerprint != res.Made.Fingerprint {
		t.Fatalf("drill of the new wallet: %v", err)
	}
	if err := f.Wiped(); err != nil {
		t.Fatal(err)
	}
}

// A secret prompt takes what is typed as the secret, never as a command:
// a passphrase "Stop" (any case) is a passphrase, the ceremony goes on, and
// neither the log nor the screen blames anybody for typing stop. At a
// public prompt "stop" still ends the ceremony.
func TestSecretPromptIsNoStopWord(t *testing.T) {
	for _, pass := range []string{"Stop", "STOP", " stop "} {
		var s []string
		for _, l := range keygenScript(11, 2, 3) {
			if l == "2.2: no" {
				s = append(s, "2.2: yes", "2.2: Dana", "2.2: "+pass, "2.2: "+pass)
				continue
			}
			s = append(s, l)
		}
		f := &ceremonytest.Fake{}
		log, lw := newLog()
		p := &capture{Scripted: ceremony.NewScripted(s...)}
		res, err := ceremony.Run(context.Background(), ceremony.Keygen(), p, lw, f, ceremony.Options{Rand: osRand(11)})
		if err != nil {
			t.Fatalf("passphrase %q: %v", pass, err)
		}
		if !res.Passphrase {
			t.Fatalf("passphrase %q: the wallet has none", pass)
		}
		screen := strings.Join(p.Transcript, "\n")
		for _, out := range []string{log.String(), screen} {
			if strings.Contains(strings.ToLower(out), "typed stop") || strings.Contains(out, "Stop") || strings.Contains(out, "STOP") {
				t.Fatalf("passphrase %q: the log or the screen mentions it:\n%s", pass, out)
			}
		}

		// A drill's passphrase and a share typed as stop are secrets too:
		// the passphrase is taken (and is wrong), the share refused.
		f.Recorded = res.Made
		d := ceremony.NewScripted(append(opening(), "2.1: A", "2.2: stop")...)
		_, err = ceremony.Run(context.Background(), ceremony.Drill(), d, lw, f, ceremony.Options{})
		if err == nil || strings.Contains(err.Error(), "typed stop") {
			t.Fatalf("share typed as stop: %v", err)
		}
	}
	// A public prompt: stop ends the ceremony.
	_, lw := newLog()
	p := ceremony.NewScripted(append(opening(), "2.1: 2 of 3", "2.2: Stop")...)
	_, err := ceremony.Run(context.Background(), ceremony.Keygen(), p, lw, &ceremonytest.Fake{}, ceremony.Options{})
	if err == nil || !strings.Contains(err.Error(), "the operator typed stop") {
		t.Fatalf("stop at a public prompt: %v", err)
	}
}

// A drill that fails at the paper suggests --passphrase only when the
// wallet may have one: not when its keygen in the log said it has none.
// Its passphrase step says the log says none only when it does.
func TestDrillPassphraseHint(t *testing.T) {
	f := &ceremonytest.Fake{}
	_, lw := newLog()
	res, cards := keygen(t, f, lw, 12, 2, 3)
	f.Recorded = res.Made
	wrong := "00000000"
	if res.Made.Fingerprint == wrong {
		wrong = "11111111"
	}
	for _, tc := range []struct {
		noPass bool
		hint   bool
	}{{false, true}, {true, false}} {
		s := append(drillScript(res.Made, []string{cards[1], cards[2]})[:8], "3.3: "+wrong, "3.3: "+wrong, "3.3: "+wrong)
		sp := ceremony.NewScripted(s...)
		_, err := ceremony.Run(context.Background(), ceremony.Drill(), sp, lw, f, ceremony.Options{NoPassphraseLogged: tc.noPass})
		var se *ceremony.StopError
		if !errors.As(err, &se) || !se.Failed || se.Step != "3.3" {
			t.Fatalf("NoPassphraseLogged %v: %v", tc.noPass, err)
		}
		if got := strings.Contains(err.Error(), "--passphrase"); got != tc.hint {
			t.Errorf("NoPassphraseLogged %v: hint given %v, want %v: %v", tc.noPass, got, tc.hint, err)
		}
		// The passphrase step says what the log says, or that nothing does.
		if got := strings.Contains(strings.Join(sp.Transcript, "\n"), "its keygen in the log says none"); got != tc.noPass {
			t.Errorf("NoPassphraseLogged %v: the screen says the log says none: %v", tc.noPass, got)
		}
	}
}
