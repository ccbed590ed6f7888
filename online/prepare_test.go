package online

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/txscript"
)

// payee is an address no test wallet owns.
func payee(t testing.TB, i int) btcutil.Address {
	t.Helper()
	var h [20]byte
	h[0], h[1] = 0xee, byte(i)
	h[2] = byte(i >> 8)
	a, err := btcutil.NewAddressWitnessPubKeyHash(h[:], regtest)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func scriptOf(t testing.TB, a btcutil.Address) []byte {
	t.Helper()
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPrepareEveryKindSigns prepares a payment from each wallet type, signs
// it with the test keys (two of three for multisig), and checks that btcd's
// script engine accepts the signatures, that the fee reaches the rate asked
// for on the real signed size without overpaying by more than the worst-case
// signature allowance, and that multisig PSBTs carry the global xpubs.
func TestPrepareEveryKindSigns(t *testing.T) {
	for _, kind := range []descriptor.Kind{descriptor.WPKH, descriptor.SHWPKH, descriptor.TR, descriptor.WSHSortedMulti, descriptor.SHWSHSortedMulti} {
		t.Run(kind.String(), func(t *testing.T) {
			e := newTestEnv(t)
			d := testDescriptor(t, kind)
			w := e.importTest(t, "w", d)
			e.fundAt(t, w, 0, 0, 30_000_000)
			e.fundAt(t, w, 0, 3, 20_000_000)
			err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w",
				To: []string{payee(t, 1).EncodeAddress() + ":0.4"}, FeeRate: 7, Out: e.path("p.psbt")})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(e.out.String(), "change, verified at") {
				t.Errorf("the analysis does not show verified change:\n%s", e.out)
			}
			p := readPSBTFile(t, e.path("p.psbt"))
			signers := 1
			if kind.IsMultisig() {
				signers = 2
			}
			tx := signAll(t, p, signers)
			if len(tx.TxIn) != 2 || len(tx.TxOut) != 2 {
				t.Fatalf("got %d inputs, %d outputs; want 2 and 2", len(tx.TxIn), len(tx.TxOut))
			}
			fee, vsize := e.chain.feeOf(t, tx), vsizeOf(tx)
			if fee < 7*vsize {
				t.Errorf("fee %d sat for %d vB is below 7 sat/vB", fee, vsize)
			}
			// The estimate counts 72-byte signatures; real ones are 71-72.
			if slack := fee - 7*vsize; slack > 7*4 {
				t.Errorf("fee %d sat for %d vB overpays by %d sat", fee, vsize, slack)
			}
			// The signer passes the global xpubs on.
			signed, err := p.Clone()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := psbt.Sign(signed, testMaster(t, 0)); err != nil {
				t.Fatal(err)
			}
			raw, err := signed.Encode()
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range d.Keys() {
				key := append([]byte{79, 0x01 /* PSBT_GLOBAL_XPUB */}, base58.Decode(k.XPub.String())[:78]...)
				if got := bytes.Contains(raw, key); got != kind.IsMultisig() {
					t.Errorf("global xpub of key %d present: %v, want %v", i+1, got, kind.IsMultisig())
				}
				if i == 0 && kind == descriptor.WSHSortedMulti {
					// BIP174: the value is the fingerprint and the path, little-endian steps:
					// [73c5da0a/48h/1h/0h/2h].
					value, _ := hex.DecodeString("14" + "73c5da0a" + "30000080" + "01000080" + "00000080" + "02000080")
					if !bytes.Contains(raw, append(key, value...)) {
						t.Errorf("global xpub of key 1 lacks its origin [73c5da0a/48h/1h/0h/2h]")
					}
				}
			}
			for i, in := range tx.TxIn {
				if in.Sequence != 0xfffffffd {
					t.Errorf("input %d sequence %#x, want 0xfffffffd (RBF)", i, in.Sequence)
				}
			}
			if tx.LockTime != uint32(e.chain.tip) {
				t.Errorf("locktime %d, want the tip %d", tx.LockTime, e.chain.tip)
			}
		})
	}
}

