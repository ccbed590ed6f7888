package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/offline"
	"github.com/airsign/airsign/online"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

// sweepWhenReady plays the online laptop during a rotation: when the
// ceremony reaches step 6.1 ("prepare the sweep online"), it imports the new
// watch-only wallet the ceremony exported and prepares the sweep of the old
// wallet to its first address, on the real node.
type sweepWhenReady struct {
	ceremony.Prompter
	t       *testing.T
	env     *online.Env
	newDesc string
	out     string
}

func (s *sweepWhenReady) Ask(p ceremony.Prompt) (string, error) {
	if p.Step == "6.1" {
		if _, err := online.ImportWallet(s.env, online.ImportOptions{Name: "new", Source: s.newDesc, Network: "regtest"}); err != nil {
			s.t.Fatalf("importing the new wallet: %v", err)
		}
		text, _ := os.ReadFile(s.newDesc)
		d, err := descriptor.Parse(strings.TrimSpace(string(text)), &chaincfg.RegressionNetParams)
		if err != nil {
			s.t.Fatal(err)
		}
		first, _ := d.Derive(0, 0)
		if err := online.Prepare(context.Background(), s.env, online.PrepareOptions{Wallet: "old", Sweep: first.Address.EncodeAddress(), FeeRate: 2, Out: s.out}); err != nil {
			s.t.Fatalf("preparing the sweep: %v", err)
		}
	}
	return s.Prompter.Ask(p)
}

// TestRotateSweepOnNode is the rotation ceremony end to end on a real btcd
// regtest node: a key made by keygen holds coins; rotate makes a new key,
// the sweep of the old wallet to it is prepared online, signed in the
// ceremony with the old key rebuilt from its shares, broadcast and mined.
func TestRotateSweepOnNode(t *testing.T) {
	k := keygenOnNode(t, "old", "old")
	ctx, dir, off, on, log, node, old := context.Background(), k.dir, k.off, k.on, k.log, k.node, k.made
	screen, onScreen := k.screen, k.onScreen

	share := func(i int) string {
		b, err := os.ReadFile(filepath.Join(dir, "shares-old", fmt.Sprintf("share-%d.txt", i)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	answers := "ceremony: rotate\nsecrets: test\n1.1: Op\n1.2: Wit\n1.3: W\n1.4: 2026-12-03\n2.1: 2 of 3\n2.2: no\n" +
		"2.3: 6116322261 6651541112 2551526665 4245312643 3223114133 5316451415 3653526116 2312143463 2332636661 5625622443 6652631213 4312563264\n" +
		"2.5: @shown\n2.6: @shown\n3.2: @shown\n"
	for i := 1; i <= 3; i++ {
		answers += fmt.Sprintf("4.1: Holder %d\n4.2: copied\n4.3: @shown\n4.4: W\n", i)
	}
	answers += fmt.Sprintf("5.2: @shown\n6.1: ready\n7.1: H1\n7.2: %s\n7.1: H3\n7.2: %s\n8.3: %s\n8.4: %s\n9.2: @shown\n9.3: W\n9.6: done\n", share(1), share(3), old.Made.Fingerprint, old.Made.ID)
	a, err := ceremony.ParseAnswers(strings.NewReader(answers))
	if err != nil {
		t.Fatal(err)
	}
	def, _ := ceremony.Lookup("rotate")
	ap, err := ceremony.NewAnswersPrompter(a, def, screen)
	if err != nil {
		t.Fatal(err)
	}
	sweep, signed := filepath.Join(dir, "sweep.psbt"), filepath.Join(dir, "sweep-signed.psbt")
	p := &sweepWhenReady{Prompter: ap, t: t, env: on, newDesc: filepath.Join(dir, "usb-new", "descriptor.txt"), out: sweep}
	res, err := offline.RunCeremony(ctx, off, offline.CeremonyOptions{Name: "rotate", Log: log, ExportDir: filepath.Join(dir, "usb-new"),
		Sweep: sweep, SweepOut: signed, AllowOnline: true}, p)
	if err != nil {
		t.Fatalf("rotate: %v\n%s", err, screen.String())
	}
	if res.Rebuilt.Fingerprint != old.Made.Fingerprint || res.Made.Fingerprint == old.Made.Fingerprint || res.SweepTxID == "" {
		t.Fatalf("rotate result: %+v", res)
	}

	onScreen.Reset()
	if err := online.Broadcast(ctx, on, online.BroadcastOptions{Yes: true, Wallet: "old", Sources: []string{signed}}); err != nil {
		t.Fatalf("broadcasting the sweep: %v\n%s", err, onScreen.String())
	}
	if !strings.Contains(onScreen.String(), res.SweepTxID) {
		t.Fatalf("broadcast did not send the sweep %s:\n%s", res.SweepTxID, onScreen.String())
	}
	node.Mine(t, 1)
	onScreen.Reset()
	if err := online.Status(ctx, on, "new", res.SweepTxID); err != nil || !strings.Contains(onScreen.String(), "1 confirmation,") {
		t.Fatalf("status of the sweep: %v\n%s", err, onScreen.String())
	}
	// The ceremony log records both keys and the sweep, and verifies.
	f, _ := os.Open(log)
	defer f.Close()
	sum, err := ceremony.Verify(f, "")
	if err != nil || len(sum.Runs) != 2 || sum.Runs[1].Outcome != "completed" {
		t.Fatalf("ceremony log: %v %+v", err, sum.Runs)
	}
}
