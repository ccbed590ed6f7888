package online

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
)

// TestUpdate: a bare PSBT of the wallet's transaction (what a coordinator
// that leaves out previous transactions and derivations hands over) is
// refused by the signer as it is, and signs once updated; for a multisig
// and for a version 2 PSBT too. Signed or foreign PSBTs are refused.
func TestUpdate(t *testing.T) {
	for _, kind := range []descriptor.Kind{descriptor.WPKH, descriptor.WSHSortedMulti} {
		t.Run(kind.String(), func(t *testing.T) {
			e := newTestEnv(t)
			w := e.importTest(t, "w", testDescriptor(t, kind))
			e.fundAt(t, w, 0, 0, 10_000_000)
			err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 9).EncodeAddress() + ":0.02"}, FeeRate: 2, Out: e.path("p.psbt")})
			if err != nil {
				t.Fatal(err)
			}
			full := readPSBTFile(t, e.path("p.psbt"))
			bare, err := psbt.FromUnsignedTx(full.UnsignedTx())
			if err != nil {
				t.Fatal(err)
			}
			bare.ToV2()
			writePacket(t, e.path("bare.psbt"), bare)
			n := 1
			if kind.IsMultisig() {
				n = 2
			}
			if _, err := psbt.Sign(bare, testMaster(t, 0)); err == nil {
				t.Fatal("the signer signed a PSBT without previous transactions or derivations")
			}
			if err := Update(context.Background(), e.Env, UpdateOptions{Wallet: "w", Sources: []string{e.path("bare.psbt")}, Out: e.path("u.psbt")}); err != nil {
				t.Fatal(err)
			}
			u := readPSBTFile(t, e.path("u.psbt"))
			if u.TxID() != full.TxID() || u.Version() != 2 {
				t.Fatalf("updated %s v%d, want %s v2", u.TxID(), u.Version(), full.TxID())
			}
			if tx := signAll(t, u, n); tx.TxHash().String() != full.TxID() {
				t.Fatal("signed transaction differs")
			}
			// Signed: refused.
			signed, _ := u.Clone()
			if _, err := psbt.Sign(signed, testMaster(t, 0)); err != nil {
				t.Fatal(err)
			}
			writePacket(t, e.path("signed.psbt"), signed)
			err = Update(context.Background(), e.Env, UpdateOptions{Wallet: "w", Sources: []string{e.path("signed.psbt")}, Out: e.path("x.psbt")})
			if err == nil || !strings.Contains(err.Error(), "already signed") {
				t.Fatalf("signed PSBT: %v", err)
			}
		})
	}
}

func writePacket(t *testing.T, path string, p *psbt.Packet) {
	t.Helper()
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
