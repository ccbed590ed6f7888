package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/offline"
	"github.com/airsign/airsign/online"
	"github.com/airsign/airsign/psbt"
)

// passphraseTyper types the passphrase at sign's no-echo prompt.
type passphraseTyper struct{ pass string }

func (p passphraseTyper) ReadSecret(prompt string) ([]byte, error) {
	if !strings.Contains(prompt, "passphrase") {
		return nil, fmt.Errorf("unexpected secret prompt %q", prompt)
	}
	return []byte(p.pass), nil
}

func (p passphraseTyper) ReadLine(prompt string) (string, error) {
	return "", errors.New("unexpected prompt " + prompt)
}

// A wallet with a BIP39 passphrase, on the node: made by the keygen (the
// passphrase typed twice at step 2.2), funded, drilled (the log says it
// has a passphrase, so the drill asks for it after the shares), and spent
// with two shares and the passphrase; btcd accepts and mines the spend.
func TestPassphraseWalletOnNode(t *testing.T) {
	const pass = "e2e passphrase, kept apart"
	demo, err := os.ReadFile("../../scripts/demo/keygen.answers")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(demo, []byte("\n2.2: no\n")) {
		t.Fatal("the demo keygen answers no longer answer 2.2 (passphrase) with no")
	}
	answers := filepath.Join(t.TempDir(), "keygen-passphrase.answers")
	withPass := bytes.Replace(demo, []byte("\n2.2: no\n"), []byte("\n2.2: yes\n2.2: Dana\n2.2: "+pass+"\n2.2: "+pass+"\n"), 1)
	if err := os.WriteFile(answers, withPass, 0o600); err != nil {
		t.Fatal(err)
	}
	k := keygenOnNodeWith(t, "pass", "pass", answers)
	ctx, dir, made := context.Background(), k.dir, k.made
	if !made.Passphrase || made.Made.Fingerprint == made.Made.SharesFingerprint {
		t.Fatalf("keygen result %+v", made)
	}
	if desc, _ := os.ReadFile(filepath.Join(dir, "usb-pass", "descriptor.txt")); !bytes.Contains(desc, []byte("["+made.Made.Fingerprint+"/")) {
		t.Fatalf("the exported descriptor is not the wallet with the passphrase: %s", desc)
	}
	if logText, _ := os.ReadFile(k.log); bytes.Contains(logText, []byte("kept apart")) || !bytes.Contains(logText, []byte(`"passphrase":"yes"`)) {
		t.Fatal("the log holds the passphrase, or does not say there is one")
	}
	share := func(i int) string { return filepath.Join(dir, "shares-pass", fmt.Sprintf("share-%d.txt", i)) }
	shareText := func(i int) string {
		b, err := os.ReadFile(share(i))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}

	// The drill: the passphrase at 3.2, asked because the keygen logged one.
	a0 := made.Made.Addresses[0]
	drill := fmt.Sprintf("ceremony: drill\nsecrets: drill\n1.1: Op\n1.2: Wit\n1.3: W\n1.4: 2026-12-03\n2.1: Dan\n2.2: %s\n2.1: Erin\n2.2: %s\n3.2: %s\n3.3: %s\n3.4: %s\n3.5: %s\n4.3: W\n",
		shareText(1), shareText(2), pass, made.Made.Fingerprint, made.Made.ID, a0[len(a0)-8:])
	drillFile := filepath.Join(dir, "drill.answers")
	if err := os.WriteFile(drillFile, []byte(drill), 0o600); err != nil {
		t.Fatal(err)
	}
	k.screen.Reset()
	res, err := offline.RunCeremony(ctx, k.off, offline.CeremonyOptions{Name: "drill", Answers: drillFile, Log: k.log, AllowOnline: true}, nil)
	if err != nil || !res.DrillPassed || res.Rebuilt.Fingerprint != made.Made.Fingerprint {
		t.Fatalf("drill: %v %+v\n%s", err, res.Rebuilt, k.screen.String())
	}

	// The spend: prepared online, signed offline from shares 2 and 3 and
	// the passphrase, broadcast and mined.
	unsigned, signed := filepath.Join(dir, "spend.psbt"), filepath.Join(dir, "spend-signed.psbt")
	if err := online.Prepare(ctx, k.on, online.PrepareOptions{Wallet: "pass", To: []string{made.Made.Addresses[2] + ":1.5"}, FeeRate: 2, Out: unsigned}); err != nil {
		t.Fatalf("prepare: %v\n%s", err, k.onScreen.String())
	}
	raw, err := os.ReadFile(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbt.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	k.off.Prompter = passphraseTyper{pass: pass}
	k.screen.Reset()
	if err := offline.Sign(ctx, k.off, offline.SignOptions{Sources: []string{unsigned}, Out: signed, Confirm: psbt.Digest(p), AllowOnline: true,
		LogPath: filepath.Join(dir, "signing.jsonl"), Key: offline.KeySource{ShareFiles: []string{share(2), share(3)}, Passphrase: true, AllowOnline: true}}); err != nil {
		t.Fatalf("sign: %v\n%s", err, k.screen.String())
	}
	if !strings.Contains(k.screen.String(), "with the passphrase the master fingerprint is "+made.Made.Fingerprint) {
		t.Fatalf("sign did not show the fingerprint with the passphrase:\n%s", k.screen.String())
	}
	k.onScreen.Reset()
	if err := online.Broadcast(ctx, k.on, online.BroadcastOptions{Yes: true, Wallet: "pass", Sources: []string{signed}}); err != nil {
		t.Fatalf("broadcast: %v\n%s", err, k.onScreen.String())
	}
	txid := p.TxID()
	k.node.Mine(t, 1)
	k.onScreen.Reset()
	if err := online.Status(ctx, k.on, "pass", txid); err != nil || !strings.Contains(k.onScreen.String(), "1 confirmation,") {
		t.Fatalf("status of the spend %s: %v\n%s", txid, err, k.onScreen.String())
	}
}
