package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/offline"
	"github.com/airsign/airsign/online"
	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/online/backend/regtest"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/interoptest"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

// TestInteropReservesOnNode is the proof-of-reserves path of `airsign-online
// reserves prepare`, `airsign-offline sign` and `reserves verify --out` on a
// real btcd regtest node, its final transaction then checked by
// scripts/interop/bip127_verify.mjs (bitcoinjs-lib and @noble/curves, no
// airsign code) against the coins as the node reports them: same total,
// every signature good; and refused under another message. It needs the
// node (AIRSIGN_REGTEST=1) and the npm packages (make interop).
func TestInteropReservesOnNode(t *testing.T) {
	if ok, why := regtest.Enabled(); !ok {
		t.Skip(why)
	}
	ref := interoptest.NewNode(t, "bitcoinjs-lib", "@noble/curves")
	ctx, dir, net := context.Background(), t.TempDir(), &chaincfg.RegressionNetParams
	const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	seed, err := bip39.Seed([]byte(mnemonic), nil)
	if err != nil {
		t.Fatal(err)
	}
	master, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.New(descriptor.WPKH, master, 0, net)
	if err != nil {
		t.Fatal(err)
	}
	first, err := d.FirstAddress()
	if err != nil {
		t.Fatal(err)
	}
	node := regtest.Start(t, first)
	var screen bytes.Buffer
	on := &online.Env{Stdout: &screen, Stderr: &screen, DataDir: filepath.Join(dir, "online"),
		Connect: func(context.Context, *chaincfg.Params) (backend.Backend, error) {
			return backend.NewBtcd(node.Config())
		}}
	if _, err := online.ImportWallet(on, online.ImportOptions{Name: "cold", Source: d.String(), Network: "regtest"}); err != nil {
		t.Fatal(err)
	}
	node.Mine(t, 103) // 103 coins of 50 BTC

	const message = "ACME audit 2026-12-03 challenge 51f0"
	path := func(name string) string { return filepath.Join(dir, name) }
	if err := online.ReservesPrepare(ctx, on, online.ReservesPrepareOptions{Wallet: "cold", Message: message, Out: path("proof.psbt")}); err != nil {
		t.Fatalf("reserves prepare: %v\n%s", err, screen.String())
	}
	if err := os.WriteFile(path("mnemonic.txt"), []byte(mnemonic+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	off := &offline.Env{Stdout: &screen, Stderr: &screen, Net: net}
	if err := offline.Sign(ctx, off, offline.SignOptions{Sources: []string{path("proof.psbt")}, Out: path("proof-signed.psbt"),
		Key: offline.KeySource{MnemonicFile: path("mnemonic.txt")}, Confirm: "prove", AllowOnline: true, LogPath: path("signing.log")}); err != nil {
		t.Fatalf("sign: %v\n%s", err, screen.String())
	}
	if err := online.ReservesVerify(ctx, on, online.ReservesVerifyOptions{Wallet: "cold", Sources: []string{path("proof-signed.psbt")}, Out: path("proof.txhex")}); err != nil {
		t.Fatalf("reserves verify: %v\n%s", err, screen.String())
	}
	txHex, err := os.ReadFile(path("proof.txhex"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(txHex)))
	if err != nil {
		t.Fatal(err)
	}
	var proof wire.MsgTx
	if err := proof.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}

	// The coins as the node has them.
	b, err := backend.NewBtcd(node.Config())
	if err != nil {
		t.Fatal(err)
	}
	type coin struct {
		TxID   string `json:"txid"`
		Vout   uint32 `json:"vout"`
		Value  int64  `json:"value"`
		Script string `json:"scriptHex"`
	}
	var coins []coin
	var total int64
	for _, in := range proof.TxIn[1:] {
		prev, err := b.RawTransaction(ctx, in.PreviousOutPoint.Hash)
		if err != nil {
			t.Fatal(err)
		}
		out := prev.TxOut[in.PreviousOutPoint.Index]
		coins = append(coins, coin{TxID: in.PreviousOutPoint.Hash.String(), Vout: in.PreviousOutPoint.Index, Value: out.Value, Script: hex.EncodeToString(out.PkScript)})
		total += out.Value
	}
	if len(coins) != 103 || total != 103*50_0000_0000 {
		t.Fatalf("the proof spends %d coins, %d sat; want the wallet's 103 coinbases", len(coins), total)
	}
	var ans struct {
		TotalSat   string `json:"totalSat"`
		Coins      int    `json:"coins"`
		Commitment string `json:"commitment"`
	}
	req := map[string]any{"message": message, "txHex": strings.TrimSpace(string(txHex)), "coins": coins}
	ref.MustCall(t, "bip127-verify", req, &ans)
	if ans.TotalSat != fmt.Sprint(total) || ans.Coins != len(coins) || ans.Commitment != "bip127-sha256" {
		t.Fatalf("bip127_verify.mjs: %+v, want %d sat in %d coins", ans, total, len(coins))
	}
	req["message"] = "ACME audit 2027"
	if err := ref.Call("bip127-verify", req, &ans); err == nil || !strings.Contains(err.Error(), "not SHA-256") {
		t.Fatalf("under another message: %v, want a refusal", err)
	}
}