// TestPrepareBatch50 pays 50 addresses from a CSV file and 2 with --to.
func TestPrepareBatch50(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	for i := uint32(0); i < 3; i++ {
		e.fundAt(t, w, 0, i, 100_000_000)
	}
	var csv strings.Builder
	csv.WriteString("address,amount\n# payroll\n")
	want := map[string]int64{}
	for i := 0; i < 50; i++ {
		a := payee(t, i).EncodeAddress()
		amt := int64(100_000 + i*1000)
		fmt.Fprintf(&csv, "%s,%dsat\n", a, amt)
		want[a] = amt
	}
	if err := os.WriteFile(e.path("pay.csv"), []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	a50, a51 := payee(t, 50).EncodeAddress(), payee(t, 51).EncodeAddress()
	want[a50], want[a51] = 1_5000_0000, 1_000
	err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", ToFile: e.path("pay.csv"),
		To: []string{a50 + ":1.5", a51 + ":1000sat"}, FeeRate: 3, Out: e.path("p.psbt")})
	if err != nil {
		t.Fatal(err)
	}
	tx := signAll(t, readPSBTFile(t, e.path("p.psbt")), 1)
	if len(tx.TxOut) != 53 {
		t.Fatalf("%d outputs, want 52 payments and change", len(tx.TxOut))
	}
	got := map[string]int64{}
	for _, o := range tx.TxOut {
		_, addrs, _, _ := txscript.ExtractPkScriptAddrs(o.PkScript, regtest)
		got[addrs[0].EncodeAddress()] = o.Value
	}
	for a, amt := range want {
		if got[a] != amt {
			t.Errorf("%s got %d sat, want %d", a, got[a], amt)
		}
	}
	if fee, vsize := e.chain.feeOf(t, tx), vsizeOf(tx); fee < 3*vsize {
		t.Errorf("fee %d below 3 sat/vB of %d vB", fee, vsize)
	}
}

func TestPrepareSweep(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 10_000_000)
	e.fundAt(t, w, 0, 1, 20_000_000)
	frozen := e.fundAt(t, w, 1, 0, 40_000_000)
	if err := SetFrozen(e.Env, "w", frozen.String(), true); err != nil {
		t.Fatal(err)
	}
	to := payee(t, 9)
	err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", Sweep: to.EncodeAddress(), FeeRate: 2, Out: e.path("p.psbt")})
	if err != nil {
		t.Fatal(err)
	}
	tx := signAll(t, readPSBTFile(t, e.path("p.psbt")), 1)
	if len(tx.TxIn) != 2 || len(tx.TxOut) != 1 {
		t.Fatalf("sweep has %d inputs, %d outputs; want the 2 unfrozen coins to 1 output", len(tx.TxIn), len(tx.TxOut))
	}
	for _, in := range tx.TxIn {
		if in.PreviousOutPoint == frozen {
			t.Fatal("the sweep spends the frozen coin")
		}
	}
	fee := e.chain.feeOf(t, tx)
	if tx.TxOut[0].Value != 30_000_000-fee || !bytes.Equal(tx.TxOut[0].PkScript, scriptOf(t, to)) {
		t.Errorf("sweep output %d sat to %x", tx.TxOut[0].Value, tx.TxOut[0].PkScript)
	}
	if fee < 2*vsizeOf(tx) {
		t.Errorf("fee %d below 2 sat/vB", fee)
	}
}

