package online

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

var regtest = &chaincfg.RegressionNetParams

// fakeChain is a tiny in-memory chain and mempool behind the Backend
// interface: enough for prepare, bump and broadcast to run without a node.
// It does not check scripts (the e2e tests on btcd do, and these tests
// check signatures with psbt.Extract, which runs btcd's script engine).
type fakeChain struct {
	mu       sync.Mutex
	tip      int32
	txs      map[chainhash.Hash]*fakeTx
	estimate float64 // 0: no estimate
	// scanCalls counts ScanAddresses calls; scanned the addresses asked.
	scanCalls, scanned int
	nextFund           uint32
}

type fakeTx struct {
	tx       *wire.MsgTx
	height   int32 // 0: in the mempool
	coinbase bool
}

func newFakeChain() *fakeChain {
	return &fakeChain{tip: 200, txs: map[chainhash.Hash]*fakeTx{}}
}

func (f *fakeChain) Name() string { return "fake node" }

func (f *fakeChain) GenesisHash(context.Context) (chainhash.Hash, error) {
	return *regtest.GenesisHash, nil
}

func (f *fakeChain) TipHeight(context.Context) (int32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tip, nil
}

func (f *fakeChain) spentBy() map[wire.OutPoint]chainhash.Hash {
	spent := map[wire.OutPoint]chainhash.Hash{}
	for h, t := range f.txs {
		for _, in := range t.tx.TxIn {
			spent[in.PreviousOutPoint] = h
		}
	}
	return spent
}

func (f *fakeChain) ScanAddresses(ctx context.Context, addrs []btcutil.Address) (map[string]backend.AddressInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scanCalls++
	f.scanned += len(addrs)
	spent := f.spentBy()
	res := map[string]backend.AddressInfo{}
	for _, a := range addrs {
		script, err := txscript.PayToAddrScript(a)
		if err != nil {
			return nil, err
		}
		var info backend.AddressInfo
		for h, t := range f.txs {
			for i, out := range t.tx.TxOut {
				if !bytes.Equal(out.PkScript, script) {
					continue
				}
				info.Used = true
				if !slices.Contains(info.Txids, h) {
					info.Txids = append(info.Txids, h)
				}
				op := wire.OutPoint{Hash: h, Index: uint32(i)}
				if _, ok := spent[op]; ok {
					continue
				}
				u := backend.UTXO{OutPoint: op, Amount: btcutil.Amount(out.Value), PkScript: out.PkScript, Coinbase: t.coinbase}
				if t.height > 0 {
					u.Height = t.height
					u.Confirmations = f.tip - t.height + 1
				}
				info.UTXOs = append(info.UTXOs, u)
			}
		}
		// Transactions spending the address's outputs touch it too.
		for h, t := range f.txs {
			for _, in := range t.tx.TxIn {
				prev, ok := f.txs[in.PreviousOutPoint.Hash]
				if ok && int(in.PreviousOutPoint.Index) < len(prev.tx.TxOut) &&
					bytes.Equal(prev.tx.TxOut[in.PreviousOutPoint.Index].PkScript, script) && !slices.Contains(info.Txids, h) {
					info.Txids = append(info.Txids, h)
				}
			}
		}
		res[a.EncodeAddress()] = info
	}
	return res, nil
}

func (f *fakeChain) RawTransaction(_ context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.txs[txid]
	if !ok {
		return nil, fmt.Errorf("fake node does not know %s: %w", txid, backend.ErrNotFound)
	}
	return t.tx.Copy(), nil
}

func (f *fakeChain) TestMempoolAccept(_ context.Context, tx *wire.MsgTx, _ float64) (backend.Acceptance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := backend.Acceptance{Txid: tx.TxHash(), Wtxid: tx.WitnessHash()}
	if t, ok := f.txs[tx.TxHash()]; ok {
		if t.height > 0 {
			// Like Bitcoin Core for a mined transaction whose outputs are
			// spent: a rejection, not "already known".
			a.Reason = "bad-txns-inputs-missingorspent"
			return a, nil
		}
		a.Reason, a.AlreadyKnown = "already have transaction", true
		return a, nil
	}
	if r := f.conflict(tx); r != "" {
		a.Reason = r
		return a, nil
	}
	a.Allowed = true
	return a, nil
}

