package psbt

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// The attack corpus: one malicious PSBT per case of issue 6, made with btcd
// from the fixed test key by TestGenerateAttacks (go test ./psbt -run
// TestGenerateAttacks -update), and the refusal each must get. TestAttacks
// reads the files back and checks the refusal through Decode, through
// Analyze with the policy, and through Sign, which must refuse on its own.

// want is one problem the analysis must report.
type want struct {
	code     Code
	input    int // -1 if not about an input
	output   int // -1 if not about an output
	severity Severity
	fragment string // part of the message the operator reads
}

func refuseIn(code Code, i int, fragment string) want {
	return want{code, i, -1, Refuse, fragment}
}

func refuseOut(code Code, i int, fragment string) want {
	return want{code, -1, i, Refuse, fragment}
}

func refuseTx(code Code, fragment string) want { return want{code, -1, -1, Refuse, fragment} }

type attack struct {
	name string
	// what the case is, for testdata/attacks/README.md
	about string
	build func(t testing.TB, k *kit) []byte
	// policy adjusts DefaultPolicy for this case.
	policy func(*Policy)
	// decodeErr, if set, is a fragment of the error Decode must return.
	decodeErr string
	want      []want
	// signs is true for a case that only warns: Sign must then succeed.
	signs bool
	// wallet is what the signer compares change against (bothWallets
	// unless set).
	wallet walletMode
	// external and change list the outputs that must come out EXTERNAL
	// and verified change.
	external, change []int
}

// encodePacket serializes with btcd directly, so that the corpus can hold
// what our own encoder would never write.
func encodePacket(t testing.TB, p *btcpsbt.Packet) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := p.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mutate builds the honest payment and lets f change btcd's packet.
func mutate(f func(t testing.TB, k *kit, p *btcpsbt.Packet)) func(testing.TB, *kit) []byte {
	return func(t testing.TB, k *kit) []byte {
		p := k.honest(t)
		f(t, k, p.p)
		return encodePacket(t, p.p)
	}
}

// withOutputs builds a one-input payment with the given outputs.
func withOutputs(outs func(t testing.TB, k *kit) []OutputSpec) func(testing.TB, *kit) []byte {
	return func(t testing.TB, k *kit) []byte {
		p := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000)}, outs(t, k))
		return encodePacket(t, p.p)
	}
}

// twoCoinsTx pays 1 BTC to our wpkh 0/0, 0.5 BTC to wpkh 0/1 and 0.7 BTC to
// tr 0/0: one previous transaction, three of our coins.
func twoCoinsTx(t testing.TB, k *kit) (*wire.MsgTx, []InputSpec) {
	a := k.derive(t, k.wpkh, 0, 0)
	b := k.derive(t, k.wpkh, 0, 1)
	c := k.derive(t, k.tr, 0, 0)
	tx := prevTx(7, wire.NewTxOut(100_000_000, a.Script), wire.NewTxOut(50_000_000, b.Script), wire.NewTxOut(70_000_000, c.Script))
	seq := wire.MaxTxInSequenceNum - 2
	return tx, []InputSpec{
		{PrevTx: tx, Vout: 0, Sequence: seq, Keys: origin(a)},
		{PrevTx: tx, Vout: 1, Sequence: seq, Keys: origin(b)},
		{PrevTx: tx, Vout: 2, Sequence: seq, Keys: origin(c), Taproot: true},
	}
}

// otherTypePayment spends our key of BIP84 0/0 in a P2SH-P2WPKH coin (our
// key, another script type than its path's purpose), with change at BIP84
// 1/0.
func otherTypePayment(t testing.TB, k *kit) []byte {
	der := k.derive(t, k.wpkh, 0, 0)
	redeem := append([]byte{txscript.OP_0, 20}, btcutil.Hash160(der.Keys[0].PubKey)...)
	script, err := txscript.PayToAddrScript(mustP2SH(t, redeem))
	if err != nil {
		t.Fatal(err)
	}
	in := InputSpec{PrevTx: prevTx(12, wire.NewTxOut(100_000_000, script)), Sequence: wire.MaxTxInSequenceNum - 2, Keys: origin(der), RedeemScript: redeem}
	p := mustBuild(t, []InputSpec{in}, []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 69_998_590)})
	return encodePacket(t, p.p)
}