func TestPrepareCoinControl(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	big := e.fundAt(t, w, 0, 0, 90_000_000)
	small1 := e.fundAt(t, w, 0, 1, 10_000_000)
	small2 := e.fundAt(t, w, 0, 2, 10_000_000)
	to := payee(t, 1).EncodeAddress() + ":0.05"
	// Spends exactly the two small coins although the big one alone would do.
	err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{to},
		Coins: []string{small1.String(), small2.String()}, FeeRate: 2, Out: e.path("p.psbt")})
	if err != nil {
		t.Fatal(err)
	}
	tx := signAll(t, readPSBTFile(t, e.path("p.psbt")), 1)
	if len(tx.TxIn) != 2 || tx.TxIn[0].PreviousOutPoint == big || tx.TxIn[1].PreviousOutPoint == big {
		t.Fatalf("coin control spent %v", tx.TxIn)
	}
	if len(tx.TxOut) != 2 {
		t.Fatalf("%d outputs, want payment and change", len(tx.TxOut))
	}

	bad := []struct {
		name  string
		coins []string
		want  string
	}{
		{"not ours", []string{strings.Repeat("ab", 32) + ":0"}, "is not an unspent coin of wallet"},
		{"malformed", []string{"abc:0"}, "64 hex digits"},
		{"twice", []string{small1.String(), small1.String()}, "given twice"},
		{"too little", []string{small1.String()}, "insufficient funds: need 0.10000"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":0.1"},
				Coins: c.coins, FeeRate: 2, Out: e.path("bad.psbt")})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	if err := SetFrozen(e.Env, "w", small1.String(), true); err != nil {
		t.Fatal(err)
	}
	err = Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{to},
		Coins: []string{small1.String()}, FeeRate: 2, Out: e.path("f.psbt")})
	if err == nil || !strings.Contains(err.Error(), "is frozen") {
		t.Fatalf("spending a frozen coin by --utxo: %v", err)
	}
}

// TestPrepareInsufficientFunds checks the message says exactly how much is
// missing and what was not counted.
func TestPrepareInsufficientFunds(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 50_000_000)
	fz := e.fundAt(t, w, 0, 1, 7_000_000)
	if err := SetFrozen(e.Env, "w", fz.String(), true); err != nil {
		t.Fatal(err)
	}
	err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":1"}, FeeRate: 10, Out: e.path("p.psbt")})
	var ins *InsufficientFundsError
	if !errors.As(err, &ins) {
		t.Fatalf("got %v, want insufficient funds", err)
	}
	// One P2WPKH input, one P2WPKH output: 10.5 + 68 + 31 = 110 vB at 10 sat/vB.
	const want = "insufficient funds: need 1.00001100 BTC (payments plus fee), the wallet can spend 0.50000000 BTC — 0.50001100 BTC missing; not counted: 0.07000000 BTC frozen"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
	if _, err := os.Stat(e.path("p.psbt")); !os.IsNotExist(err) {
		t.Error("a PSBT was written")
	}
}

func TestPrepareRBFAndLockTime(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.TR))
	e.fundAt(t, w, 0, 0, 50_000_000)
	err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":0.1"},
		FeeRate: 2, NoRBF: true, LockTime: 150, HasLockTime: true, Out: e.path("p.psbt")})
	if err != nil {
		t.Fatal(err)
	}
	tx := readPSBTFile(t, e.path("p.psbt")).UnsignedTx()
	if tx.TxIn[0].Sequence != 0xfffffffe || tx.LockTime != 150 {
		t.Errorf("sequence %#x locktime %d, want 0xfffffffe and 150", tx.TxIn[0].Sequence, tx.LockTime)
	}
	if !strings.Contains(e.out.String(), "RBF:          no") {
		t.Errorf("analysis does not say RBF no:\n%s", e.out)
	}
	e.reset()
	// A locktime in the future is prepared with a warning.
	err = Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":0.1"},
		FeeRate: 2, LockTime: 500, HasLockTime: true, Out: e.path("q.psbt")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "cannot be mined before block 500") {
		t.Errorf("no warning about the future locktime: %s", e.errs)
	}
}

