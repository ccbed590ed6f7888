package backend

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/airsign/airsign/transport"
)

var testParams = &chaincfg.RegressionNetParams

func testAddr(t *testing.T, b byte) btcutil.Address {
	t.Helper()
	a, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{b}, 20), testParams)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func script(t *testing.T, a btcutil.Address) []byte {
	t.Helper()
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func txHex(t *testing.T, tx *wire.MsgTx) string {
	t.Helper()
	s, err := encodeTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// chainEntry is one transaction in the fake node's view.
type chainEntry struct {
	tx     *wire.MsgTx
	height int32 // 0 = mempool
}

// fakeChain serves searchrawtransactions and gettxout from a list of
// transactions, like btcd: confirmed entries in chain order, then mempool
// entries in a random order that changes with every call.
type fakeChain struct {
	t       *testing.T
	tip     int32
	entries []chainEntry
	// txout overrides gettxout per outpoint (nil value = null reply).
	txout map[wire.OutPoint]*btcjson.GetTxOutResult
	rnd   *rand.Rand
	// pages records the count of each searchrawtransactions call.
	pages []int
}

func (c *fakeChain) install(f *fakeNode) {
	f.handle("getbestblockhash", result(strings.Repeat("ab", 32)))
	f.handle("getblockcount", func([]json.RawMessage) (any, *rpcErrorObject) { return c.tip, nil })
	f.handle("searchrawtransactions", func(p []json.RawMessage) (any, *rpcErrorObject) {
		var addr string
		var verbose, skip, count, vinextra int
		var reverse bool
		if len(p) != 6 || json.Unmarshal(p[0], &addr) != nil || json.Unmarshal(p[1], &verbose) != nil ||
			json.Unmarshal(p[2], &skip) != nil || json.Unmarshal(p[3], &count) != nil ||
			json.Unmarshal(p[4], &vinextra) != nil || json.Unmarshal(p[5], &reverse) != nil || verbose != 0 || reverse {
			c.t.Errorf("searchrawtransactions params %s", p)
			return nil, &rpcErrorObject{-8, "bad params"}
		}
		a, err := btcutil.DecodeAddress(addr, testParams)
		if err != nil {
			return nil, &rpcErrorObject{-5, "Invalid address or key: " + err.Error()}
		}
		s := script(c.t, a)
		var conf, mem []string
		for _, e := range c.entries {
			touches := false
			for _, out := range e.tx.TxOut {
				touches = touches || bytes.Equal(out.PkScript, s)
			}
			for _, in := range e.tx.TxIn {
				if prev := c.output(in.PreviousOutPoint); prev != nil && bytes.Equal(prev.PkScript, s) {
					touches = true
				}
			}
			if !touches {
				continue
			}
			if e.height > 0 {
				conf = append(conf, txHex(c.t, e.tx))
			} else {
				mem = append(mem, txHex(c.t, e.tx))
			}
		}
		c.rnd.Shuffle(len(mem), func(i, j int) { mem[i], mem[j] = mem[j], mem[i] })
		all := append(conf, mem...)
		if skip >= len(all) {
			return nil, &rpcErrorObject{-5, "No information available about address"}
		}
		c.pages = append(c.pages, count)
		return all[skip:min(skip+count, len(all))], nil
	})
	f.handle("gettxout", func(p []json.RawMessage) (any, *rpcErrorObject) {
		var txid string
		var vout uint32
		var mempool bool
		if len(p) != 3 || json.Unmarshal(p[0], &txid) != nil || json.Unmarshal(p[1], &vout) != nil || json.Unmarshal(p[2], &mempool) != nil || !mempool {
			c.t.Errorf("gettxout params %s", p)
		}
		h, _ := chainhash.NewHashFromStr(txid)
		op := wire.OutPoint{Hash: *h, Index: vout}
		if r, ok := c.txout[op]; ok {
			if r == nil {
				return nil, nil
			}
			return r, nil
		}
		for _, e := range c.entries {
			if e.tx.TxHash() == op.Hash {
				out := e.tx.TxOut[op.Index]
				conf := int32(0)
				if e.height > 0 {
					conf = c.tip - e.height + 1
				}
				return &btcjson.GetTxOutResult{
					Confirmations: int64(conf),
					Value:         btcutil.Amount(out.Value).ToBTC(),
					ScriptPubKey:  btcjson.ScriptPubKeyResult{Hex: hex.EncodeToString(out.PkScript)},
					Coinbase:      isCoinbase(e.tx),
				}, nil
			}
		}
		return nil, &rpcErrorObject{-5, "No information available about transaction " + txid}
	})
}

func (c *fakeChain) output(op wire.OutPoint) *wire.TxOut {
	for _, e := range c.entries {
		if e.tx.TxHash() == op.Hash && int(op.Index) < len(e.tx.TxOut) {
			return e.tx.TxOut[op.Index]
		}
	}
	return nil
}

func newTx(ins []wire.OutPoint, outs ...*wire.TxOut) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for i := range ins {
		tx.AddTxIn(wire.NewTxIn(&ins[i], nil, nil))
	}
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	return tx
}

func coinbaseTx(tag byte, out *wire.TxOut) *wire.MsgTx {
	tx := newTx([]wire.OutPoint{{Index: wire.MaxPrevOutIndex}}, out)
	tx.TxIn[0].SignatureScript = []byte{0x01, tag}
	return tx
}

func external(n byte) wire.OutPoint {
	var h chainhash.Hash
	h[0], h[31] = n, 0xee
	return wire.OutPoint{Hash: h, Index: uint32(n)}
}

// scanFixture is a history for address A exercising every path of the scan.
type scanFixture struct {
	a, b, c                 btcutil.Address
	tx0, tx1, tx2, tx3, tx4 *wire.MsgTx
	tx5                     *wire.MsgTx
	chain                   *fakeChain
}

func newScanFixture(t *testing.T) *scanFixture {
	fx := &scanFixture{a: testAddr(t, 0xaa), b: testAddr(t, 0xbb), c: testAddr(t, 0xcc)}
	sa, sc := script(t, fx.a), script(t, fx.c)
	fx.tx0 = coinbaseTx(1, wire.NewTxOut(50e8, sa))                                                                      // h5: coinbase to A
	fx.tx1 = newTx([]wire.OutPoint{external(1)}, wire.NewTxOut(1e8, sa), wire.NewTxOut(2e8, sa), wire.NewTxOut(3e8, sc)) // h10
	fx.tx2 = newTx([]wire.OutPoint{{Hash: fx.tx1.TxHash(), Index: 0}}, wire.NewTxOut(99e6, sc))                          // h11: spends tx1:0
	fx.tx3 = newTx([]wire.OutPoint{{Hash: fx.tx1.TxHash(), Index: 1}}, wire.NewTxOut(15e7, sa), wire.NewTxOut(49e6, sc)) // mempool: spends tx1:1
	fx.tx4 = newTx([]wire.OutPoint{external(4)}, wire.NewTxOut(1e7, sa))                                                 // mempool: pays A
	fx.tx5 = newTx([]wire.OutPoint{external(5)}, wire.NewTxOut(5e7, sa))                                                 // h12, gettxout null
	fx.chain = &fakeChain{
		t:   t,
		tip: 20,
		entries: []chainEntry{
			{fx.tx0, 5}, {fx.tx1, 10}, {fx.tx2, 11}, {fx.tx5, 12}, {fx.tx3, 0}, {fx.tx4, 0},
		},
		txout: map[wire.OutPoint]*btcjson.GetTxOutResult{{Hash: fx.tx5.TxHash(), Index: 0}: nil},
		rnd:   rand.New(rand.NewSource(1)),
	}
	return fx
}

func TestScanAddresses(t *testing.T) {
	for _, page := range []int{1, 2, 3, 4, 5, 200} {
		t.Run(fmt.Sprintf("page %d", page), func(t *testing.T) {
			defer SetScanFirstPage(page)()
			fx := newScanFixture(t)
			f := newFakeNode(t)
			fx.chain.install(f)
			res, err := f.btcd().ScanAddresses(context.Background(), []btcutil.Address{fx.a, fx.b, fx.a})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 2 {
				t.Fatalf("%d entries, want 2", len(res))
			}
			if info := res[fx.b.EncodeAddress()]; info.Used || len(info.UTXOs) != 0 {
				t.Fatalf("unused address B = %+v", info)
			}
			info := res[fx.a.EncodeAddress()]
			if !info.Used {
				t.Fatal("A not used")
			}
			want := []UTXO{
				{OutPoint: wire.OutPoint{Hash: fx.tx0.TxHash()}, Amount: 50e8, Confirmations: 16, Height: 5, Coinbase: true},
				{OutPoint: wire.OutPoint{Hash: fx.tx3.TxHash()}, Amount: 15e7},
				{OutPoint: wire.OutPoint{Hash: fx.tx4.TxHash()}, Amount: 1e7},
			}
			if outPointLess(want[2].OutPoint, want[1].OutPoint) {
				want[1], want[2] = want[2], want[1]
			}
			if len(info.UTXOs) != len(want) {
				t.Fatalf("A has %d UTXOs, want %d: %+v", len(info.UTXOs), len(want), info.UTXOs)
			}
			for i, w := range want {
				w.PkScript = script(t, fx.a)
				got := info.UTXOs[i]
				if got.OutPoint != w.OutPoint || got.Amount != w.Amount || got.Confirmations != w.Confirmations ||
					got.Height != w.Height || got.Coinbase != w.Coinbase || !bytes.Equal(got.PkScript, w.PkScript) {
					t.Errorf("UTXO %d = %+v, want %+v", i, got, w)
				}
			}
			// Outputs spent by a transaction in the history are not asked about.
			if n := f.count("gettxout"); n != 4 {
				t.Errorf("%d gettxout calls, want 4 (tx0:0, tx3:0, tx4:0, tx5:0)", n)
			}
			// A's 6 transactions: full replies are asked again, twice as large.
			var want2 []int
			for c := page; ; c *= 2 {
				want2 = append(want2, c)
				if c > 6 {
					break
				}
			}
			if fmt.Sprint(fx.chain.pages) != fmt.Sprint(want2) {
				t.Errorf("searchrawtransactions counts %v, want %v", fx.chain.pages, want2)
			}
		})
	}
}

func TestScanAddressesErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("tip keeps moving", func(t *testing.T) {
		fx := newScanFixture(t)
		f := newFakeNode(t)
		fx.chain.install(f)
		n := 0
		f.handle("getbestblockhash", func([]json.RawMessage) (any, *rpcErrorObject) {
			n++
			return fmt.Sprintf("%064x", n), nil
		})
		_, err := f.btcd().ScanAddresses(ctx, []btcutil.Address{fx.a})
		if err == nil || !strings.Contains(err.Error(), "the chain tip moved during each of 3 scans") || strings.Contains(err.Error(), "again") {
			t.Fatalf("error %v", err)
		}
		if h := transport.Hints(err); len(h) != 1 || h[0] != "run the command again" {
			t.Fatalf("hints %q", h)
		}
	})
	t.Run("tip moves once", func(t *testing.T) {
		fx := newScanFixture(t)
		f := newFakeNode(t)
		fx.chain.install(f)
		n := 0
		f.handle("getbestblockhash", func([]json.RawMessage) (any, *rpcErrorObject) {
			n++
			if n == 1 {
				return strings.Repeat("01", 32), nil
			}
			return strings.Repeat("02", 32), nil
		})
		if _, err := f.btcd().ScanAddresses(ctx, []btcutil.Address{fx.a}); err != nil {
			t.Fatal(err)
		}
		if f.count("searchrawtransactions") < 2 {
			t.Fatal("scan not repeated after the tip moved")
		}
	})
	tests := []struct {
		name  string
		setup func(fx *scanFixture, f *fakeNode)
		want  string
	}{
		{"no address index", func(fx *scanFixture, f *fakeNode) {
			f.handle("searchrawtransactions", rpcErr(-1, "Address index must be enabled (--addrindex)"))
		}, "hint: start btcd with --addrindex --txindex"},
		{"bad hex", func(fx *scanFixture, f *fakeNode) {
			f.handle("searchrawtransactions", result([]string{txHex(t, fx.tx0), "zz"}))
		}, "searchrawtransactions " + newScanFixture(t).a.EncodeAddress() + " entry 2: transaction is not hex"},
		{"truncated transaction", func(fx *scanFixture, f *fakeNode) {
			f.handle("searchrawtransactions", result([]string{txHex(t, fx.tx0)[:20]}))
		}, "entry 1: transaction does not parse"},
		{"verbose entries", func(fx *scanFixture, f *fakeNode) {
			f.handle("searchrawtransactions", result([]map[string]string{{"hex": txHex(t, fx.tx0)}}))
		}, "searchrawtransactions: unexpected result"},
		{"too busy", func(fx *scanFixture, f *fakeNode) {
			f.handle("searchrawtransactions", func(p []json.RawMessage) (any, *rpcErrorObject) {
				var n int
				json.Unmarshal(p[3], &n)
				return make([]string, n), nil
			})
		}, "has more than 131072 transactions"},
		{"gettxout value differs", func(fx *scanFixture, f *fakeNode) {
			fx.chain.txout[wire.OutPoint{Hash: fx.tx0.TxHash()}] = &btcjson.GetTxOutResult{Confirmations: 16, Value: 49}
		}, "value 49 BTC differs from the transaction's 50 BTC"},
		{"gettxout script differs", func(fx *scanFixture, f *fakeNode) {
			fx.chain.txout[wire.OutPoint{Hash: fx.tx0.TxHash()}] = &btcjson.GetTxOutResult{Confirmations: 16, Value: 50,
				ScriptPubKey: btcjson.ScriptPubKeyResult{Hex: "51"}}
		}, "script 51 differs"},
		{"gettxout confirmations beyond tip", func(fx *scanFixture, f *fakeNode) {
			fx.chain.txout[wire.OutPoint{Hash: fx.tx0.TxHash()}] = &btcjson.GetTxOutResult{Confirmations: 99, Value: 50}
		}, "99 confirmations at height 20"},
		{"gettxout error", func(fx *scanFixture, f *fakeNode) {
			f.handle("gettxout", rpcErr(-32603, "database trouble"))
		}, "database trouble"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newScanFixture(t)
			f := newFakeNode(t)
			fx.chain.install(f)
			tt.setup(fx, f)
			_, err := f.btcd().ScanAddresses(ctx, []btcutil.Address{fx.a})
			if err == nil || !strings.Contains(err.Error()+"\nhint: "+strings.Join(transport.Hints(err), "\nhint: "), tt.want) {
				t.Fatalf("error %v (hints %q), want %q", err, transport.Hints(err), tt.want)
			}
		})
	}
	t.Run("nil address", func(t *testing.T) {
		f := newFakeNode(t)
		_, err := f.btcd().ScanAddresses(ctx, []btcutil.Address{testAddr(t, 1), nil})
		if err == nil || err.Error() != "scan: address 2 is missing" {
			t.Fatalf("error %v", err)
		}
	})
}

