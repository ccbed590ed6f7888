package main_test

// Interop is the proof: PSBTs and keys. These tests hand what
// airsign-offline reads and writes to Electrum (Debian's python3-electrum,
// 4.3.x, through scripts/interop/electrum_ref.py) and to npm packages pinned
// in scripts/interop/package.json (through scripts/interop/ref.mjs), and
// take theirs back:
//
//   - Electrum parses a PSBT airsign prepared the way airsign does: same
//     txid, inputs, outputs, fee, locktime.
//   - Electrum signs it with the same key (its BIP39 keystore at
//     m/84'/1'/0'); airsign-offline inspects Electrum's PSBT,
//     psbt.Finalize/Extract accept it, btcd's script engine verifies.
//   - airsign-offline signs; an Electrum watch-only wallet of the exported
//     xpub finalizes, to the transaction psbt.Finalize/Extract make.
//   - A signed PSBT sent as QR frames (sign --qr) is read by zbar and bc-ur
//     and finalized by Electrum.
//   - @scure/btc-signer, a second PSBT implementation, reads, signs and
//     finalizes p2wpkh and taproot PSBTs with airsign, both ways.
//   - `export descriptor`: the BIP380 checksum of @bitcoinerlab/descriptors
//     is ours, and the first addresses it derives (and Electrum derives from
//     the xpub, where it can) are the ones airsign derives.
//
// No Bitcoin Core, Sparrow or Coldcard can run here. Electrum 4.3 has no
// taproot and no descriptor code, so taproot is checked against the npm
// packages only. Without the tools the tests skip and say why; `make
// interop` installs them and sets AIRSIGN_INTEROP=1, which turns a missing
// tool into an error.

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/interoptest"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// The BIP84 test key: a public test vector, never a real wallet.
const interopMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// electrum runs scripts/interop/electrum_ref.py with Debian's python3 (the
// one python3-electrum installs into; AIRSIGN_INTEROP_PYTHON overrides).
type electrum struct{ python, script string }