// mustP2SH is the P2SH address of a redeem script.
func mustP2SH(t testing.TB, redeem []byte) btcutil.Address {
	t.Helper()
	a, err := btcutil.NewAddressScriptHash(redeem, regtest)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// keyAt derives our key at an arbitrary path (for paths no descriptor of the
// wallet has).
func keyAt(t testing.TB, k *kit, path ...uint32) []byte {
	t.Helper()
	n := k.master
	for _, s := range path {
		var err error
		if n, err = n.Derive(s); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := n.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub.SerializeCompressed()
}

const hard = hdkeychain.HardenedKeyStart

// setChangePath rewrites output 1's derivation path (keeping its key).
func setChangePath(path ...uint32) func(testing.TB, *kit, *btcpsbt.Packet) {
	return func(t testing.TB, k *kit, p *btcpsbt.Packet) {
		p.Outputs[1].Bip32Derivation[0].Bip32Path = path
	}
}

func attacks() []attack {
	return append([]attack{
		{
			name:  "missing-non-witness-utxo",
			about: "segwit v0 input with only its witness_utxo (CVE-2020-14199)",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) { p.Inputs[0].NonWitnessUtxo = nil }),
			want:  []want{refuseIn("missing-non-witness-utxo", 0, "CVE-2020-14199")},
		},
		{
			name:  "non-witness-utxo-txid",
			about: "non_witness_utxo is another transaction than the outpoint's",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.Inputs[0].NonWitnessUtxo = prevTx(99, wire.NewTxOut(100_000_000, k.derive(t, k.wpkh, 0, 0).Script))
			}),
			want: []want{refuseIn("non-witness-utxo-mismatch", 0, "its previous transaction has txid"), refuseTx("fee-unknown", "fee cannot be known")},
		},
		{
			name:  "witness-utxo-amount",
			about: "witness_utxo says 2 BTC, the previous transaction's output 1 BTC",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) { p.Inputs[0].WitnessUtxo.Value = 200_000_000 }),
			want:  []want{refuseIn("witness-utxo-mismatch", 0, "disagrees with output 0 of its previous transaction")},
		},
		{
			name:  "vout-out-of-range",
			about: "the outpoint names output 7 of a transaction with 1 output",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) { p.UnsignedTx.TxIn[0].PreviousOutPoint.Index = 7 }),
			want:  []want{refuseIn("vout-out-of-range", 0, "spends output 7 of a transaction that has only 1 output(s)")},
		},
		{
			name:  "utxo-conflict",
			about: "input 1 (taproot, witness_utxo only) understates a coin whose real amount input 0's previous transaction shows",
			build: func(t testing.TB, k *kit) []byte {
				_, ins := twoCoinsTx(t, k)
				p := mustBuild(t, []InputSpec{ins[0], ins[2]}, []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 76_990_000)})
				p.p.Inputs[1].WitnessUtxo.Value = 7_000_000
				return encodePacket(t, p.p)
			},
			want: []want{refuseIn("utxo-conflict", 1, "worth 0.07000000 BTC, but input 0's data says 0.70000000 BTC")},
		},
		{
			name:  "duplicate-input",
			about: "the same coin spent by inputs 0 and 1",
			build: func(t testing.TB, k *kit) []byte {
				in := k.wpkhCoin(t, 1, 0, 0, 100_000_000)
				p := mustBuild(t, []InputSpec{in, in}, []OutputSpec{k.pay(130_000_000), k.change(t, k.wpkh, 0, 69_990_000)})
				return encodePacket(t, p.p)
			},
			want: []want{refuseIn("duplicate-input", 1, "spends the same coin as input 0")},
		},
		{
			name:  "change-path-depth",
			about: "change claimed at m/84h/1h/0h/1/0/5: one step too deep",
			build: mutate(setChangePath(84+hard, 1+hard, 0+hard, 1, 0, 5)),
			want:  []want{refuseOut("change-path", 1, "has 6 steps where a BIP84 address has 5")},
		},
		{
			name:  "change-path-hardened",
			about: "change claimed at m/84h/1h/0h/1h/0: hardened branch",
			build: mutate(setChangePath(84+hard, 1+hard, 0+hard, 1+hard, 0)),
			want:  []want{refuseOut("change-path", 1, "ends in hardened steps")},
		},
		{
			name:  "change-path-branch",
			about: "change claimed at m/84h/1h/0h/7/0: branch 7",
			build: mutate(setChangePath(84+hard, 1+hard, 0+hard, 7, 0)),
			want:  []want{refuseOut("change-path", 1, "has branch 7")},
		},
		{
			name:  "change-index-far",
			about: "genuine change at m/84h/1h/0h/1/5000, far beyond the inputs' index 0 plus the gap",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				return []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 5000, 69_998_590)}
			}),
			want: []want{refuseOut("change-index-far", 1, "address index 5000, beyond 1000")},
		},
		{
			name:  "pay-anchor",
			about: "0.3 BTC to pay-to-anchor (OP_1 <4e73>), a standard output anyone can spend",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				return []OutputSpec{{PkScript: []byte{txscript.OP_1, 2, 0x4e, 0x73}, Amount: 30_000_000}, k.change(t, k.wpkh, 0, 69_998_590)}
			}),
			want: []want{refuseOut("anyone-can-spend", 0, "pay-to-anchor (P2A) output, which anyone can take")},
		},
		{
			name:  "pay-segwit-v2",
			about: "0.3 BTC to a segwit version 2 program: a bech32m address, but no rule guards it yet",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				return []OutputSpec{{PkScript: append([]byte{txscript.OP_2, 32}, bytes.Repeat([]byte{7}, 32)...), Amount: 30_000_000}, k.change(t, k.wpkh, 0, 69_998_590)}
			}),
			want: []want{refuseOut("anyone-can-spend", 0, "segwit version 2 output")},
		},
		{
			name:  "pay-empty-script",
			about: "0.3 BTC to an empty output script",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				return []OutputSpec{{PkScript: []byte{}, Amount: 30_000_000}, k.change(t, k.wpkh, 0, 69_998_590)}
			}),
			want: []want{refuseOut("anyone-can-spend", 0, "an empty script")},
		},
		{
			name:     "input-our-key-other-type",
			about:    "our key of BIP84 0/0 in a P2SH-P2WPKH coin, with change at BIP84 1/0: no BIP84 account is provably spent, so without an enrolled wallet the change is EXTERNAL, before the key as after",
			build:    otherTypePayment,
			want:     []want{warnOut("change-outside-wallet", 1, "outside the wallet this transaction spends from")},
			signs:    true,
			wallet:   keyOnly,
			external: []int{0, 1},
		},
		{
			name:   "input-other-type-enrolled",
			about:  "our key of BIP84 0/0 in a P2SH-P2WPKH coin, spent with the BIP84 wallet enrolled: not this wallet's coin",
			build:  otherTypePayment,
			want:   []want{refuseIn("not-wallet-coin", 0, "the coin's script is not our wallet's address there")},
			wallet: enrolledWPKH,
		},
		{
			name:  "input-taproot-script-tree",
			about: "a taproot coin of our internal key whose output key commits to a script tree (the attacker's), its merkle root given: someone else can spend it too",
			build: func(t testing.TB, k *kit) []byte {
				der := k.derive(t, k.tr, 0, 0)
				internal, err := schnorr.ParsePubKey(der.TaprootInternalKey)
				if err != nil {
					t.Fatal(err)
				}
				root := bytes.Repeat([]byte{0x42}, 32)
				script := p2trScript(txscript.ComputeTaprootOutputKey(internal, root))
				in := InputSpec{PrevTx: prevTx(13, wire.NewTxOut(100_000_000, script)), Sequence: wire.MaxTxInSequenceNum - 2, Keys: origin(der), Taproot: true}
				p := mustBuild(t, []InputSpec{in}, []OutputSpec{k.pay(30_000_000), k.change(t, k.tr, 0, 69_998_590)})
				p.p.Inputs[0].TaprootMerkleRoot = root
				return encodePacket(t, p.p)
			},
			want: []want{refuseIn("taproot-script-path", 0, "commits to a script tree")},
		},
		{
			name:  "change-wpkh-at-taproot-path",
			about: "our key's P2WPKH output claimed as change at BIP86 1/0: a restored taproot wallet would never look for it",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				tr := k.derive(t, k.tr, 1, 0)
				key := keyAt(t, k, tr.Keys[0].Path...)
				return []OutputSpec{k.pay(30_000_000), {PkScript: p2wpkhScript(key), Amount: 69_998_590,
					Keys: []KeyOrigin{{PubKey: key, Fingerprint: k.fp, Path: tr.Keys[0].Path}}}}
			}),
			want: []want{refuseOut("change-path", 1, "pays a p2wpkh script where that path's purpose has p2tr addresses")},
		},
		{
			name:  "signature-forged-ours",
			about: "a signature filed under our key that does not verify (the online side's forgery): it must not pass for \"already signed\"; ours replaces it",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				// Well formed (DER, ALL), made by the attacker's key over
				// another message: it verifies for nothing here.
				h := chainhash.HashB([]byte("not this transaction"))
				forged := append(ecdsa.Sign(k.attackerKey, h).Serialize(), byte(txscript.SigHashAll))
				p.Inputs[0].PartialSigs = []*btcpsbt.PartialSig{{PubKey: p.Inputs[0].Bip32Derivation[0].PubKey, Signature: forged}}
			}),
			want:  []want{{CodeBadSignature, 0, -1, Warn, "does not verify against this transaction"}},
			signs: true,
		},
		{
			name:  "change-index-huge",
			about: "genuine change at m/84h/1h/0h/1/1048576: as far beyond with or without an enrolled wallet",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				return []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 1<<20, 69_998_590)}
			}),
			want: []want{refuseOut("change-index-far", 1, "address index 1048576, beyond 1000")},
		},
		{
			name:  "change-index-far-dust-input",
			about: "change at m/84h/1h/0h/1/2000500, \"justified\" by a dust coin the online side paid to our receive address 0/2000000 and spends here: alone so far out, it proves no restore reaches there",
			build: func(t testing.TB, k *kit) []byte {
				p := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000), k.wpkhCoin(t, 2, 0, 2_000_000, 1_000)},
					[]OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 2_000_500, 69_999_000)})
				return encodePacket(t, p.p)
			},
			want: []want{refuseOut("change-index-far", 1, "address index 2000500, beyond 1000")},
		},
		{
			name:  "input-foreign-key-our-fingerprint",
			about: "a second input, someone else's coin, whose derivation names our fingerprint and path 0/9 with their key: the wallet's key there is another",
			build: func(t testing.TB, k *kit) []byte {
				prev := prevTx(9, wire.NewTxOut(50_000_000, k.attackerP2WPKH))
				path := []uint32{84 + hard, 1 + hard, 0 + hard, 0, 9}
				foreign := InputSpec{PrevTx: prev, Sequence: wire.MaxTxInSequenceNum - 2,
					Keys: []KeyOrigin{{PubKey: k.attackerP2WPKHKey, Fingerprint: k.fp, Path: path}}}
				p := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000), foreign},
					[]OutputSpec{k.pay(130_000_000), k.change(t, k.wpkh, 0, 19_998_000)})
				return encodePacket(t, p.p)
			},
			want: []want{refuseIn("not-wallet-coin", 1, "the key it gives is not our wallet's key there")},
			// Without an enrolled wallet Sign's own check refuses it, once
			// the key is rebuilt (TestSignRefusesKeyNotOurs).
			wallet: enrolledWPKH,
		},
		{
			name:  "change-key-not-in-script",
			about: "our change script at 1/0 with the derivation naming our key at 1/1",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.Outputs[1].Bip32Derivation[0].PubKey = k.derive(t, k.wpkh, 1, 1).Keys[0].PubKey
			}),
			want: []want{refuseOut("key-not-in-script", 1, "the key of that derivation is not in its script")},
		},
		{
			name:  "fake-change",
			about: "an attacker's output dressed as our change: our fingerprint and path 1/0, the attacker's key",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.UnsignedTx.TxOut[1].PkScript = k.attackerP2WPKH
				p.Outputs[1].Bip32Derivation[0].PubKey = k.attackerP2WPKHKey
			}),
			want: []want{refuseOut("fake-change", 1, "our wallet's script there is different")},
		},
		{
			name:  "taproot-change-tweak",
			about: "taproot change whose output key commits to a script tree (the attacker's leaf) on top of our internal key",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				ch := k.change(t, k.tr, 0, 69_998_590)
				der := k.derive(t, k.tr, 1, 0)
				internal, err := schnorr.ParsePubKey(der.TaprootInternalKey)
				if err != nil {
					t.Fatal(err)
				}
				leaf := sha256.Sum256([]byte("attacker's script leaf"))
				ch.PkScript = p2trScript(txscript.ComputeTaprootOutputKey(internal, leaf[:]))
				return []OutputSpec{k.pay(30_000_000), ch}
			}),
			want: []want{refuseOut("taproot-tweak", 1, "not the BIP86 tweak of our key")},
		},
		{
			name:  "sighash-none",
			about: "input 0 asks for SIGHASH_NONE",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) { p.Inputs[0].SighashType = txscript.SigHashNone }),
			want:  []want{refuseIn("sighash", 0, "asks for sighash NONE")},
		},
		{
			name:  "sighash-single-no-output",
			about: "input 1 asks for SIGHASH_SINGLE; there is only output 0",
			build: func(t testing.TB, k *kit) []byte {
				_, ins := twoCoinsTx(t, k)
				p := mustBuild(t, ins[:2], []OutputSpec{k.pay(149_990_000)})
				p.p.Inputs[1].SighashType = txscript.SigHashSingle
				return encodePacket(t, p.p)
			},
			want: []want{refuseIn("sighash-single-no-output", 1, "no output 1"), refuseIn("sighash", 1, "SINGLE")},
		},
		{
			name:  "sighash-undefined",
			about: "input 0 asks for sighash type 0x04, which does not exist",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) { p.Inputs[0].SighashType = 4 }),
			want:  []want{refuseIn("sighash-invalid", 0, "0x4")},
		},
		{
			name:  "taproot-annex",
			about: "input 1 is a taproot input already finalized with a witness carrying an annex",
			build: func(t testing.TB, k *kit) []byte {
				_, ins := twoCoinsTx(t, k)
				p := mustBuild(t, []InputSpec{ins[0], ins[2]}, []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 139_990_000)})
				var w bytes.Buffer
				if err := btcpsbt.WriteTxWitness(&w, [][]byte{bytes.Repeat([]byte{1}, 64), {txscript.TaprootAnnexTag, 0xde, 0xad}}); err != nil {
					t.Fatal(err)
				}
				p.p.Inputs[1].FinalScriptWitness = w.Bytes()
				p.p.Inputs[1].TaprootBip32Derivation = nil
				p.p.Inputs[1].TaprootInternalKey = nil
				return encodePacket(t, p.p)
			},
			want: []want{refuseIn("annex", 1, "taproot annex")},
		},
		{
			name:  "outputs-exceed-inputs",
			about: "outputs worth 2.7 BTC spending a 1 BTC coin",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) { p.UnsignedTx.TxOut[0].Value = 200_000_000 }),
			want:  []want{refuseTx("negative-fee", "are worth more than the inputs")},
		},
		{
			name:  "negative-value",
			about: "output 0 has the amount -1 sat",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) { p.UnsignedTx.TxOut[0].Value = -1 }),
			want:  []want{refuseOut("bad-amount", 0, "amount -1 sat is outside")},
		},
		{
			name:  "overflowing-values",
			about: "two outputs of 21 million BTC each: their sum overflows the money supply",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.UnsignedTx.TxOut[0].Value = btcutil.MaxSatoshi
				p.UnsignedTx.TxOut[1].Value = btcutil.MaxSatoshi
			}),
			want: []want{refuseOut("value-overflow", 1, "more than 21 million BTC")},
		},
		{
			name:  "op-return-value",
			about: "output 0 is an OP_RETURN carrying 0.3 BTC",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.UnsignedTx.TxOut[0].PkScript, _ = txscript.NullDataScript([]byte("burn"))
			}),
			want: []want{refuseOut("op-return-value", 0, "would be burned")},
		},
		{
			name:  "wrong-network-input",
			about: "a coin of our key at the mainnet path m/84h/0h/0h/0/0, offered to a regtest signer",
			build: func(t testing.TB, k *kit) []byte {
				path := []uint32{84 + hard, 0 + hard, 0 + hard, 0, 0}
				pub := keyAt(t, k, path...)
				in := InputSpec{PrevTx: prevTx(3, wire.NewTxOut(100_000_000, p2wpkhScript(pub))), Sequence: wire.MaxTxInSequenceNum - 2,
					Keys: []KeyOrigin{{PubKey: pub, Fingerprint: k.fp, Path: path}}}
				p := mustBuild(t, []InputSpec{in}, []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 69_998_590)})
				return encodePacket(t, p.p)
			},
			want: []want{refuseIn("wrong-network", 0, "uses coin type 0h, not 1h")},
		},
		{
			name:  "wrong-network-change",
			about: "change to our key at the mainnet path m/84h/0h/0h/1/0",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				path := []uint32{84 + hard, 0 + hard, 0 + hard, 1, 0}
				pub := keyAt(t, k, path...)
				return []OutputSpec{k.pay(30_000_000), {PkScript: p2wpkhScript(pub), Amount: 69_998_590, Keys: []KeyOrigin{{PubKey: pub, Fingerprint: k.fp, Path: path}}}}
			}),
			want: []want{refuseOut("wrong-network", 1, "uses coin type 0h")},
		},
		{
			name:  "high-fee-percent",
			about: "a fee of 0.002 BTC on a 0.01 BTC payment (20 %)",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				return []OutputSpec{k.pay(1_000_000), k.change(t, k.wpkh, 0, 98_800_000)}
			}),
			want: []want{{"high-fee", -1, -1, Refuse, "20.0% of the amount sent (more than 10%); check it, then sign again with --allow-high-fee"}},
		},
		{
			name:  "high-fee-rate",
			about: "a fee of 0.02 BTC for 141 vB (14,184 sat/vB, above 0.1 BTC/kvB)",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				return []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 68_000_000)}
			}),
			want: []want{{"high-fee", -1, -1, Refuse, "is above 10000 sat/vB"}},
		},
		{
			name:  "fee-over-hard-cap",
			about: "the same 0.02 BTC fee under a policy capping the fee at 0.001 BTC: refused even with --allow-high-fee",
			build: withOutputs(func(t testing.TB, k *kit) []OutputSpec {
				return []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 68_000_000)}
			}),
			policy: func(p *Policy) { p.MaxFee = 100_000; p.AllowHighFee = true }, // max_fee_sat 100000, --allow-high-fee
			want:   []want{{"fee-cap", -1, -1, Refuse, "above the cap of 0.00100000 BTC"}},
		},
		{
			name:  "input-key-not-in-script",
			about: "input 0 names our key at 0/0 but spends a coin paying our key at 0/1",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.Inputs[0].Bip32Derivation[0].PubKey = k.derive(t, k.wpkh, 0, 1).Keys[0].PubKey
			}),
			want: []want{refuseIn("key-not-in-script", 0, "that key is not in the script of the coin it spends")},
		},
		{
			name:  "missing-utxo",
			about: "input 0 carries neither non_witness_utxo nor witness_utxo",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.Inputs[0].NonWitnessUtxo, p.Inputs[0].WitnessUtxo = nil, nil
			}),
			want: []want{refuseIn("missing-utxo", 0, "carries no data about the coin"), refuseTx("fee-unknown", "fee cannot be known")},
		},
		{
			name:  "duplicate-global-xpub",
			about: "the same PSBT_GLOBAL_XPUB key twice with different derivations (btcd accepts it)",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				key := append([]byte{0x01}, xpubBytes(t, k)...)
				fp := []byte{0x73, 0xc5, 0xda, 0x0a}
				steps := []byte{84, 0, 0, 0x80, 1, 0, 0, 0x80, 0, 0, 0, 0x80}
				p.Unknowns = append(p.Unknowns, &btcpsbt.Unknown{Key: key, Value: append(append([]byte{}, fp...), steps...)})
				other := append([]byte{}, steps...)
				other[4] = 0
				p.Unknowns = append(p.Unknowns, &btcpsbt.Unknown{Key: key, Value: append(append([]byte{}, fp...), other...)})
			}),
			decodeErr: "the global map has the field PSBT_GLOBAL_XPUB (0x01) twice",
		},
		{
			name:  "duplicate-input-field",
			about: "input 0 carries the same proprietary key twice with different values (btcd accepts it)",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				key := append([]byte{0xfc, 4}, []byte("evil")...)
				key = append(key, 0)
				p.Inputs[0].Unknowns = []*btcpsbt.Unknown{{Key: key, Value: []byte{1}}, {Key: key, Value: []byte{2}}}
			}),
			decodeErr: `input 0 has the field PSBT_IN_PROPRIETARY "evil" subtype 0 twice`,
		},
		{
			name:  "version-2-field",
			about: "a PSBT_GLOBAL_TX_VERSION (BIP370) field in a version 0 PSBT",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.Unknowns = append(p.Unknowns, &btcpsbt.Unknown{Key: []byte{0x02}, Value: []byte{2, 0, 0, 0}})
			}),
			decodeErr: "PSBT_GLOBAL_TX_VERSION, a PSBT version 2 field",
		},
		{
			name:  "oversize-field",
			about: "output 0 carries a 70,000-byte proprietary field",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				key := append([]byte{0xfc, 4}, []byte("junk")...)
				p.Outputs[0].Unknowns = []*btcpsbt.Unknown{{Key: append(key, 1), Value: bytes.Repeat([]byte{0xaa}, 70_000)}}
			}),
			want: []want{refuseOut("oversize-field", 0, "is 70000 bytes, more than the 65536-byte limit")},
		},
		{
			name:  "unknown-fields",
			about: "fields airsign does not use (type 0x42 in input 0, a proprietary global field): warned by name, then signed",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.Inputs[0].Unknowns = []*btcpsbt.Unknown{{Key: []byte{0x42, 1, 2}, Value: []byte("?")}}
				p.Unknowns = append(p.Unknowns, &btcpsbt.Unknown{Key: append(append([]byte{0xfc, 7}, []byte("company")...), 3), Value: []byte{1}})
			}),
			want: []want{
				{"unknown-field", 0, -1, Warn, "field(s) airsign does not use: type 0x42 (unknown)"},
				{"unknown-field", -1, -1, Warn, `PSBT_GLOBAL_PROPRIETARY "company" subtype 3`},
			},
			signs: true,
		},
	}, append(changeAttacks(), sanityAttacks()...)...)
}

