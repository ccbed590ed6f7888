package offline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// reservesPSBT is a proof of reserves over two wpkh coins of the test key.
func reservesPSBT(t *testing.T, dir, message string) string {
	t.Helper()
	net := &chaincfg.RegressionNetParams
	key, err := KeyFromEntropy(make([]byte, 16), net)
	if err != nil {
		t.Fatal(err)
	}
	d, err := key.Descriptor(descriptor.WPKH, 0, net)
	key.Wipe()
	if err != nil {
		t.Fatal(err)
	}
	var ins []psbt.InputSpec
	for i, amount := range []int64{40_000_000, 2_500_000} {
		der, err := d.Derive(0, uint32(i))
		if err != nil {
			t.Fatal(err)
		}
		prev := wire.NewMsgTx(2)
		prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{byte(i + 1)}, 0), nil, nil))
		prev.AddTxOut(wire.NewTxOut(amount, der.Script))
		var keys []psbt.KeyOrigin
		for _, k := range der.Keys {
			keys = append(keys, psbt.KeyOrigin{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path})
		}
		ins = append(ins, psbt.InputSpec{PrevTx: prev, Keys: keys})
	}
	p, err := psbt.BuildReserves(psbt.ReservesBIP127, message, ins)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "proof.psbt")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A proof of reserves is no payment: the signer shows what it proves, asks
// for "prove" instead of a payment's digest (a slip is retried before any
// share is typed), signs with the shares, and logs what was proven.
func TestSignReservesProof(t *testing.T) {
	dir := t.TempDir()
	const msg = "ACME reserves 2026-12-03, auditor challenge 9c1e"
	src := reservesPSBT(t, dir, msg)
	pr := &holderPrompter{digests: []string{"yes", "PROVE"}, shares: testShares(t)}
	var stdout, stderr bytes.Buffer
	env := &Env{Stdout: &stdout, Stderr: &stderr, Net: &chaincfg.RegressionNetParams, Prompter: pr}
	logPath := filepath.Join(dir, "signing.jsonl")
	out := filepath.Join(dir, "signed.psbt")
	err := Sign(context.Background(), env, SignOptions{
		Sources: []string{src}, Out: out, Key: KeySource{Shares: true},
		Policy: psbt.DefaultPolicy(), AllowOnline: true, LogPath: logPath,
	})
	if err != nil {
		t.Fatalf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	if pr.lines != 2 || pr.asked != 2 {
		t.Fatalf("%d confirmation prompts, %d share prompts; want 2 and 2", pr.lines, pr.asked)
	}
	for _, want := range []string{"PROOF OF RESERVES (BIP127): spends nothing", "proves 2 coins, total 0.42500000 BTC", msg} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("screen lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), `That is not "prove"`) {
		t.Errorf("the slip was not explained:\n%s", stderr.String())
	}
	// A proof is verified, never broadcast.
	if !strings.Contains(stderr.String(), "airsign-online reserves verify "+out) || strings.Contains(stderr.String(), "broadcast") {
		t.Errorf("the next step is not the proof's:\n%s", stderr.String())
	}
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), `"reserves":"yes"`) || !strings.Contains(string(log), `"reserves_total_sat":"42500000"`) {
		t.Fatalf("the log does not say what was proven:\n%s", log)
	}
	signed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbt.Decode(signed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := psbt.FinalizeReserves(p); err != nil {
		t.Fatalf("the signed proof does not finalize: %v", err)
	}

	// Three slips refuse, before any share.
	pr = &holderPrompter{digests: []string{"no", "ok", "sign"}, shares: testShares(t)}
	env = &Env{Stdout: &stdout, Stderr: &stderr, Net: &chaincfg.RegressionNetParams, Prompter: pr}
	err = Sign(context.Background(), env, SignOptions{
		Sources: []string{src}, Out: filepath.Join(dir, "signed2.psbt"), Key: KeySource{Shares: true},
		Policy: psbt.DefaultPolicy(), AllowOnline: true, LogPath: logPath,
	})
	if err == nil || pr.asked != 0 || !strings.Contains(err.Error(), "not confirmed") {
		t.Fatalf("err = %v after %d share prompts", err, pr.asked)
	}
}

// A drill given a proof of reserves checks, before anyone types a share,
// that it can write the signed proof somewhere new.
func TestCheckDrillPSBT(t *testing.T) {
	dir := t.TempDir()
	proof := reservesPSBT(t, dir, "drill 2026")
	exists := filepath.Join(dir, "exists.psbt")
	if err := os.WriteFile(exists, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(dir, "damaged.psbt")
	if err := os.WriteFile(damaged, []byte("cHNidP8BAAo="), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts CeremonyOptions
		want string
	}{
		{CeremonyOptions{Name: "drill", TestPSBT: proof}, "give --proof-out FILE"},
		{CeremonyOptions{Name: "drill", TestPSBT: proof, ProofOut: exists}, "already exists"},
		{CeremonyOptions{Name: "drill", ProofOut: filepath.Join(dir, "new.psbt")}, "--proof-out needs --test-psbt"},
		{CeremonyOptions{Name: "drill", TestPSBT: damaged}, "--test-psbt"},
		{CeremonyOptions{Name: "drill", TestPSBT: "-"}, "give the PSBT as a file"},
		{CeremonyOptions{Name: "drill", TestPSBT: proof, ProofOut: filepath.Join(dir, "new.psbt")}, ""},
	} {
		err := checkCeremonyFlags(tc.opts)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: err = %v, want %q", tc.opts, err, tc.want)
		}
	}
}