func newElectrum(t *testing.T) *electrum {
	t.Helper()
	py := os.Getenv("AIRSIGN_INTEROP_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	out, err := exec.Command(py, "-I", "-c", "import electrum.version as v; print(v.ELECTRUM_VERSION)").Output()
	if err != nil {
		interoptest.Unavailable(t, "Electrum is not importable by %s (Debian python3-electrum)", py)
	}
	t.Logf("Electrum %s (%s)", strings.TrimSpace(string(out)), py)
	return &electrum{python: py, script: filepath.Join(interoptest.RepoRoot(t), "scripts", "interop", "electrum_ref.py")}
}

func (e *electrum) call(t *testing.T, cmd string, req, ans any) {
	t.Helper()
	if err := interoptest.RunJSON(exec.Command(e.python, "-I", e.script, cmd), req, ans); err != nil {
		t.Fatal(err)
	}
}

// offline runs airsign-offline: this test binary, which main_test.go's
// testscript.Main turns into the command when it is invoked under that name.
func offline(t *testing.T, dir string, args ...string) (stdout string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &exec.Cmd{Path: exe, Args: append([]string{"airsign-offline"}, args...), Dir: dir}
	c.Env = append(os.Environ(),
		"AIRSIGN_NETWORK=regtest",
		"AIRSIGN_ALLOW_ONLINE=1", // the test machine has a network
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
	)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	if err := c.Run(); err != nil {
		t.Fatalf("airsign-offline %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// interopSetup writes the mnemonic file and the PSBT under test into a
// fresh directory.
func interopSetup(t *testing.T) (dir string, unsigned []byte) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mnemonic.txt"), []byte(interopMnemonic+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	unsigned = interopPSBT(t, false)
	if err := os.WriteFile(filepath.Join(dir, "unsigned.psbt"), unsigned, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, unsigned
}

// interopPSBT is what airsign-online prepares for the test key on regtest:
// three coins from two previous transactions (receive addresses 0/0, 0/1,
// 0/2), a payment to someone else, change to 1/0 with its derivation, RBF
// sequence and an anti-fee-sniping locktime. The wallet is BIP84 p2wpkh, or
// BIP86 taproot (key path) when taproot is set.
func interopPSBT(t *testing.T, taproot bool) []byte {
	t.Helper()
	coins, extScript, kc, sc := interopCoins(t, taproot)
	p, err := psbt.Build(2, 230, coins, []psbt.OutputSpec{
		{PkScript: extScript, Amount: 60_000_000},
		{PkScript: sc, Amount: 85_000_000 - 60_000_000 - 2_720, Keys: []psbt.KeyOrigin{kc}, Taproot: taproot},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// interopCoins are the test key's three coins on regtest (receive
// addresses 0/0, 0/1, 0/2, 0.85 BTC in all, from two previous transactions
// that also pay someone else), with their key origins and RBF sequences;
// the other party's script; and the change key 1/0 and its script.
func interopCoins(t *testing.T, taproot bool) (coins []psbt.InputSpec, extScript []byte, kc psbt.KeyOrigin, sc []byte) {
	t.Helper()
	net := &chaincfg.RegressionNetParams
	seed, err := bip39.Seed([]byte(interopMnemonic), nil)
	if err != nil {
		t.Fatal(err)
	}
	master, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := psbt.MasterFingerprint(master)
	if err != nil {
		t.Fatal(err)
	}
	const h = hdkeychain.HardenedKeyStart
	purpose := uint32(84)
	if taproot {
		purpose = 86
	}
	key := func(branch, index uint32) (psbt.KeyOrigin, []byte) {
		path := []uint32{purpose + h, 1 + h, h, branch, index}
		k := master
		for _, step := range path {
			if k, err = k.Derive(step); err != nil {
				t.Fatal(err)
			}
		}
		pub, err := k.ECPubKey()
		if err != nil {
			t.Fatal(err)
		}
		b := pub.SerializeCompressed()
		origin := psbt.KeyOrigin{PubKey: b, Fingerprint: fp, Path: path}
		if taproot {
			script, err := txscript.PayToTaprootScript(txscript.ComputeTaprootKeyNoScript(pub))
			if err != nil {
				t.Fatal(err)
			}
			return origin, script
		}
		return origin, append([]byte{0x00, 0x14}, btcutil.Hash160(b)...)
	}
	k0, s0 := key(0, 0)
	k1, s1 := key(0, 1)
	k2, s2 := key(0, 2)
	kc, sc = key(1, 0)
	external, err := btcutil.DecodeAddress("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", net)
	if err != nil {
		t.Fatal(err)
	}
	if extScript, err = txscript.PayToAddrScript(external); err != nil {
		t.Fatal(err)
	}

	coinbaseLike := func(tag byte, outs ...*wire.TxOut) *wire.MsgTx {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{tag}, 0), nil, [][]byte{{tag}}))
		for _, o := range outs {
			tx.AddTxOut(o)
		}
		return tx
	}
	prevA := coinbaseLike(1, wire.NewTxOut(50_000_000, s0), wire.NewTxOut(25_000_000, s1))
	prevB := coinbaseLike(2, wire.NewTxOut(7_000_000, extScript), wire.NewTxOut(10_000_000, s2))
	const seq = wire.MaxTxInSequenceNum - 2
	coins = []psbt.InputSpec{
		{PrevTx: prevA, Vout: 0, Sequence: seq, Keys: []psbt.KeyOrigin{k0}, Taproot: taproot},
		{PrevTx: prevA, Vout: 1, Sequence: seq, Keys: []psbt.KeyOrigin{k1}, Taproot: taproot},
		{PrevTx: prevB, Vout: 1, Sequence: seq, Keys: []psbt.KeyOrigin{k2}, Taproot: taproot},
	}
	return coins, extScript, kc, sc
}

// Our inspect --json, the fields compared here.
type ourAnalysis struct {
	TxID     string `json:"txid"`
	Digest   string `json:"digest"`
	LockTime uint32 `json:"locktime"`
	Inputs   []struct {
		Outpoint   string `json:"outpoint"`
		Amount     int64  `json:"amount_sat"`
		Address    string `json:"address"`
		Sequence   uint32 `json:"sequence"`
		Signatures int    `json:"signatures"`
		Finalized  bool   `json:"finalized"`
	} `json:"inputs"`
	Outputs []struct {
		Address string `json:"address"`
		Amount  int64  `json:"amount_sat"`
		Change  bool   `json:"change"`
	} `json:"outputs"`
	Fee      int64 `json:"fee_sat"`
	Complete bool  `json:"complete"`
}

func inspect(t *testing.T, dir, file string) ourAnalysis {
	t.Helper()
	var a ourAnalysis
	out := offline(t, dir, "inspect", "--json", file)
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, out)
	}
	return a
}

type electrumTx struct {
	TxID   string `json:"txid"`
	Inputs []struct {
		Prevout  string `json:"prevout"`
		Value    int64  `json:"value"`
		Address  string `json:"address"`
		Sequence uint32 `json:"sequence"`
	} `json:"inputs"`
	Outputs []struct {
		Address string `json:"address"`
		Value   int64  `json:"value"`
	} `json:"outputs"`
	Fee      int64  `json:"fee"`
	LockTime uint32 `json:"locktime"`
}

type electrumSigned struct {
	PSBT     string `json:"psbt"`
	Complete bool   `json:"complete"`
	TxHex    string `json:"txhex"`
}

func electrumSign(t *testing.T, e *electrum, psbtBytes []byte, finalize bool) electrumSigned {
	t.Helper()
	var s electrumSigned
	e.call(t, "sign", map[string]any{
		"psbt": base64.StdEncoding.EncodeToString(psbtBytes), "network": "regtest",
		"mnemonic": interopMnemonic, "derivation": "m/84'/1'/0'", "finalize": finalize,
	}, &s)
	if !s.Complete {
		t.Fatal("Electrum did not sign every input with the BIP84 test key")
	}
	return s
}

// TestInteropElectrumReadsOurPSBT: Electrum sees in airsign's PSBT what
// airsign-offline inspect shows.
func TestInteropElectrumReadsOurPSBT(t *testing.T) {
	e := newElectrum(t)
	dir, unsigned := interopSetup(t)
	ours := inspect(t, dir, "unsigned.psbt")
	var theirs electrumTx
	e.call(t, "inspect", map[string]any{"psbt": base64.StdEncoding.EncodeToString(unsigned), "network": "regtest"}, &theirs)

	if theirs.TxID != ours.TxID {
		t.Errorf("txid: Electrum %s, airsign %s", theirs.TxID, ours.TxID)
	}
	if theirs.Fee != ours.Fee || ours.Fee != 2_720 {
		t.Errorf("fee: Electrum %d sat, airsign %d sat, built with 2720", theirs.Fee, ours.Fee)
	}
	if theirs.LockTime != ours.LockTime {
		t.Errorf("locktime: Electrum %d, airsign %d", theirs.LockTime, ours.LockTime)
	}
	if len(theirs.Inputs) != 3 || len(ours.Inputs) != 3 || len(theirs.Outputs) != 2 || len(ours.Outputs) != 2 {
		t.Fatalf("Electrum sees %d inputs / %d outputs, airsign %d / %d; built with 3 / 2", len(theirs.Inputs), len(theirs.Outputs), len(ours.Inputs), len(ours.Outputs))
	}
	for i, in := range theirs.Inputs {
		o := ours.Inputs[i]
		if in.Prevout != o.Outpoint || in.Value != o.Amount || in.Address != o.Address || in.Sequence != o.Sequence {
			t.Errorf("input %d: Electrum %s %d sat %s seq %d; airsign %s %d sat %s seq %d", i, in.Prevout, in.Value, in.Address, in.Sequence, o.Outpoint, o.Amount, o.Address, o.Sequence)
		}
	}
	for i, out := range theirs.Outputs {
		o := ours.Outputs[i]
		if out.Address != o.Address || out.Value != o.Amount {
			t.Errorf("output %d: Electrum %s %d sat; airsign %s %d sat", i, out.Address, out.Value, o.Address, o.Amount)
		}
	}
}

// TestInteropElectrumSignsWeFinalize: a PSBT Electrum signed — with its
// partial signatures, and as Electrum writes it (already finalized) — is
// read by airsign-offline inspect, finalized and extracted by the psbt
// package, and the transaction passes btcd's script engine.
func TestInteropElectrumSignsWeFinalize(t *testing.T) {
	e := newElectrum(t)
	dir, unsigned := interopSetup(t)

	partial := electrumSign(t, e, unsigned, false)
	final := electrumSign(t, e, unsigned, true)
	for _, c := range []struct {
		name      string
		s         electrumSigned
		finalized bool
	}{{"partial-signatures", partial, false}, {"finalized-by-electrum", final, true}} {
		t.Run(c.name, func(t *testing.T) {
			raw, err := base64.StdEncoding.DecodeString(c.s.PSBT)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, c.name+".psbt"), raw, 0o644); err != nil {
				t.Fatal(err)
			}
			a := inspect(t, dir, c.name+".psbt")
			for i, in := range a.Inputs {
				if c.finalized && !in.Finalized || !c.finalized && in.Signatures != 1 {
					t.Errorf("inspect: input %d shows %d signature(s), finalized %v", i, in.Signatures, in.Finalized)
				}
			}
			tx := finalizeExtract(t, raw)
			verifyTx(t, tx, unsigned)
			if got := txHex(t, tx); got != final.TxHex {
				t.Errorf("the transaction airsign extracts differs from the one Electrum finalized:\n airsign  %s\n Electrum %s", got, final.TxHex)
			}
		})
	}
}