func TestPrepareFeeEstimate(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 50_000_000)
	to := []string{payee(t, 1).EncodeAddress() + ":0.1"}
	if err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: to, TargetBlocks: 3, Out: e.path("a.psbt")}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "warning: fake node has no fee estimate for 3 blocks; using the fallback 2.0 sat/vB") {
		t.Errorf("no fallback warning: %s", e.errs)
	}
	e.reset()
	e.chain.estimate = 12.5
	if err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: to, Out: e.path("b.psbt")}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "fee rate 12.5 sat/vB: fake node's estimate for confirmation within 6 blocks") {
		t.Errorf("estimate not reported: %s", e.errs)
	}
	a := psbt.Analyze(readPSBTFile(t, e.path("b.psbt")), regtest, 0, nil)
	if a.FeeRate < 12.5 {
		t.Errorf("fee rate %.2f below the estimate", a.FeeRate)
	}
}

// TestPrepareBadInput covers refusals that happen before or without coins.
func TestPrepareBadInput(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 50_000_000)
	p1 := payee(t, 1).EncodeAddress()
	mainnet := "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
	if err := os.WriteFile(e.path("bad.csv"), []byte("address,amount\n"+p1+",0.1\n"+mainnet+",0.2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.path("dup.csv"), []byte(p1+",0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opts PrepareOptions
		want string
	}{
		{"no destination", PrepareOptions{}, "say where the money goes"},
		{"both", PrepareOptions{To: []string{p1 + ":0.1"}, Sweep: p1}, "say where the money goes"},
		{"mainnet address", PrepareOptions{To: []string{mainnet + ":0.1"}}, "is not a regtest address"},
		{"csv bad line", PrepareOptions{ToFile: e.path("bad.csv")}, "bad.csv line 3: address \"" + mainnet + "\" is not a regtest address"},
		{"csv duplicate of --to", PrepareOptions{To: []string{p1 + ":0.3"}, ToFile: e.path("dup.csv")}, "dup.csv line 1: address " + p1 + " is already paid by --to #1"},
		{"dust", PrepareOptions{To: []string{p1 + ":293sat"}}, "below the dust limit for this address type (0.00000294 BTC)"},
		{"fee above cap", PrepareOptions{To: []string{p1 + ":0.1"}, FeeRate: 20_000}, "--fee-rate 20000 sat/vB is above the cap of 10000 sat/vB"},
		{"fee below relay", PrepareOptions{To: []string{p1 + ":0.1"}, FeeRate: 0.5}, "below 1 sat/vB"},
		{"fee and target", PrepareOptions{To: []string{p1 + ":0.1"}, FeeRate: 2, TargetBlocks: 2}, "not both"},
		{"sweep to pubkey", PrepareOptions{Sweep: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"}, "bare public key (p2pk), an unknown address type"},
		{"segwit v2", PrepareOptions{To: []string{segwitV2(t) + ":0.1"}}, "unknown address type (segwit version 2)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Wallet, c.opts.Out = "w", e.path("p.psbt")
			if c.opts.FeeRate == 0 && c.opts.TargetBlocks == 0 {
				c.opts.FeeRate = 2
			}
			err := Prepare(context.Background(), e.Env, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v\nwant %q", err, c.want)
			}
			if _, err := os.Stat(e.path("p.psbt")); !os.IsNotExist(err) {
				t.Fatal("a PSBT was written")
			}
		})
	}
}

// TestPrepareNeverOverwrites: the output file must be new.
func TestPrepareNeverOverwrites(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 50_000_000)
	if err := os.WriteFile(e.path("p.psbt"), []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":0.1"}, FeeRate: 2, Out: e.path("p.psbt")})
	if err == nil {
		t.Fatal("overwrote an existing file")
	}
	if b, _ := os.ReadFile(e.path("p.psbt")); string(b) != "keep" {
		t.Fatal("the existing file changed")
	}
}

