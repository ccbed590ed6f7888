package main_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport/interoptest"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// reservesCoin is one coin a proof claims, as the JS verifier takes it.
type reservesCoin struct {
	TxID   string `json:"txid"`
	Vout   uint32 `json:"vout"`
	Value  int64  `json:"value"`
	Script string `json:"scriptHex"`
}

// TestInteropReserves: a BIP127 proof of reserves over the test key's
// three coins — built by psbt.BuildReserves, what `airsign-online reserves
// prepare` builds over the wallet's coins, and signed by airsign-offline
// (`sign --confirm prove`) — is checked by scripts/interop/bip127_verify.mjs,
// a verifier made of bitcoinjs-lib (sighashes) and @noble/curves
// (signatures) that shares no code with airsign: the commitment input is
// SHA-256("Proof-of-Reserves: " + message), the one output pays the exact
// total to P2PKH(HASH160(0x00)), every coin's signature verifies. For
// P2WPKH and for taproot. Then each way of forging or altering a proof
// must make the same verifier fail, naming what is wrong.
func TestInteropReserves(t *testing.T) {
	ref := interoptest.NewNode(t, "bitcoinjs-lib", "@noble/curves")
	const message = "ACME audit 2026-12-03 challenge 51f0"
	for _, taproot := range []bool{false, true} {
		name := map[bool]string{false: "wpkh", true: "tr"}[taproot]
		t.Run(name, func(t *testing.T) {
			dir, _ := interopSetup(t)
			specs, _, _, _ := interopCoins(t, taproot)
			var coins []reservesCoin
			prevOuts := map[wire.OutPoint]*wire.TxOut{}
			for _, c := range specs {
				out := c.PrevTx.TxOut[c.Vout]
				op := wire.OutPoint{Hash: c.PrevTx.TxHash(), Index: c.Vout}
				prevOuts[op] = out
				coins = append(coins, reservesCoin{TxID: op.Hash.String(), Vout: op.Index, Value: out.Value, Script: hex.EncodeToString(out.PkScript)})
			}
			proof := signedProof(t, dir, psbt.ReservesBIP127, message, specs)
			// airsign's own verdict, for comparison.
			ours, err := psbt.VerifyReserves(proof, message, prevOuts)
			if err != nil {
				t.Fatalf("airsign refuses its own proof: %v", err)
			}

			var ans struct {
				TotalSat   string `json:"totalSat"`
				Coins      int    `json:"coins"`
				Commitment string `json:"commitment"`
			}
			ref.MustCall(t, "bip127-verify", map[string]any{"message": message, "txHex": txHex(t, proof), "coins": coins}, &ans)
			if ans.TotalSat != fmt.Sprint(ours.Total) || ans.Coins != 3 || ans.Commitment != "bip127-sha256" || ours.Total != 85_000_000 {
				t.Fatalf("bip127_verify.mjs: %+v; airsign: %d sat in %d coins", ans, ours.Total, len(ours.Coins))
			}

			// Forged or altered proofs: the independent verifier must fail.
			mutate := func(f func(tx *wire.MsgTx)) string {
				c := proof.Copy()
				f(c)
				return txHex(t, c)
			}
			other := coins[1]
			other.Script = coins[0].Script // a coin claimed to be another key's
			bigger := append([]reservesCoin(nil), coins...)
			bigger[2].Value++
			for _, tt := range []struct {
				name, message, txHex string
				coins                []reservesCoin
				says                 string
			}{
				{name: "another message", message: "ACME audit 2027", says: "not SHA-256"},
				{name: "bdk-reserves' commitment", txHex: mutate(func(tx *wire.MsgTx) {
					tx.TxIn[0].PreviousOutPoint.Hash = chainhash.DoubleHashH([]byte(psbt.ReservesPrefix + message))
				}), says: "double SHA-256 bdk-reserves uses"},
				{name: "commitment index 1", txHex: mutate(func(tx *wire.MsgTx) { tx.TxIn[0].PreviousOutPoint.Index = 1 }), says: "index 0"},
				{name: "output to a spendable address", txHex: mutate(func(tx *wire.MsgTx) {
					tx.TxOut[0].PkScript = []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
				}), says: "unspendable"},
				{name: "a fee taken", txHex: mutate(func(tx *wire.MsgTx) { tx.TxOut[0].Value -= 1000 }), says: "exact sum"},
				{name: "a coin left out", txHex: mutate(func(tx *wire.MsgTx) { tx.TxIn = tx.TxIn[:3] }), says: "exact sum"},
				{name: "a signature altered", txHex: mutate(func(tx *wire.MsgTx) {
					w := tx.TxIn[2].Witness
					sig := bytes.Clone(w[0])
					sig[len(sig)/2] ^= 0x01
					tx.TxIn[2].Witness = wire.TxWitness{sig, w[len(w)-1]}[:len(w)]
				}), says: "input 2"},
				// (a taproot signature commits to every coin's script, so there
				// input 1's signature fails first)
				{name: "a coin that is not the key's", coins: []reservesCoin{coins[0], other, coins[2]}, says: map[bool]string{false: "input 2", true: "input 1"}[taproot]},
				{name: "a coin larger than it is", coins: bigger, says: "exact sum"},
				{name: "an unknown coin", coins: coins[:2], says: "not one of the coins given"},
			} {
				msg, h, cs := message, txHex(t, proof), coins
				if tt.message != "" {
					msg = tt.message
				}
				if tt.txHex != "" {
					h = tt.txHex
				}
				if tt.coins != nil {
					cs = tt.coins
				}
				err := ref.Call("bip127-verify", map[string]any{"message": msg, "txHex": h, "coins": cs}, &ans)
				if err == nil || !strings.Contains(err.Error(), tt.says) {
					t.Errorf("%s: bip127_verify.mjs says %v, want a failure saying %q", tt.name, err, tt.says)
				}
			}

			// The other verifiers' formats (reserves prepare --format):
			// made, signed offline, and checked independently in that
			// format; BIP127's check refuses them, naming whose they are.
			for _, f := range []struct {
				format     psbt.ReservesFormat
				commitment string
				says       string
			}{
				{psbt.ReservesBDK, "bdk-reserves-sha256d", "double SHA-256 bdk-reserves uses"},
				{psbt.ReservesElements, "unprefixed-sha256", "as ElementsProject's reserves hashes"},
			} {
				proof := signedProof(t, dir, f.format, message, specs)
				ref.MustCall(t, "bip127-verify", map[string]any{"message": message, "txHex": txHex(t, proof), "coins": coins, "format": string(f.format)}, &ans)
				if ans.TotalSat != "85000000" || ans.Coins != 3 || ans.Commitment != f.commitment {
					t.Fatalf("%s: bip127_verify.mjs: %+v", f.format, ans)
				}
				err = ref.Call("bip127-verify", map[string]any{"message": message, "txHex": txHex(t, proof), "coins": coins}, &ans)
				if err == nil || !strings.Contains(err.Error(), f.says) {
					t.Errorf("%s proof checked as BIP127: %v, want a failure saying %q", f.format, err, f.says)
				}
			}
		})
	}
}

// signedProof builds the proof of message over specs in format f, as
// `reserves prepare` builds it, has airsign-offline sign it (the operator's
// "prove" given with --confirm), and returns the final proof transaction.
func signedProof(t *testing.T, dir string, f psbt.ReservesFormat, message string, specs []psbt.InputSpec) *wire.MsgTx {
	t.Helper()
	unsigned, err := psbt.BuildReserves(f, message, specs)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := unsigned.Encode()
	if err != nil {
		t.Fatal(err)
	}
	name := "proof-" + string(f)
	if err := os.WriteFile(filepath.Join(dir, name+".psbt"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	offline(t, dir, "sign", name+".psbt", "--mnemonic-file", "mnemonic.txt", "--confirm", "prove", "--out", name+"-signed.psbt")
	signed, err := os.ReadFile(filepath.Join(dir, name+"-signed.psbt"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbt.Decode(signed)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := psbt.FinalizeReserves(p)
	if err != nil {
		t.Fatal(err)
	}
	return proof
}