// TestInteropWeSignElectrumFinalizes: airsign-offline signs; an Electrum
// watch-only wallet of the xpub airsign exports finalizes; the transaction
// verifies and is the one Electrum makes when it signs itself.
func TestInteropWeSignElectrumFinalizes(t *testing.T) {
	e := newElectrum(t)
	dir, unsigned := interopSetup(t)
	a := inspect(t, dir, "unsigned.psbt")
	offline(t, dir, "sign", "unsigned.psbt", "--mnemonic-file", "mnemonic.txt", "--confirm", a.Digest, "--out", "signed.psbt")
	signed, err := os.ReadFile(filepath.Join(dir, "signed.psbt"))
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range inspect(t, dir, "signed.psbt").Inputs {
		if in.Signatures != 1 || in.Finalized {
			t.Fatalf("airsign's signed PSBT: input %d has %d signature(s), finalized %v; want 1 partial signature for Electrum to finalize", i, in.Signatures, in.Finalized)
		}
	}

	xpub := exportedXPub(t, dir, "wpkh")
	var fin struct {
		Complete bool   `json:"complete"`
		TxHex    string `json:"txhex"`
	}
	e.call(t, "finalize", map[string]any{"psbt": base64.StdEncoding.EncodeToString(signed), "network": "regtest", "xpub": xpub, "script": "p2wpkh"}, &fin)
	if !fin.Complete {
		t.Fatal("Electrum could not finalize airsign's signed PSBT")
	}
	raw, err := hex.DecodeString(fin.TxHex)
	if err != nil {
		t.Fatal(err)
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatalf("Electrum's transaction: %v", err)
	}
	verifyTx(t, &tx, unsigned)
	if ours := txHex(t, finalizeExtract(t, signed)); ours != fin.TxHex {
		t.Errorf("Electrum's finalization differs from airsign's:\n Electrum %s\n airsign  %s", fin.TxHex, ours)
	}
	compareSignatures(t, &tx, electrumSign(t, e, unsigned, true).TxHex)
}

