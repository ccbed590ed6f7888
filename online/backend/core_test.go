package backend

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Values of the regtest wallet the core and esplora fixtures describe.
const (
	fxAddr     = "bcrt1qkxuemh9q2j70rc2kj4mw6wary4ryl3m58jkhd6"
	fxAddrTR   = "bcrt1pu05jny6jvt42540ejemgjw7qe5y7d9gqqj6hxu8kghprewh8cljqe94xdr"
	fxCoinbase = "84390c10d4c40b4217445d051f961adc03ef98819fbd8fc34b952d5f169fdedc"
	fxOther    = "9b1d5e3c7a2f4e6d8c0b1a2938475665748392a1b0c9d8e7f6a5b4c3d2e1f009"
	fxBlock1   = "29395cad972813d99f13cb9709b6b3cae9f6efd997d1c4416cd48d8dbeddda03"
)

func fxAddress(t testing.TB, s string) btcutil.Address {
	t.Helper()
	a, err := btcutil.DecodeAddress(s, testParams)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func hashOf(t testing.TB, s string) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return *h
}

// gettxoutRoute answers gettxout for the coinbase and the other output of
// scantxoutset.json; spentOther makes the latter spent in the mempool.
func gettxoutRoute(spentOther bool) func([]json.RawMessage) string {
	return func(p []json.RawMessage) string {
		switch {
		case strings.Contains(string(p[0]), fxCoinbase):
			return "gettxout"
		case spentOther:
			return "gettxout_null"
		default:
			return "gettxout_other"
		}
	}
}

func TestCoreScan(t *testing.T) {
	ctx := context.Background()
	s := newCoreServer(t)
	s.route["gettxout"] = gettxoutRoute(false)
	s.use("getrawtransaction", "getrawtransaction_hex")
	c := s.core(t)
	a, tr := fxAddress(t, fxAddr), fxAddress(t, fxAddrTR)
	res, err := c.ScanAddresses(ctx, []btcutil.Address{a, tr, a})
	if err != nil {
		t.Fatal(err)
	}
	scans := s.called("scantxoutset")
	if len(scans) != 1 || scans[0] != `scantxoutset "start" ["addr(`+fxAddr+`)","addr(`+fxAddrTR+`)"]` {
		t.Fatalf("scantxoutset calls %q", scans)
	}
	if info := res[fxAddrTR]; info.Used || len(info.UTXOs) != 0 {
		t.Fatalf("P2TR address = %+v, want unused", info)
	}
	info := res[fxAddr]
	spk := "0014b1b99ddca054bcf1e1569576ed3ba325464fc774"
	want := []UTXO{
		{OutPoint: wire.OutPoint{Hash: hashOf(t, fxCoinbase)}, Amount: 50e8, Height: 1, Confirmations: 101, Coinbase: true},
		{OutPoint: wire.OutPoint{Hash: hashOf(t, fxOther), Index: 1}, Amount: 12345678, Height: 100, Confirmations: 2},
	}
	if !info.Used || len(info.UTXOs) != 2 {
		t.Fatalf("wallet address = %+v", info)
	}
	for i, w := range want {
		g := info.UTXOs[i]
		if g.OutPoint != w.OutPoint || g.Amount != w.Amount || g.Height != w.Height || g.Confirmations != w.Confirmations ||
			g.Coinbase != w.Coinbase || hex.EncodeToString(g.PkScript) != spk {
			t.Errorf("UTXO %d = %+v, want %+v", i, g, w)
		}
	}

	// RawTransaction names the block the scan found the output in (for nodes
	// without -txindex).
	tx, err := c.RawTransaction(ctx, hashOf(t, fxCoinbase))
	if err != nil || tx.TxHash() != hashOf(t, fxCoinbase) {
		t.Fatalf("RawTransaction: %v", err)
	}
	if got := s.called("getrawtransaction"); len(got) != 1 || got[0] != `getrawtransaction "`+fxCoinbase+`" false "`+fxBlock1+`"` {
		t.Fatalf("getrawtransaction calls %q", got)
	}
}

func TestCoreScanMempoolSpent(t *testing.T) {
	s := newCoreServer(t)
	s.route["gettxout"] = gettxoutRoute(true)
	res, err := s.core(t).ScanAddresses(context.Background(), []btcutil.Address{fxAddress(t, fxAddr)})
	if err != nil {
		t.Fatal(err)
	}
	if us := res[fxAddr].UTXOs; len(us) != 1 || us[0].OutPoint.Hash != hashOf(t, fxCoinbase) {
		t.Fatalf("UTXOs %+v; want only the coinbase (the other is spent in the mempool)", us)
	}
}