// segwitV2 is a valid bech32m regtest address of witness version 2, a type
// no wallet can pay yet.
func segwitV2(t testing.TB) string {
	prog, err := bech32.ConvertBits(bytes.Repeat([]byte{7}, 32), 8, 5, true)
	if err != nil {
		t.Fatal(err)
	}
	s, err := bech32.EncodeM("bcrt", append([]byte{2}, prog...))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPrepareWarnsWhatTheSignerWouldRefuse: a fee the offline signer's
// default policy refuses (above 10 % of the amount sent) is flagged at
// prepare time, and a normal payment is not.
func TestPrepareWarnsWhatTheSignerWouldRefuse(t *testing.T) {
	for _, c := range []struct {
		name   string
		amount string
		warns  bool
	}{{"high fee share", "0.00002", true}, {"normal", "0.1", false}} {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t)
			w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
			e.fundAt(t, w, 0, 0, 30_000_000)
			err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w",
				To: []string{payee(t, 1).EncodeAddress() + ":" + c.amount}, FeeRate: 20, Out: e.path("p.psbt")})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Contains(e.errs.String(), "the offline signer's default policy would refuse this")
			if got != c.warns {
				t.Fatalf("warned %v, want %v:\n%s", got, c.warns, e.errs)
			}
			if c.warns && !strings.Contains(e.errs.String(), "--allow-high-fee") {
				t.Errorf("the warning does not say what to do:\n%s", e.errs)
			}
		})
	}
}

// TestSatsShowsSatoshis: with --sats the analysis and the summary lines
// show satoshis; JSON keeps its _sat integers either way.
func TestSatsShowsSatoshis(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 30_000_000)
	e.Sats = true
	if err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w",
		To: []string{payee(t, 1).EncodeAddress() + ":0.1"}, FeeRate: 2, Out: e.path("p.psbt")}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), "10000000 sat  EXTERNAL") || strings.Contains(e.out.String(), " BTC") {
		t.Fatalf("--sats analysis:\n%s", e.out)
	}
	e.reset()
	if err := ListUTXOs(context.Background(), e.Env, UTXOOptions{Wallet: "w"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), "30000000 sat") {
		t.Fatalf("--sats utxos:\n%s", e.out)
	}
}

// TestPrintLabelsFit: labels under a prepared PSBT fit the 80-column
// console whatever their length, and none is lost, nor the whole coin or
// address it labels; a short one stays on one line.
func TestPrintLabelsFit(t *testing.T) {
	var out bytes.Buffer
	env := &Env{Stdout: &out}
	long := strings.Repeat("cold storage reserve ", 8) + strings.Repeat("x", 120)
	const outpoint = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:12"
	const taproot = "bcrt1p8wpt9v4frpf3tkn0srd97pksgsxc5hs52lafxwru9kgeephvs7rqjeprhg"
	w := &Wallet{Labels: map[string]string{outpoint: "from the exchange, " + long, taproot: "change " + long}}
	a := &psbt.Analysis{
		Inputs:  []psbt.Input{{Index: 0, Outpoint: outpoint, Address: taproot}},
		Outputs: []psbt.Output{{Index: 1, Address: taproot}},
	}
	short := &Wallet{Labels: map[string]string{"bcrt1q9u62588spffmq4dzjxsr5l297znf3z6jkgnhsw": "back to wpkh"}}
	printLabels(env, short, &psbt.Analysis{Outputs: []psbt.Output{{Index: 0, Address: "bcrt1q9u62588spffmq4dzjxsr5l297znf3z6jkgnhsw"}}})
	if want := "\nLabels:\n  output #0 bcrt1q9u62588spffmq4dzjxsr5l297znf3z6jkgnhsw: back to wpkh\n"; out.String() != want {
		t.Fatalf("short label: %q, want %q", out.String(), want)
	}
	out.Reset()
	printLabels(env, w, a)
	text := out.String()
	for _, l := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(l); n > psbt.ScreenWidth {
			t.Errorf("%d columns: %q", n, l)
		}
	}
	joined := strings.Join(strings.Fields(text), "")
	for _, want := range []string{"input#0" + outpoint + ":fromtheexchange,", "input#0" + taproot + ":change", "output#1" + taproot + ":change", strings.Repeat("x", 120)} {
		if !strings.Contains(joined, want) {
			t.Errorf("the labels lost %q:\n%s", want, text)
		}
	}
}