// conflict says why tx cannot enter the mempool: a missing input, or one
// spent by a confirmed or non-replaceable transaction.
func (f *fakeChain) conflict(tx *wire.MsgTx) string {
	spent := f.spentBy()
	for i, in := range tx.TxIn {
		prev, ok := f.txs[in.PreviousOutPoint.Hash]
		if !ok || int(in.PreviousOutPoint.Index) >= len(prev.tx.TxOut) {
			return fmt.Sprintf("input %d: missing", i)
		}
		if by, ok := spent[in.PreviousOutPoint]; ok {
			if other := f.txs[by]; other.height > 0 || !signalsRBF(other.tx) {
				return fmt.Sprintf("input %d: already spent", i)
			}
		}
	}
	return ""
}

func (f *fakeChain) SendRawTransaction(_ context.Context, tx *wire.MsgTx, _ float64) (chainhash.Hash, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.txs[tx.TxHash()]; ok {
		if t.height > 0 {
			return chainhash.Hash{}, errors.New("fake node rejected it: bad-txns-inputs-missingorspent")
		}
		return chainhash.Hash{}, fmt.Errorf("already have it: %w", backend.ErrAlreadyKnown)
	}
	if r := f.conflict(tx); r != "" {
		return chainhash.Hash{}, fmt.Errorf("fake node rejected it: %s", r)
	}
	spent := f.spentBy()
	for _, in := range tx.TxIn {
		if by, ok := spent[in.PreviousOutPoint]; ok {
			delete(f.txs, by) // replaced (BIP125)
		}
	}
	f.txs[tx.TxHash()] = &fakeTx{tx: tx.Copy()}
	return tx.TxHash(), nil
}

func (f *fakeChain) TxStatus(_ context.Context, txid chainhash.Hash) (backend.TxStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.txs[txid]
	switch {
	case !ok:
		return backend.TxStatus{}, nil
	case t.height == 0:
		return backend.TxStatus{Known: true, InMempool: true}, nil
	}
	return backend.TxStatus{Known: true, Confirmations: f.tip - t.height + 1, BlockHeight: t.height}, nil
}

func (f *fakeChain) EstimateFeeRate(context.Context, int) (float64, bool, error) {
	return f.estimate, f.estimate > 0, nil
}

// fund confirms a transaction paying amount to script (from nowhere) at
// the tip and returns the outpoint.
func (f *fakeChain) fund(script []byte, amount int64) wire.OutPoint {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextFund++
	tx := wire.NewMsgTx(2)
	var h chainhash.Hash
	binary.BigEndian.PutUint32(h[:], f.nextFund)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&h, 0), nil, nil))
	tx.AddTxOut(wire.NewTxOut(amount, script))
	f.txs[tx.TxHash()] = &fakeTx{tx: tx, height: f.tip}
	return wire.OutPoint{Hash: tx.TxHash(), Index: 0}
}

// mine confirms the mempool.
func (f *fakeChain) mine() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tip++
	for _, t := range f.txs {
		if t.height == 0 {
			t.height = f.tip
		}
	}
}

// Test keys: the BIP39 test mnemonics.
var testMnemonics = []string{
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
	"legal winner thank year wave sausage worth useful legal winner thank yellow",
	"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
}

