package online

import (
	"context"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
)

// TestPrepareV2: --psbt-version 2 writes a BIP370 PSBT that signs like
// the version 0 one; another version is refused before anything is done.
func TestPrepareV2(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 10_000_000)
	to := payee(t, 9)
	err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", Sweep: to.EncodeAddress(), FeeRate: 2, Out: e.path("p.psbt"), PSBTVersion: 2})
	if err != nil {
		t.Fatal(err)
	}
	p := readPSBTFile(t, e.path("p.psbt"))
	if p.Version() != 2 {
		t.Fatalf("wrote version %d, want 2", p.Version())
	}
	if tx := signAll(t, p, 1); len(tx.TxIn) != 1 {
		t.Fatalf("%d inputs", len(tx.TxIn))
	}
	err = Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", Sweep: to.EncodeAddress(), FeeRate: 2, Out: e.path("q.psbt"), PSBTVersion: 1})
	if err == nil || !strings.Contains(err.Error(), "--psbt-version 1") {
		t.Fatalf("version 1: %v", err)
	}
}