// compareSignatures checks airsign's ECDSA signatures in tx against the
// ones Electrum makes for the same inputs. Both derive the nonce by RFC
// 6979; Electrum, like Bitcoin Core, then grinds for a low R (a 32-byte r,
// one byte shorter), while btcd's ecdsa.Sign takes the first nonce. So
// where airsign's signature has a low R it must be Electrum's exactly, and
// Electrum's signatures must all have a low R.
func compareSignatures(t *testing.T, ours *wire.MsgTx, electrumHex string) {
	t.Helper()
	raw, err := hex.DecodeString(electrumHex)
	if err != nil {
		t.Fatal(err)
	}
	var theirs wire.MsgTx
	if err := theirs.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	same := 0
	for i := range ours.TxIn {
		a, b := ours.TxIn[i].Witness, theirs.TxIn[i].Witness
		if len(a) != 2 || len(b) != 2 || !bytes.Equal(a[1], b[1]) {
			t.Fatalf("input %d: witnesses are not both [signature, the same key]", i)
		}
		if !lowR(b[0]) {
			t.Errorf("input %d: Electrum's signature has a high R; it grinds for low R", i)
		}
		switch {
		case lowR(a[0]) && !bytes.Equal(a[0], b[0]):
			t.Errorf("input %d: airsign's low-R signature differs from Electrum's (RFC 6979 should give the same):\n airsign  %x\n Electrum %x", i, a[0], b[0])
		case lowR(a[0]):
			same++
		default:
			t.Logf("input %d: airsign's signature has a high R (%d bytes), Electrum ground to a low R (%d bytes); both valid", i, len(a[0]), len(b[0]))
		}
	}
	if same == 0 {
		t.Log("no input had a low-R first nonce: nothing compared byte for byte")
	}
}

// lowR reports whether a DER signature (with its sighash byte) has an r of
// at most 32 bytes.
func lowR(sig []byte) bool { return len(sig) > 4 && sig[3] <= 32 }