// xpubBytes is our account xpub as the 78 bytes PSBT_GLOBAL_XPUB keys hold.
func xpubBytes(t testing.TB, k *kit) []byte {
	t.Helper()
	b := base58.Decode(k.wpkh.Keys()[0].XPub.String())
	if len(b) != 82 {
		t.Fatalf("xpub decodes to %d bytes", len(b))
	}
	return b[:78]
}

func attackPath(name string) string { return filepath.Join("testdata", "attacks", name+".psbt") }

// TestGenerateAttacks makes the corpus. Without -update it checks that the
// files on disk are exactly what the generator makes, so the corpus cannot
// drift from its definitions.
func TestGenerateAttacks(t *testing.T) {
	k := testKit(t)
	names := map[string]bool{}
	for _, at := range attacks() {
		if names[at.name] {
			t.Fatalf("two attacks named %s", at.name)
		}
		names[at.name] = true
		got := at.build(t, k)
		path := attackPath(at.name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		disk, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run go test ./psbt -run TestGenerateAttacks -update)", at.name, err)
		}
		if !bytes.Equal(disk, got) {
			t.Errorf("%s: %s differs from what the generator makes (run with -update)", at.name, path)
		}
	}
	readme := attackReadme(t, k)
	path := filepath.Join("testdata", "attacks", "README.md")
	if *update {
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if disk, err := os.ReadFile(path); err != nil || string(disk) != readme {
		t.Errorf("%s is stale (run with -update)", path)
	}
	// No file without its case.
	files, _ := filepath.Glob(filepath.Join("testdata", "attacks", "*.psbt"))
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".psbt"); !names[name] {
			t.Errorf("%s has no attack case; delete it or add the case", f)
		}
	}
}

