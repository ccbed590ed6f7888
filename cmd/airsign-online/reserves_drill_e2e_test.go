package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/offline"
	"github.com/airsign/airsign/online"
	"github.com/airsign/airsign/transport"
)

// TestReservesDrillOnNode is issue 17's whole path on a real btcd regtest
// node: a key made by keygen holds coins; the online side prepares a proof
// of reserves as QR frames; the recovery drill rebuilds the key from two
// shares, reads the frames and signs the proof for the real coins; the
// online side verifies it against the chain; ceremony status counts it.
func TestReservesDrillOnNode(t *testing.T) {
	k := keygenOnNode(t, "cold", "cold")
	ctx, dir, off, on, log, made := context.Background(), k.dir, k.off, k.on, k.log, k.made
	screen, onScreen := k.screen, k.onScreen

	// Online: the proof, as animated QR frames for the offline laptop.
	frames := filepath.Join(dir, "proof-qr")
	const msg = "ACME custody drill 2026-12-03, auditor challenge 4be1"
	if err := online.ReservesPrepare(ctx, on, online.ReservesPrepareOptions{Wallet: "cold", Message: msg,
		QR: transport.QROptions{Dir: frames, Split: true}}); err != nil {
		t.Fatalf("reserves prepare: %v\n%s", err, onScreen.String())
	}

	// Offline: the drill signs it with the key rebuilt from shares 1 and 3.
	share := func(i int) string {
		b, err := os.ReadFile(filepath.Join(dir, "shares-cold", fmt.Sprintf("share-%d.txt", i)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	a0 := made.Made.Addresses[0]
	answers := fmt.Sprintf("ceremony: drill\nsecrets: drill\n1.1: Op\n1.2: Wit\n1.3: W\n1.4: 2026-12-03\n2.1: Dan\n2.2: %s\n2.1: Frank\n2.2: %s\n3.3: %s\n3.4: %s\n3.5: %s\n4.3: W\n",
		share(1), share(3), made.Made.Fingerprint, made.Made.ID, a0[len(a0)-8:])
	answersFile := filepath.Join(dir, "drill.answers")
	if err := os.WriteFile(answersFile, []byte(answers), 0o600); err != nil {
		t.Fatal(err)
	}
	proof := filepath.Join(dir, "proof-signed.psbt")
	screen.Reset()
	res, err := offline.RunCeremony(ctx, off, offline.CeremonyOptions{Name: "drill", Answers: answersFile, Log: log,
		TestPSBT: frames, ProofOut: proof, AllowOnline: true}, nil)
	if err != nil {
		t.Fatalf("drill: %v\n%s", err, screen.String())
	}
	if !res.DrillPassed {
		t.Fatalf("drill did not pass:\n%s", screen.String())
	}
	if !strings.Contains(screen.String(), "Proof of reserves signed and verified: 101 coins, 5050.00000000 BTC") {
		t.Fatalf("the drill did not say what it proved:\n%s", screen.String())
	}

	// Online: verified against the chain.
	onScreen.Reset()
	if err := online.ReservesVerify(ctx, on, online.ReservesVerifyOptions{Wallet: "cold", Sources: []string{proof}}); err != nil {
		t.Fatalf("reserves verify: %v\n%s", err, onScreen.String())
	}
	if !strings.Contains(onScreen.String(), "proven:  5050.00000000 BTC in 101 coins") || !strings.Contains(onScreen.String(), msg) {
		t.Fatalf("verify report:\n%s", onScreen.String())
	}

	// The status counts the drill and its proof.
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ceremony.ReadRecords(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := ceremony.ComputeStatus([][]ceremony.Record{recs}, ceremony.Schedule{DrillEveryDays: 180, ReservesEveryDays: 365}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st.LastDrill == nil || !st.LastDrill.Reserves || len(st.Overdue) != 0 {
		t.Fatalf("status: last drill %+v, overdue %v", st.LastDrill, st.Overdue)
	}
}