// TestInteropSignedQRChain: `sign --qr` frames are read by zbar, joined by
// bc-ur, and finalized by Electrum: the whole way back to an online
// Electrum wallet without any airsign code.
func TestInteropSignedQRChain(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		interoptest.Unavailable(t, "zbarimg (Debian zbar-tools) is not installed")
	}
	ref := interoptest.NewNode(t, "@ngraveio/bc-ur")
	e := newElectrum(t)
	dir, unsigned := interopSetup(t)
	a := inspect(t, dir, "unsigned.psbt")
	offline(t, dir, "sign", "unsigned.psbt", "--mnemonic-file", "mnemonic.txt", "--confirm", a.Digest, "--qr", "frames", "--qr-split")
	pngs, _ := filepath.Glob(filepath.Join(dir, "frames", "*.png"))
	sort.Strings(pngs)
	if len(pngs) < 2 {
		t.Fatalf("sign --qr-split wrote %d frames", len(pngs))
	}
	var texts []string
	for _, p := range pngs {
		out, err := exec.Command("zbarimg", "--raw", "-q", p).Output()
		if err != nil {
			t.Fatalf("zbarimg %s: %v", filepath.Base(p), err)
		}
		texts = append(texts, strings.Fields(string(out))...)
	}
	var dec struct {
		Type       string `json:"type"`
		PayloadHex string `json:"payloadHex"`
	}
	// Backwards, so bc-ur meets the fountain frames first.
	for i, j := 0, len(texts)-1; i < j; i, j = i+1, j-1 {
		texts[i], texts[j] = texts[j], texts[i]
	}
	ref.MustCall(t, "ur-decode", map[string]any{"parts": texts}, &dec)
	if dec.Type != "crypto-psbt" {
		t.Fatalf("bc-ur read UR type %q; want crypto-psbt", dec.Type)
	}
	signed, err := hex.DecodeString(dec.PayloadHex)
	if err != nil {
		t.Fatal(err)
	}
	var fin struct {
		Complete bool   `json:"complete"`
		TxHex    string `json:"txhex"`
	}
	e.call(t, "finalize", map[string]any{"psbt": base64.StdEncoding.EncodeToString(signed), "network": "regtest", "xpub": exportedXPub(t, dir, "wpkh"), "script": "p2wpkh"}, &fin)
	if !fin.Complete {
		t.Fatal("Electrum could not finalize the PSBT read from airsign's QR frames")
	}
	if ours := txHex(t, finalizeExtract(t, signed)); ours != fin.TxHex {
		t.Errorf("Electrum's finalization differs from airsign's")
	}
	var tx wire.MsgTx
	raw, _ := hex.DecodeString(fin.TxHex)
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	verifyTx(t, &tx, unsigned)
}