// policyCodes are the codes Policy.Apply adds; the others come from Analyze.
var policyCodes = map[Code]bool{"high-fee": true, "fee-cap": true, "fee-rate-cap": true, "spend-cap": true, "not-allowlisted": true, "script-type": true}

// attackReadme lists every case with what the operator is shown: the
// Decode error, or each problem as WriteText prints it.
func attackReadme(t testing.TB, k *kit) string {
	var b strings.Builder
	b.WriteString("# Attack corpus\n\n")
	b.WriteString("Malicious PSBTs for the fixed test key (BIP84/86 `abandon … about` on regtest),\n")
	b.WriteString("made with btcd by `TestGenerateAttacks` in `../../attacks_test.go`\n")
	b.WriteString("(`go test ./psbt -run TestGenerateAttacks -update` rewrites them and this file).\n")
	b.WriteString("`TestAttacks` checks each expected refusal through Decode, Analyze with the policy\n")
	b.WriteString("(DefaultPolicy unless noted), and Sign, which must refuse on its own, with the\n")
	b.WriteString("wallet the signer holds (\"none\": no enrolled wallet, change is our key in the\n")
	b.WriteString("account and script type the inputs spend from; see ChangeWallet in ../../wallet.go).\n")
	b.WriteString("An output that is not change is EXTERNAL: counted in what leaves the wallet.\n\n")
	b.WriteString("| file | attack | wallet | refused by | code | what the operator sees |\n|---|---|---|---|---|---|\n")
	for _, at := range attacks() {
		raw := at.build(t, k)
		p, err := Decode(raw)
		if at.decodeErr != "" {
			fmt.Fprintf(&b, "| %s.psbt | %s | — | Decode | — | %s |\n", at.name, at.about, err)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", at.name, err)
		}
		a := attackPolicy(at).Apply(Analyze(p, regtest, k.fp, k.changeWallet(p, at.wallet.modes()[0])))
		var codes, seen []string
		by := "Analyze"
		for _, w := range at.want {
			codes = append(codes, "`"+string(w.code)+"`")
			if policyCodes[w.code] {
				by = "Policy.Apply"
			}
		}
		if at.signs {
			by = "— (warns, signs)"
		}
		for _, pr := range a.Problems {
			tag := "warning"
			if pr.Severity == Refuse {
				tag = "REFUSED"
			}
			seen = append(seen, tag+": "+pr.String())
		}
		if at.signs {
			for _, o := range a.Outputs {
				kind := "EXTERNAL"
				if o.Change {
					kind = "change"
				}
				seen = append(seen, fmt.Sprintf("output %d: %s", o.Index, kind))
			}
		}
		fmt.Fprintf(&b, "| %s.psbt | %s | %s | %s | %s | %s |\n", at.name, at.about, at.wallet, by, strings.Join(codes, ", "), strings.ReplaceAll(strings.Join(seen, "<br>"), "|", "\\|"))
	}
	return b.String()
}