func TestCoreScanOldShape(t *testing.T) {
	// Core 0.18: no height, coinbase or blockhash in the scan.
	ctx := context.Background()
	s := newCoreServer(t)
	s.use("scantxoutset", "scantxoutset_v018")
	s.use("getrawtransaction", "getrawtransaction_hex")
	s.route["gettxout"] = gettxoutRoute(false)
	s.route["getblockhash"] = func(p []json.RawMessage) string { return "getblockhash_" + string(p[0]) }
	c := s.core(t)
	res, err := c.ScanAddresses(ctx, []btcutil.Address{fxAddress(t, fxAddr)})
	if err != nil {
		t.Fatal(err)
	}
	us := res[fxAddr].UTXOs
	if len(us) != 1 || !us[0].Coinbase || us[0].Confirmations != 101 || us[0].Height != 1 {
		t.Fatalf("UTXOs %+v; want the coinbase (told by gettxout), 101 confirmations (tip from getblockcount)", us)
	}
	if _, err := c.RawTransaction(ctx, hashOf(t, fxCoinbase)); err != nil {
		t.Fatal(err)
	}
	if got := s.called("getrawtransaction"); len(got) != 1 || !strings.HasSuffix(got[0], `"`+fxBlock1+`"`) {
		t.Fatalf("getrawtransaction calls %q; want the block hash from getblockhash 1", got)
	}
}

func TestCoreScanErrors(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"scantxoutset_in_progress", "Scan already in progress"},
		{"scantxoutset_foreign", "pays script 51, which is none of ours"},
		{"warmup", "Loading block index"},
		{"method_not_found", "scantxoutset: Method not found (RPC error -32601)"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := newCoreServer(t)
			s.use("scantxoutset", tt.file)
			_, err := s.core(t).ScanAddresses(context.Background(), []btcutil.Address{fxAddress(t, fxAddr)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if n := len(s.called("scantxoutset")); n != 1 {
				t.Fatalf("%d scans; a scan is never repeated", n)
			}
		})
	}
	s := newCoreServer(t)
	s.use("scantxoutset", "scantxoutset_in_progress")
	_, err := s.core(t).ScanAddresses(context.Background(), []btcutil.Address{fxAddress(t, fxAddr)})
	if err == nil || !strings.Contains(err.Error(), "scantxoutset abort") {
		t.Fatalf("in-progress hint missing: %v", err)
	}
}

func TestCoreCalls(t *testing.T) {
	ctx := context.Background()
	s := newCoreServer(t)
	c := s.core(t)
	if c.Name() != "Bitcoin Core at "+s.srv.URL {
		t.Fatalf("Name() = %q", c.Name())
	}
	s.use("getblockhash", "getblockhash_0")
	if err := CheckNetwork(ctx, c, testParams); err != nil {
		t.Fatal(err)
	}
	if err := CheckNetwork(ctx, c, &chaincfg.MainNetParams); err == nil || !strings.Contains(err.Error(), "is on regtest but the wallet is for mainnet") {
		t.Fatalf("CheckNetwork(mainnet) = %v", err)
	}
	if h, err := c.TipHeight(ctx); err != nil || h != 101 {
		t.Fatalf("TipHeight = %d, %v", h, err)
	}

	tx := spendTx(t)
	txid := tx.TxHash()
	s.use("testmempoolaccept", "testmempoolaccept_allowed")
	a, err := c.TestMempoolAccept(ctx, tx, 0)
	if err != nil || !a.Allowed || a.VSize != 125 || a.Fee != 2000 || a.Txid != txid {
		t.Fatalf("allowed: %+v, %v", a, err)
	}
	if got := s.called("testmempoolaccept"); !strings.HasSuffix(got[0], "]") || strings.Count(got[0], " ") != 1 {
		t.Fatalf("no cap must mean no maxfeerate param (Core reads 0 as none): %q", got[0])
	}
	if _, err := c.TestMempoolAccept(ctx, tx, 25); err != nil {
		t.Fatal(err)
	}
	if got := s.called("testmempoolaccept"); !strings.HasSuffix(got[1], "] 0.00025") {
		t.Fatalf("cap 25 sat/vB: %q", got[1])
	}
	s.use("testmempoolaccept", "testmempoolaccept_rejected")
	if a, err := c.TestMempoolAccept(ctx, tx, 0); err != nil || a.Allowed || a.AlreadyKnown || a.Reason != "bad-txns-inputs-missingorspent" {
		t.Fatalf("rejected: %+v, %v", a, err)
	}
	s.use("testmempoolaccept", "testmempoolaccept_known")
	if a, err := c.TestMempoolAccept(ctx, tx, 0); err != nil || !a.AlreadyKnown {
		t.Fatalf("known: %+v, %v", a, err)
	}

	if got, err := c.SendRawTransaction(ctx, tx, 0); err != nil || got != txid {
		t.Fatalf("send: %s, %v", got, err)
	}
	s.use("sendrawtransaction", "sendrawtransaction_inchain")
	if _, err := c.SendRawTransaction(ctx, tx, 0); !errors.Is(err, ErrAlreadyKnown) || !strings.Contains(err.Error(), "Transaction outputs already in utxo set") {
		t.Fatalf("in chain: %v", err)
	}
	s.use("sendrawtransaction", "sendrawtransaction_rejected")
	_, err = c.SendRawTransaction(ctx, tx, 0)
	if err == nil || errors.Is(err, ErrAlreadyKnown) || err.Error() != "Bitcoin Core at "+s.srv.URL+" rejected transaction "+txid.String()+": min relay fee not met, 100 < 141 (RPC error -26)" {
		t.Fatalf("rejected: %v", err)
	}
	s.use("sendrawtransaction", "sendrawtransaction_maxfee")
	if _, err := c.SendRawTransaction(ctx, tx, 50); err == nil || !strings.Contains(err.Error(), "Fee exceeds maximum") {
		t.Fatalf("max fee: %v", err)
	}
	sends := s.called("sendrawtransaction")
	if len(sends) != 4 || !strings.HasSuffix(sends[3], " 0.0005") {
		t.Fatalf("sends %q: each once, the last with the cap 50 sat/vB = 0.0005 BTC/kvB", sends)
	}

	if rate, ok, err := c.EstimateFeeRate(ctx, 6); err != nil || !ok || rate < 12.345-1e-9 || rate > 12.345+1e-9 {
		t.Fatalf("estimate: %v %v %v", rate, ok, err)
	}
	s.use("estimatesmartfee", "estimatesmartfee_none")
	if _, ok, err := c.EstimateFeeRate(ctx, 2000); err != nil || ok {
		t.Fatalf("no estimate: %v %v", ok, err)
	}
	if got := s.called("estimatesmartfee"); got[1] != "estimatesmartfee 1008" {
		t.Fatalf("target not clamped: %q", got[1])
	}
}