// TestInteropBTCSigner: @scure/btc-signer, a second PSBT implementation and
// one that does taproot (which Electrum 4.3 cannot), for the BIP84 p2wpkh
// and the BIP86 taproot wallet: it reads airsign's PSBT (txid, inputs,
// outputs, fee as inspect shows them); it signs, and airsign-offline
// inspect, psbt.Finalize/Extract accept its PSBT and btcd's engine
// verifies; airsign-offline signs, and it finalizes to the very
// transaction psbt.Finalize/Extract make. Its ECDSA is RFC 6979 without
// low-R grinding, like btcd's, so for p2wpkh its signatures must be
// airsign's byte for byte; its Schnorr signatures use random aux data, so
// for taproot they only have to verify.
func TestInteropBTCSigner(t *testing.T) {
	ref := interoptest.NewNode(t, "@scure/btc-signer", "@scure/bip32")
	seed, err := bip39.Seed([]byte(interopMnemonic), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, taproot := range []bool{false, true} {
		name := map[bool]string{false: "wpkh", true: "tr"}[taproot]
		t.Run(name, func(t *testing.T) {
			dir, _ := interopSetup(t)
			unsigned := interopPSBT(t, taproot)
			if err := os.WriteFile(filepath.Join(dir, "unsigned.psbt"), unsigned, 0o644); err != nil {
				t.Fatal(err)
			}
			ours := inspect(t, dir, "unsigned.psbt")

			var read struct {
				TxID   string `json:"txid"`
				Inputs []struct {
					TxID     string `json:"txid"`
					Index    uint32 `json:"index"`
					Amount   int64  `json:"amount"`
					Sequence uint32 `json:"sequence"`
				} `json:"inputs"`
				Outputs []struct {
					Script string `json:"script"`
					Amount int64  `json:"amount"`
				} `json:"outputs"`
				Fee int64 `json:"fee"`
			}
			ref.MustCall(t, "psbt-inspect", map[string]any{"psbtHex": hex.EncodeToString(unsigned)}, &read)
			if read.TxID != ours.TxID || read.Fee != ours.Fee || len(read.Inputs) != len(ours.Inputs) || len(read.Outputs) != len(ours.Outputs) {
				t.Fatalf("btc-signer reads txid %s, fee %d, %d inputs, %d outputs; airsign %s, %d, %d, %d",
					read.TxID, read.Fee, len(read.Inputs), len(read.Outputs), ours.TxID, ours.Fee, len(ours.Inputs), len(ours.Outputs))
			}
			for i, in := range read.Inputs {
				o := ours.Inputs[i]
				if fmt.Sprintf("%s:%d", in.TxID, in.Index) != o.Outpoint || in.Amount != o.Amount || in.Sequence != o.Sequence {
					t.Errorf("input %d: btc-signer %s:%d %d sat seq %d; airsign %s %d sat seq %d", i, in.TxID, in.Index, in.Amount, in.Sequence, o.Outpoint, o.Amount, o.Sequence)
				}
			}
			for i, out := range read.Outputs {
				if out.Script != scriptOf(t, ours.Outputs[i].Address) || out.Amount != ours.Outputs[i].Amount {
					t.Errorf("output %d: btc-signer %s %d sat; airsign %s %d sat", i, out.Script, out.Amount, ours.Outputs[i].Address, ours.Outputs[i].Amount)
				}
			}

			// They sign, we finalize.
			var signed struct {
				PSBTHex string `json:"psbtHex"`
				Signed  int    `json:"signed"`
			}
			ref.MustCall(t, "psbt-sign", map[string]any{"psbtHex": hex.EncodeToString(unsigned), "seedHex": hex.EncodeToString(seed)}, &signed)
			if signed.Signed != 3 {
				t.Fatalf("btc-signer signed %d of 3 inputs", signed.Signed)
			}
			theirPSBT, err := hex.DecodeString(signed.PSBTHex)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "theirs.psbt"), theirPSBT, 0o644); err != nil {
				t.Fatal(err)
			}
			for i, in := range inspect(t, dir, "theirs.psbt").Inputs {
				if in.Signatures != 1 {
					t.Errorf("inspect of btc-signer's PSBT: input %d shows %d signature(s)", i, in.Signatures)
				}
			}
			theirTx := finalizeExtract(t, theirPSBT)
			verifyTx(t, theirTx, unsigned)

			// We sign, they finalize.
			offline(t, dir, "sign", "unsigned.psbt", "--mnemonic-file", "mnemonic.txt", "--confirm", ours.Digest, "--out", "signed.psbt")
			ourPSBT, err := os.ReadFile(filepath.Join(dir, "signed.psbt"))
			if err != nil {
				t.Fatal(err)
			}
			var fin struct {
				TxHex string `json:"txHex"`
			}
			ref.MustCall(t, "psbt-finalize", map[string]any{"psbtHex": hex.EncodeToString(ourPSBT)}, &fin)
			ourTx := finalizeExtract(t, ourPSBT)
			if txHex(t, ourTx) != fin.TxHex {
				t.Fatalf("btc-signer finalized airsign's PSBT to a different transaction:\n btc-signer %s\n airsign    %s", fin.TxHex, txHex(t, ourTx))
			}
			verifyTx(t, ourTx, unsigned)
			if !taproot && txHex(t, theirTx) != txHex(t, ourTx) {
				t.Errorf("p2wpkh: btc-signer's RFC 6979 signatures differ from airsign's:\n btc-signer %s\n airsign    %s", txHex(t, theirTx), txHex(t, ourTx))
			}
		})
	}
}

// exportedXPub is the account xpub inside `export descriptor --type kind`.
func exportedXPub(t *testing.T, dir, kind string) string {
	t.Helper()
	desc := strings.TrimSpace(offline(t, dir, "export", "descriptor", "--type", kind, "--mnemonic-file", "mnemonic.txt"))
	i := strings.Index(desc, "]")
	j := strings.Index(desc, "/<0;1>")
	if i < 0 || j < i {
		t.Fatalf("export descriptor printed %q: no [origin]xpub/<0;1>/*", desc)
	}
	return desc[i+1 : j]
}