func testMaster(t testing.TB, i int) *hdkeychain.ExtendedKey {
	t.Helper()
	seed, err := bip39.Seed([]byte(testMnemonics[i]), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := hdkeychain.NewMaster(seed, regtest)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testDescriptor builds a regtest descriptor of kind: single-key from the
// first test key, or 2-of-3 from all three.
func testDescriptor(t testing.TB, kind descriptor.Kind) *descriptor.Descriptor {
	t.Helper()
	if !kind.IsMultisig() {
		d, err := descriptor.New(kind, testMaster(t, 0), 0, regtest)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var keys []descriptor.Key
	for i := range testMnemonics {
		k, err := descriptor.AccountKey(kind, testMaster(t, i), 0, regtest)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	d, err := descriptor.NewSortedMulti(kind, 2, keys, regtest)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// testEnv is an Env on a temporary data directory talking to chain, with
// stdout and stderr captured.
type testEnv struct {
	*Env
	out   *bytes.Buffer
	errs  *screen
	chain *fakeChain
	dir   string
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	chain := newFakeChain()
	out, errs := new(bytes.Buffer), new(screen)
	t.Cleanup(func() { errs.checkWidth(t) })
	dir := t.TempDir()
	env := &Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errs, Width: psbt.ScreenWidth, DataDir: filepath.Join(dir, "data"),
		Connect: func(context.Context, *chaincfg.Params) (backend.Backend, error) { return chain, nil }}
	return &testEnv{Env: env, out: out, errs: errs, chain: chain, dir: dir}
}

// screen is a command's captured stderr, the operator's screen. Every line
// must fit the 80-column console (checkWidth); String undoes the wrapping,
// so a test finds a phrase wherever a line broke.
type screen struct {
	bytes.Buffer
	before []string // what was written before each Reset
}

var wrapBreak = regexp.MustCompile(`\n +`)

func (s *screen) String() string { return wrapBreak.ReplaceAllString(s.Buffer.String(), " ") }

func (s *screen) Reset() {
	s.before = append(s.before, s.Buffer.String())
	s.Buffer.Reset()
}

func (s *screen) checkWidth(t testing.TB) {
	t.Helper()
	for _, text := range append(s.before, s.Buffer.String()) {
		for _, l := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(l); n > psbt.ScreenWidth {
				t.Errorf("a line of %d columns on stderr, wider than the console:\n%s", n, l)
			}
		}
	}
}

func (e *testEnv) path(name string) string { return filepath.Join(e.dir, name) }

func (e *testEnv) reset() {
	e.out.Reset()
	e.errs.Reset()
}

// importTest imports d as wallet name.
func (e *testEnv) importTest(t testing.TB, name string, d *descriptor.Descriptor) *Wallet {
	t.Helper()
	w, err := ImportWallet(e.Env, ImportOptions{Name: name, Source: d.String(), Network: "regtest"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// fundAt pays amount to the wallet's address branch/index.
func (e *testEnv) fundAt(t testing.TB, w *Wallet, branch, index uint32, amount int64) wire.OutPoint {
	t.Helper()
	d, err := w.desc.Derive(branch, index)
	if err != nil {
		t.Fatal(err)
	}
	return e.chain.fund(d.Script, amount)
}

// readPSBTFile decodes a PSBT file written by prepare or bump.
func readPSBTFile(t testing.TB, path string) *psbt.Packet {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbt.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// signAll signs p with the first n test keys (one PSBT per cosigner,
// combined as broadcast does), finalizes and extracts: psbt.Extract runs
// btcd's script engine on every input.
func signAll(t testing.TB, p *psbt.Packet, n int) *wire.MsgTx {
	t.Helper()
	var signed []*psbt.Packet
	for i := 0; i < n; i++ {
		c, err := p.Clone()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := psbt.Sign(c, testMaster(t, i)); err != nil {
			t.Fatalf("signing with key %d: %v", i, err)
		}
		signed = append(signed, c)
	}
	all, err := psbt.Combine(signed...)
	if err != nil {
		t.Fatal(err)
	}
	if err := psbt.Finalize(all); err != nil {
		t.Fatal(err)
	}
	tx, err := psbt.Extract(all)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// feeOf is the fee of a signed transaction whose inputs the chain knows.
func (f *fakeChain) feeOf(t testing.TB, tx *wire.MsgTx) int64 {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var in, out int64
	for _, i := range tx.TxIn {
		prev, ok := f.txs[i.PreviousOutPoint.Hash]
		if !ok {
			t.Fatalf("input %s unknown", i.PreviousOutPoint)
		}
		in += prev.tx.TxOut[i.PreviousOutPoint.Index].Value
	}
	for _, o := range tx.TxOut {
		out += o.Value
	}
	return in - out
}

func vsizeOf(tx *wire.MsgTx) int64 { return (txWeight(tx) + 3) / 4 }