func TestCoreTxStatus(t *testing.T) {
	ctx := context.Background()
	cb := hashOf(t, fxCoinbase)

	s := newCoreServer(t)
	s.use("getrawtransaction", "getrawtransaction_verbose")
	c := s.core(t)
	st, err := c.TxStatus(ctx, cb)
	if err != nil || st != (TxStatus{Known: true, Confirmations: 101, BlockHash: hashOf(t, fxBlock1), BlockHeight: 1}) {
		t.Fatalf("confirmed: %+v, %v", st, err)
	}
	s.use("getblockheader", "getblockheader_stale")
	if st, err := c.TxStatus(ctx, cb); err != nil || st.Known {
		t.Fatalf("stale block: %+v, %v", st, err)
	}

	// Without -txindex: found through an unspent output.
	s = newCoreServer(t)
	s.use("getrawtransaction", "getrawtransaction_notfound")
	s.route["gettxout"] = func(p []json.RawMessage) string {
		if string(p[1]) == "0" {
			return "gettxout"
		}
		return "gettxout_null"
	}
	s.route["getblockhash"] = func(p []json.RawMessage) string { return "getblockhash_" + string(p[0]) }
	// gettxout.json says 101 confirmations at bestblock; getblockheader.json
	// (the header served for any hash) says height 1; so the output is at
	// height 1 - 101 + 1 < 0, which must be refused…
	if _, err := s.core(t).TxStatus(ctx, cb); err == nil || !strings.Contains(err.Error(), "101 confirmations at height 1") {
		t.Fatalf("inconsistent node: %v", err)
	}
	// …while a node whose tip header is at 101 gives block 1.
	s.route["getblockheader"] = func(p []json.RawMessage) string {
		if strings.Contains(string(p[0]), fxBlock1) {
			return "getblockheader"
		}
		return "getblockheader_tip"
	}
	st, err = s.core(t).TxStatus(ctx, cb)
	if err != nil || st != (TxStatus{Known: true, Confirmations: 101, BlockHash: hashOf(t, fxBlock1), BlockHeight: 1}) {
		t.Fatalf("by outputs: %+v, %v", st, err)
	}
	if n := len(s.called("gettxout")); n != 2*coreStatusProbe {
		t.Fatalf("%d gettxout probes, want %d per status", n, coreStatusProbe)
	}

	// Unknown everywhere.
	s = newCoreServer(t)
	s.use("getrawtransaction", "getrawtransaction_notfound")
	s.use("gettxout", "gettxout_null")
	if st, err := s.core(t).TxStatus(ctx, cb); err != nil || st.Known {
		t.Fatalf("unknown: %+v, %v", st, err)
	}
	if _, err := s.core(t).RawTransaction(ctx, cb); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "-txindex") {
		t.Fatalf("RawTransaction unknown: %v", err)
	}
}