func finalizeExtract(t *testing.T, raw []byte) *wire.MsgTx {
	t.Helper()
	p, err := psbt.Decode(raw)
	if err != nil {
		t.Fatalf("psbt.Decode: %v", err)
	}
	if err := psbt.Finalize(p); err != nil {
		t.Fatalf("psbt.Finalize: %v", err)
	}
	tx, err := psbt.Extract(p)
	if err != nil {
		t.Fatalf("psbt.Extract: %v", err)
	}
	return tx
}

func txHex(t *testing.T, tx *wire.MsgTx) string {
	t.Helper()
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b.Bytes())
}

// verifyTx runs btcd's script engine on every input of tx, spending the
// coins described in the unsigned PSBT.
func verifyTx(t *testing.T, tx *wire.MsgTx, unsigned []byte) {
	t.Helper()
	p, err := psbt.Decode(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	if tx.TxHash().String() != p.TxID() {
		t.Fatalf("signed transaction %s is not the PSBT's %s", tx.TxHash(), p.TxID())
	}
	a := psbt.Analyze(p, &chaincfg.RegressionNetParams, 0, nil)
	fetcher := txscript.NewMultiPrevOutFetcher(nil)
	for i, in := range a.Inputs {
		script, err := hex.DecodeString(scriptOf(t, in.Address))
		if err != nil {
			t.Fatal(err)
		}
		fetcher.AddPrevOut(tx.TxIn[i].PreviousOutPoint, wire.NewTxOut(in.Amount, script))
	}
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, txIn := range tx.TxIn {
		prev := fetcher.FetchPrevOutput(txIn.PreviousOutPoint)
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
		if err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		if err := vm.Execute(); err != nil {
			t.Fatalf("input %d does not verify: %v", i, err)
		}
	}
}

func scriptOf(t *testing.T, address string) string {
	t.Helper()
	addr, err := btcutil.DecodeAddress(address, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	s, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(s)
}

// TestInteropDescriptors: for wpkh, sh(wpkh) and tr on mainnet, testnet
// and regtest, the BIP380 checksum of `export descriptor` is the reference
// implementation's (of the multipath text and of each branch's), and the
// first receive and change addresses the reference derives are the ones
// airsign derives (psbt/descriptor, and `airsign-offline address` for
// index 0). Electrum derives the same addresses from the exported xpub for
// wpkh and sh(wpkh); Electrum 4.3 has no taproot, so tr is checked against
// the reference only. Each tool is called once, with every case.
func TestInteropDescriptors(t *testing.T) {
	ref := interoptest.NewNode(t, "@bitcoinerlab/descriptors")
	e := maybeElectrum(t)
	dir, _ := interopSetup(t)
	const count = 4
	type item struct {
		network, kind, electrum string
		text                    string
		d                       *descriptor.Descriptor
		branch                  [2]string // single-branch descriptors
		cli                     [2]string // airsign-offline address --index 0 [--change]
	}
	var items []*item
	var texts []string
	var refItems, elItems []map[string]any
	for _, network := range []string{"mainnet", "testnet", "regtest"} {
		params := map[string]*chaincfg.Params{"mainnet": &chaincfg.MainNetParams, "testnet": &chaincfg.TestNet3Params, "regtest": &chaincfg.RegressionNetParams}[network]
		for _, kind := range []struct{ flag, electrum string }{{"wpkh", "p2wpkh"}, {"sh-wpkh", "p2wpkh-p2sh"}, {"tr", ""}} {
			it := &item{network: network, kind: kind.flag, electrum: kind.electrum}
			it.text = strings.TrimSpace(offline(t, dir, "--network", network, "export", "descriptor", "--type", kind.flag, "--mnemonic-file", "mnemonic.txt"))
			body, _, ok := strings.Cut(it.text, "#")
			if !ok || !strings.Contains(body, "/<0;1>/*") {
				t.Fatalf("%s %s: export descriptor printed %q; want a multipath descriptor with #checksum", network, kind.flag, it.text)
			}
			texts = append(texts, body)
			d, err := descriptor.ParseStrict(it.text, params)
			if err != nil {
				t.Fatal(err)
			}
			it.d = d
			refNet := map[string]string{"mainnet": "bitcoin"}[network]
			if refNet == "" {
				refNet = network
			}
			for branch := range 2 {
				if it.branch[branch], err = d.StringFor(uint32(branch)); err != nil {
					t.Fatal(err)
				}
				refItems = append(refItems, map[string]any{"descriptor": it.branch[branch], "network": refNet, "count": count})
				args := []string{"--network", network, "address", "--type", kind.flag, "--index", "0", "--mnemonic-file", "mnemonic.txt"}
				if branch == 1 {
					args = append(args, "--change")
				}
				if f := strings.Fields(offline(t, dir, args...)); len(f) > 0 {
					it.cli[branch] = f[len(f)-1]
				}
			}
			if kind.electrum != "" {
				elItems = append(elItems, map[string]any{"xpub": d.Keys()[0].XPub.String(), "script": kind.electrum, "network": network, "count": count})
			}
			items = append(items, it)
		}
	}

	var sums struct {
		Checksums []string `json:"checksums"`
	}
	ref.MustCall(t, "checksum", map[string]any{"texts": texts}, &sums)
	type derived struct {
		Checksum  string   `json:"checksum"`
		Addresses []string `json:"addresses"`
	}
	var refAns struct {
		Results []derived `json:"results"`
	}
	// The library verifies each single-branch descriptor's checksum itself.
	ref.MustCall(t, "descriptors", map[string]any{"items": refItems}, &refAns)
	var elAns struct {
		Results []struct{ Receive, Change []string } `json:"results"`
	}
	if e != nil {
		e.call(t, "addresses", map[string]any{"items": elItems}, &elAns)
	}
	if len(sums.Checksums) != len(items) || len(refAns.Results) != 2*len(items) || e != nil && len(elAns.Results) != len(elItems) {
		t.Fatalf("the reference answered %d checksums and %d derivations, Electrum %d, for %d descriptors", len(sums.Checksums), len(refAns.Results), len(elAns.Results), len(items))
	}

	elNext := 0
	for n, it := range items {
		t.Run(it.network+"/"+it.kind, func(t *testing.T) {
			if _, sum, _ := strings.Cut(it.text, "#"); sum != sums.Checksums[n] {
				t.Errorf("checksum of %s: ours #%s, reference #%s", it.text, sum, sums.Checksums[n])
			}
			var el []struct{ Receive, Change []string }
			if e != nil && it.electrum != "" {
				el = elAns.Results[elNext : elNext+1]
				elNext++
			}
			for branch := range 2 {
				got := refAns.Results[2*n+branch]
				if _, s, _ := strings.Cut(it.branch[branch], "#"); s != got.Checksum {
					t.Errorf("branch %d checksum: ours #%s, reference #%s", branch, s, got.Checksum)
				}
				if len(got.Addresses) != count {
					t.Fatalf("the reference derived %d addresses", len(got.Addresses))
				}
				for i, addr := range got.Addresses {
					der, err := it.d.Derive(uint32(branch), uint32(i))
					if err != nil {
						t.Fatal(err)
					}
					if der.Address.String() != addr {
						t.Errorf("%d/%d: reference %s, airsign %s", branch, i, addr, der.Address)
					}
				}
				// Anchors: the published BIP84 and BIP86 vectors for
				// this mnemonic, so that all sides cannot be wrong
				// together.
				if want := bipVectors[it.network+"/"+it.kind]; branch == 0 && want != "" && got.Addresses[0] != want {
					t.Errorf("first receive address %s; the BIP's test vector is %s", got.Addresses[0], want)
				}
				if it.cli[branch] != got.Addresses[0] {
					t.Errorf("airsign-offline address (branch %d) printed %q; reference %s", branch, it.cli[branch], got.Addresses[0])
				}
				if el != nil {
					ea := el[0].Receive
					if branch == 1 {
						ea = el[0].Change
					}
					if strings.Join(ea, " ") != strings.Join(got.Addresses, " ") {
						t.Errorf("branch %d: Electrum derives %v from the exported xpub, the reference %v", branch, ea, got.Addresses)
					}
				}
			}
		})
	}
}

// bipVectors are the first receive addresses of "abandon … about" in the
// BIP84 and BIP86 test vectors.
var bipVectors = map[string]string{
	"mainnet/wpkh": "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
	"mainnet/tr":   "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr",
}

// maybeElectrum is newElectrum for a test that can do without it; it is
// required only under AIRSIGN_INTEROP=1.
func maybeElectrum(t *testing.T) *electrum {
	t.Helper()
	if os.Getenv("AIRSIGN_INTEROP") == "1" {
		return newElectrum(t)
	}
	py := os.Getenv("AIRSIGN_INTEROP_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if exec.Command(py, "-I", "-c", "import electrum").Run() != nil {
		t.Log("Electrum is not installed: addresses are checked against the npm reference only")
		return nil
	}
	return newElectrum(t)
}