func attackPolicy(at attack) Policy {
	pol := DefaultPolicy()
	if at.policy != nil {
		at.policy(&pol)
	}
	return pol
}

// TestAttacks checks every file of the corpus against its expected refusal.
func TestAttacks(t *testing.T) {
	k := testKit(t)
	for _, at := range attacks() {
		t.Run(at.name, func(t *testing.T) {
			raw, err := os.ReadFile(attackPath(at.name))
			if err != nil {
				t.Fatalf("%v (run go test ./psbt -run TestGenerateAttacks -update)", err)
			}
			_, err = Decode(raw)
			if at.decodeErr != "" {
				if err == nil {
					t.Fatalf("Decode accepted it; want an error containing %q", at.decodeErr)
				}
				if !strings.Contains(err.Error(), at.decodeErr) {
					t.Fatalf("Decode error %q does not contain %q", err, at.decodeErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			pol := attackPolicy(at)
			for _, mode := range at.wallet.modes() {
				// A fresh packet each: a warn-only case is signed, which
				// changes it.
				p, err := Decode(raw)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(fmt.Sprintf("wallet=%d", mode), func(t *testing.T) { checkAttack(t, k, at, p, pol, mode) })
			}
		})
	}
}

// checkAttack checks one case with the signer holding the wallet of mode.
func checkAttack(t *testing.T, k *kit, at attack, p *Packet, pol Policy, mode walletMode) {
	w := k.changeWallet(p, mode)
	a := pol.Apply(Analyze(p, regtest, k.fp, w))
	for _, wt := range at.want {
		if !findProblem(a, wt) {
			t.Errorf("%s: missing %s %s at input %d / output %d with %q; got:\n%s", mode, wt.severity, wt.code, wt.input, wt.output, wt.fragment, listProblems(a))
		}
	}
	if len(a.Refusals()) > 0 == at.signs {
		t.Errorf("%s: refusals %v, but the case expects signing=%v", mode, a.Refusals(), at.signs)
	}
	checkChangeVerdict(t, at, a)

	// Sign must come to the same verdict on its own, and leave the
	// packet untouched when it refuses.
	before := encode(t, p)
	_, err := Sign(p, k.master, WithNetwork(regtest), WithWallet(w), WithPolicy(pol))
	if at.signs {
		if err != nil {
			t.Fatalf("%s: Sign refused a warn-only case: %v", mode, err)
		}
		return
	}
	if err == nil {
		t.Fatalf("%s: Sign signed it", mode)
	}
	if !errors.Is(err, ErrRefused) {
		t.Errorf("%s: Sign failed with %v, not a refusal", mode, err)
	}
	if !bytes.Equal(before, encode(t, p)) {
		t.Errorf("%s: Sign changed the packet although it refused", mode)
	}
}

func findProblem(a *Analysis, w want) bool {
	for _, pr := range a.Problems {
		if pr.Code == w.code && pr.Input == w.input && pr.Output == w.output && pr.Severity == w.severity && strings.Contains(pr.Message+" (policy rule "+pr.Rule+")", w.fragment) {
			return true
		}
	}
	return false
}

func listProblems(a *Analysis) string {
	var lines []string
	for _, pr := range a.Problems {
		lines = append(lines, fmt.Sprintf("  %s %s: %s", pr.Severity, pr.Code, pr))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestHonestPaymentPasses makes sure the attacks are refused for what they
// change and not because the payment they start from is refused.
func TestHonestPaymentPasses(t *testing.T) {
	k := testKit(t)
	p := k.honest(t)
	a := k.analyze(p, DefaultPolicy())
	if len(a.Problems) != 0 {
		t.Fatalf("the honest payment has problems:\n%s", listProblems(a))
	}
	if !a.Outputs[1].Change || a.Outputs[0].Change {
		t.Fatalf("change not recognised: %+v", a.Outputs)
	}
	if a.Fee != 1410 || a.Spend != 30_001_410 {
		t.Fatalf("fee %d, spend %d", a.Fee, a.Spend)
	}
	if _, err := k.sign(p, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
}