func TestScanRecordedReplies(t *testing.T) {
	// The recorded searchrawtransactions and gettxout replies parse and pass the
	// consistency checks.
	c, _ := newRPCClient("btcd", Config{URL: "http://127.0.0.1:1", User: "u", Password: "p"})
	one := map[uint64]int{1: 0}
	replies, err, _ := c.parseReplies(200, readTestdata(t, "btcd/searchrawtransactions_raw.json"), []call{{"searchrawtransactions", nil}}, one)
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	if err := c.decode(replies[0], "searchrawtransactions", &entries); err != nil || len(entries) != 3 {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	for i, e := range entries {
		tx, err := decodeTx("btcd", "searchrawtransactions", e, nil)
		if err != nil || !isCoinbase(tx) || tx.TxOut[0].Value != 50e8 {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	replies, err, _ = c.parseReplies(200, readTestdata(t, "btcd/gettxout.json"), []call{{"gettxout", nil}}, one)
	if err != nil {
		t.Fatal(err)
	}
	var r *btcjson.GetTxOutResult
	if err := c.decode(replies[0], "gettxout", &r); err != nil || r == nil || !r.Coinbase || r.Confirmations != 3 {
		t.Fatalf("gettxout: %+v, %v", r, err)
	}
	s, _ := hex.DecodeString("0014b1b99ddca054bcf1e1569576ed3ba325464fc774")
	if err := checkTxOut(r, wire.NewTxOut(50e8, s)); err != nil {
		t.Fatal(err)
	}
	replies, err, _ = c.parseReplies(200, readTestdata(t, "btcd/searchrawtransactions_unused.json"), []call{{"searchrawtransactions", nil}}, one)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.decode(replies[0], "searchrawtransactions", &entries); !isNoAddressInfo(err) {
		t.Fatalf("unused address reply: %v", err)
	}
	replies, err, _ = c.parseReplies(200, readTestdata(t, "btcd/gettxout_null.json"), []call{{"gettxout", nil}}, one)
	if err != nil {
		t.Fatal(err)
	}
	r = &btcjson.GetTxOutResult{}
	if err := c.decode(replies[0], "gettxout", &r); err != nil || r != nil {
		t.Fatalf("null gettxout: %+v, %v", r, err)
	}
}

// recorded serves one recorded reply for method.
func recorded(t *testing.T, f *fakeNode, method, file string) {
	data := readTestdata(t, file)
	var r struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcErrorObject `json:"error"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	f.handle(method, func([]json.RawMessage) (any, *rpcErrorObject) {
		if r.Error != nil {
			return nil, r.Error
		}
		return r.Result, nil
	})
}

func TestBtcdRecordedCalls(t *testing.T) {
	ctx := context.Background()
	f := newFakeNode(t)
	recorded(t, f, "getblockhash", "btcd/getblockhash_0.json")
	recorded(t, f, "getrawtransaction", "btcd/getrawtransaction.json")
	recorded(t, f, "estimatefee", "btcd/estimatefee.json")
	b := f.btcd()

	if err := CheckNetwork(ctx, b, testParams); err != nil {
		t.Fatalf("CheckNetwork(regtest): %v", err)
	}
	err := CheckNetwork(ctx, b, &chaincfg.TestNet3Params)
	want := "btcd at " + f.srv.URL + " is on regtest but the wallet is for testnet3 (genesis block 0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206, expected 000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943)"
	if err == nil || err.Error() != want {
		t.Fatalf("CheckNetwork(testnet3) = %v\nwant %s", err, want)
	}

	txid, _ := chainhash.NewHashFromStr("84390c10d4c40b4217445d051f961adc03ef98819fbd8fc34b952d5f169fdedc")
	tx, err := b.RawTransaction(ctx, *txid)
	if err != nil || tx.TxHash() != *txid || !isCoinbase(tx) {
		t.Fatalf("RawTransaction: %v", err)
	}
	// The node answers with another transaction than the one asked for.
	other := *txid
	other[0] ^= 1
	if _, err := b.RawTransaction(ctx, other); err == nil || !strings.Contains(err.Error(), "asked for transaction "+other.String()+", got "+txid.String()) {
		t.Fatalf("RawTransaction(wrong tx): %v", err)
	}
	recorded(t, f, "getrawtransaction", "btcd/getrawtransaction_unknown.json")
	if _, err := b.RawTransaction(ctx, other); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "--txindex") {
		t.Fatalf("RawTransaction(unknown): %v", err)
	}

	if rate, ok, err := b.EstimateFeeRate(ctx, 6); err != nil || ok || rate != 0 {
		t.Fatalf("EstimateFeeRate(recorded 0) = %v, %v, %v", rate, ok, err)
	}
}

func TestTxStatus(t *testing.T) {
	ctx := context.Background()
	f := newFakeNode(t)
	b := f.btcd()
	txid, _ := chainhash.NewHashFromStr("84390c10d4c40b4217445d051f961adc03ef98819fbd8fc34b952d5f169fdedc")

	recorded(t, f, "getrawtransaction", "btcd/getrawtransaction_unknown.json")
	if st, err := b.TxStatus(ctx, *txid); err != nil || st != (TxStatus{}) {
		t.Fatalf("unknown: %+v, %v", st, err)
	}

	f.handle("getrawtransaction", result(btcjson.TxRawResult{Txid: txid.String()}))
	if st, err := b.TxStatus(ctx, *txid); err != nil || st != (TxStatus{Known: true, InMempool: true}) {
		t.Fatalf("mempool: %+v, %v", st, err)
	}

	// The recorded transaction is in block 1 of 3; the recorded header is the
	// tip's, which must be refused as the answer about block 1.
	recorded(t, f, "getrawtransaction", "btcd/getrawtransaction_verbose.json")
	recorded(t, f, "getblockheader", "btcd/getblockheader.json")
	const block1 = "29395cad972813d99f13cb9709b6b3cae9f6efd997d1c4416cd48d8dbeddda03"
	if _, err := b.TxStatus(ctx, *txid); err == nil || !strings.Contains(err.Error(), "getblockheader answered for block 7f61d762") {
		t.Fatalf("header of another block: %v", err)
	}
	f.handle("getblockheader", func(p []json.RawMessage) (any, *rpcErrorObject) {
		if len(p) != 2 || string(p[0]) != `"`+block1+`"` || string(p[1]) != "true" {
			t.Errorf("getblockheader params %s", p)
		}
		return btcjson.GetBlockHeaderVerboseResult{Hash: block1, Confirmations: 3, Height: 1}, nil
	})
	st, err := b.TxStatus(ctx, *txid)
	bh, _ := chainhash.NewHashFromStr(block1)
	if err != nil || st != (TxStatus{Known: true, Confirmations: 3, BlockHash: *bh, BlockHeight: 1}) {
		t.Fatalf("confirmed: %+v, %v", st, err)
	}

	f.handle("getblockheader", result(btcjson.GetBlockHeaderVerboseResult{Hash: block1, Confirmations: -1, Height: 1}))
	if _, err := b.TxStatus(ctx, *txid); err == nil || !strings.Contains(err.Error(), "not in the best chain") {
		t.Fatalf("side chain: %v", err)
	}
	other := *txid
	other[0] ^= 1
	f.handle("getrawtransaction", result(btcjson.TxRawResult{Txid: txid.String()}))
	if _, err := b.TxStatus(ctx, other); err == nil || !strings.Contains(err.Error(), "we asked about "+other.String()) {
		t.Fatalf("wrong txid: %v", err)
	}
}

func TestEstimateFeeRate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		handler func([]json.RawMessage) (any, *rpcErrorObject)
		target  int
		rate    float64
		ok      bool
	}{
		{"estimate", result(0.00012), 6, 12, true},
		{"no estimate (-1)", result(-1.0), 6, 0, false},
		{"not enough blocks", rpcErr(-32603, "not enough blocks have been observed"), 6, 0, false},
		{"target clamped high", func(p []json.RawMessage) (any, *rpcErrorObject) {
			if string(p[0]) != "25" {
				return nil, &rpcErrorObject{-8, "target " + string(p[0])}
			}
			return 0.00001, nil
		}, 1000, 1, true},
		{"target clamped low", func(p []json.RawMessage) (any, *rpcErrorObject) {
			if string(p[0]) != "1" {
				return nil, &rpcErrorObject{-8, "target " + string(p[0])}
			}
			return 0.00002, nil
		}, 0, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNode(t)
			f.handle("estimatefee", tt.handler)
			rate, ok, err := f.btcd().EstimateFeeRate(ctx, tt.target)
			if err != nil || ok != tt.ok || rate < tt.rate-1e-9 || rate > tt.rate+1e-9 {
				t.Fatalf("= %v, %v, %v; want %v, %v", rate, ok, err, tt.rate, tt.ok)
			}
		})
	}
	f := newFakeNode(t)
	f.raw = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		http.Error(w, "down", http.StatusBadGateway)
		return true
	}
	if _, _, err := f.btcd().EstimateFeeRate(ctx, 6); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("unreachable: %v", err)
	}
}

func TestSendRawTransactionErrors(t *testing.T) {
	ctx := context.Background()
	tx := sampleTx()
	txid := tx.TxHash()
	tests := []struct {
		name    string
		handler func([]json.RawMessage) (any, *rpcErrorObject)
		is      error
		want    string
	}{
		{"in chain (-27)", rpcErr(-27, "TX rejected: transaction already exists in blockchain"), ErrAlreadyKnown, "the node already has this transaction"},
		{"in mempool (-26)", rpcErr(-26, "TX rejected: already have transaction in mempool "+txid.String()), ErrAlreadyKnown, "already have transaction"},
		{"Core already known", rpcErr(-26, "txn-already-known"), ErrAlreadyKnown, "txn-already-known"},
		{"rejected", rpcErr(-26, "TX rejected: transaction is an individual coinbase"), nil,
			"rejected transaction " + txid.String() + ": TX rejected: transaction is an individual coinbase (RPC error -26)"},
		{"other txid back", result(strings.Repeat("00", 32)), nil, "sendrawtransaction returned txid"},
		{"not a hash", result("xyz"), nil, `"xyz" is not a 32-byte hash`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNode(t)
			f.handle("sendrawtransaction", tt.handler)
			_, err := f.btcd().SendRawTransaction(ctx, tx, 0)
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) ||
				(tt.is == nil && errors.Is(err, ErrAlreadyKnown)) {
				t.Fatalf("error %v, want %q (is %v)", err, tt.want, tt.is)
			}
			if n := f.count("sendrawtransaction"); n != 1 {
				t.Fatalf("%d sends", n)
			}
		})
	}
	f := newFakeNode(t)
	f.handle("sendrawtransaction", func(p []json.RawMessage) (any, *rpcErrorObject) {
		if len(p) != 1 || string(p[0]) != `"`+txHex(t, tx)+`"` {
			t.Errorf("params %s", p)
		}
		return txid.String(), nil
	})
	if got, err := f.btcd().SendRawTransaction(ctx, tx, 0); err != nil || got != txid {
		t.Fatalf("send: %s, %v", got, err)
	}
	if _, err := f.btcd().SendRawTransaction(ctx, nil, 0); err == nil {
		t.Fatal("nil tx sent")
	}
}

func TestTestMempoolAccept(t *testing.T) {
	ctx := context.Background()
	tx := sampleTx()
	txid := tx.TxHash()
	f := newFakeNode(t)
	var gotParams []json.RawMessage
	var res any
	f.handle("testmempoolaccept", func(p []json.RawMessage) (any, *rpcErrorObject) {
		gotParams = p
		return res, nil
	})
	b := f.btcd()

	res = []btcjson.TestMempoolAcceptResult{{Txid: txid.String(), Allowed: true, Vsize: 110,
		Fees: &btcjson.TestMempoolAcceptFees{Base: 0.00001234}}}
	a, err := b.TestMempoolAccept(ctx, tx, 25)
	if err != nil || !a.Allowed || a.VSize != 110 || a.Fee != 1234 || a.Txid != txid || a.AlreadyKnown {
		t.Fatalf("allowed: %+v, %v", a, err)
	}
	if len(gotParams) != 2 || string(gotParams[1]) != "0.00025" {
		t.Fatalf("params %s; want the cap 25 sat/vB as 0.00025 BTC/kvB", gotParams)
	}
	if _, err := b.TestMempoolAccept(ctx, tx, 0); err != nil || string(gotParams[1]) != "0" {
		t.Fatalf("no cap: params %s, %v", gotParams, err)
	}

	res = []btcjson.TestMempoolAcceptResult{{Txid: txid.String(), RejectReason: "already have transaction in mempool " + txid.String()}}
	if a, err := b.TestMempoolAccept(ctx, tx, 0); err != nil || a.Allowed || !a.AlreadyKnown {
		t.Fatalf("known: %+v, %v", a, err)
	}
	res = []btcjson.TestMempoolAcceptResult{{Txid: txid.String(), RejectReason: "bad-txns-inputs-missingorspent"}}
	if a, err := b.TestMempoolAccept(ctx, tx, 0); err != nil || a.Allowed || a.AlreadyKnown || a.Reason != "bad-txns-inputs-missingorspent" {
		t.Fatalf("rejected: %+v, %v", a, err)
	}
	res = []btcjson.TestMempoolAcceptResult{{Txid: strings.Repeat("00", 32), Allowed: true}}
	if _, err := b.TestMempoolAccept(ctx, tx, 0); err == nil || !strings.Contains(err.Error(), "we asked about "+txid.String()) {
		t.Fatalf("other txid: %v", err)
	}
	res = []btcjson.TestMempoolAcceptResult{}
	if _, err := b.TestMempoolAccept(ctx, tx, 0); err == nil || !strings.Contains(err.Error(), "0 results for 1 transaction") {
		t.Fatalf("no result: %v", err)
	}

	// The recorded btcd rejection of a coinbase.
	recorded(t, f, "testmempoolaccept", "btcd/testmempoolaccept_rejected.json")
	cbHex := `01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff165108c17b351b6dec44b70b2f503253482f627463642fffffffff0100f2052a01000000160014b1b99ddca054bcf1e1569576ed3ba325464fc77400000000`
	cb, err := decodeTx("test", "hex", cbHex, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err = b.TestMempoolAccept(ctx, cb, 0)
	if err != nil || a.Allowed || !strings.HasPrefix(a.Reason, "transaction is an individual coinbase") {
		t.Fatalf("recorded rejection: %+v, %v", a, err)
	}
}

func TestUTXOHelpers(t *testing.T) {
	u := UTXO{Coinbase: true, Confirmations: 99}
	if !u.Immature(testParams) || u.InMempool() {
		t.Fatal("99-confirmation coinbase should be immature")
	}
	u.Confirmations = 100
	if u.Immature(testParams) {
		t.Fatal("100-confirmation coinbase should be mature")
	}
	if (UTXO{Confirmations: 0}).Immature(testParams) || !(UTXO{}).InMempool() {
		t.Fatal("non-coinbase helpers")
	}
	if got := networkName(*chaincfg.MainNetParams.GenesisHash); got != "mainnet" {
		t.Fatal(got)
	}
	h, _ := chainhash.NewHashFromStr(testnet4Genesis)
	if got := networkName(*h); got != "testnet4" {
		t.Fatal(got)
	}
	if got := networkName(chainhash.Hash{1}); got != "an unknown network" {
		t.Fatal(got)
	}
}
