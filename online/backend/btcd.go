package backend

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/airsign/airsign/transport"
)

// Btcd is the backend for a btcd full node over its JSON-RPC interface. UTXO
// discovery needs the node's address index (btcd --addrindex, which implies
// --txindex): searchrawtransactions lists every transaction touching an address,
// in the chain and the mempool, and gettxout confirms which outputs are unspent.
type Btcd struct {
	rpc *rpcClient
}

var _ Backend = (*Btcd)(nil)

// NewBtcd checks cfg and returns a btcd backend. It does not contact the node;
// the first call does.
func NewBtcd(cfg Config) (*Btcd, error) {
	c, err := newRPCClient("btcd", cfg)
	if err != nil {
		return nil, err
	}
	return &Btcd{rpc: c}, nil
}

// Name is "btcd at <url>", without credentials.
func (b *Btcd) Name() string { return b.rpc.name() }

// GenesisHash asks for the hash of block 0.
func (b *Btcd) GenesisHash(ctx context.Context) (chainhash.Hash, error) {
	return b.rpc.genesisHash(ctx)
}

// TipHeight asks for the best block's height.
func (b *Btcd) TipHeight(ctx context.Context) (int32, error) { return b.rpc.tipHeight(ctx) }

// RawTransaction fetches a transaction from the mempool or, with --txindex, the
// chain, and checks that it hashes to txid.
func (b *Btcd) RawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	var s string
	err := b.rpc.do(ctx, true, &s, "getrawtransaction", txid.String(), 0)
	if isRPCCode(err, int(btcjson.ErrRPCNoTxInfo)) {
		return nil, fmt.Errorf("%s does not know transaction %s (it finds confirmed transactions only with --txindex): %w",
			b.Name(), txid, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeTx(b.Name(), "getrawtransaction", s, &txid)
}

// TestMempoolAccept runs btcd's testmempoolaccept on tx.
func (b *Btcd) TestMempoolAccept(ctx context.Context, tx *wire.MsgTx, maxFeeRate float64) (Acceptance, error) {
	rawHex, err := encodeTx(tx)
	if err != nil {
		return Acceptance{}, err
	}
	// btcd requires the maxfeerate parameter; 0 there means its default,
	// 0.1 BTC/kvB (unlike Bitcoin Core, where 0 means no cap).
	if maxFeeRate < 0 {
		maxFeeRate = 0
	}
	var res []btcjson.TestMempoolAcceptResult
	err = b.rpc.do(ctx, true, &res, "testmempoolaccept", []string{rawHex}, satPerVBToBTCPerKvB(maxFeeRate))
	if err != nil {
		return Acceptance{}, err
	}
	return acceptanceFrom(b.Name(), tx, res)
}

// acceptanceFrom checks a testmempoolaccept result (btcd and Bitcoin Core share
// the shape) against tx.
func acceptanceFrom(name string, tx *wire.MsgTx, res []btcjson.TestMempoolAcceptResult) (Acceptance, error) {
	if len(res) != 1 {
		return Acceptance{}, fmt.Errorf("%s: testmempoolaccept: %d results for 1 transaction", name, len(res))
	}
	r := res[0]
	txid := tx.TxHash()
	if r.Txid != txid.String() {
		return Acceptance{}, fmt.Errorf("%s: testmempoolaccept answered for txid %s, we asked about %s", name, snippet([]byte(r.Txid)), txid)
	}
	a := Acceptance{
		Txid:    txid,
		Wtxid:   tx.WitnessHash(),
		Allowed: r.Allowed,
		Reason:  r.RejectReason,
		VSize:   int64(r.Vsize),
	}
	if !r.Allowed && a.Reason == "" {
		a.Reason = r.PackageError
	}
	if r.Fees != nil {
		if fee, err := btcutil.NewAmount(r.Fees.Base); err == nil {
			a.Fee = fee
		}
	}
	a.AlreadyKnown = !r.Allowed && alreadyKnownReason(a.Reason)
	return a, nil
}

// alreadyKnownReason recognises the ways btcd and Bitcoin Core say "I have it".
func alreadyKnownReason(reason string) bool {
	r := strings.ToLower(reason)
	for _, s := range []string{
		"already have transaction",           // btcd, mempool
		"transaction already exists",         // btcd, chain
		"txn-already-in-mempool",             // Core
		"txn-already-known",                  // Core
		"transaction already in block chain", // Core before 0.21
		"transaction outputs already in utxo set",
	} {
		if strings.Contains(r, s) {
			return true
		}
	}
	return false
}

// SendRawTransaction submits tx once. btcd has no fee cap on this call, so
// maxFeeRate is not passed on (broadcast test-accepts with the cap first).
func (b *Btcd) SendRawTransaction(ctx context.Context, tx *wire.MsgTx, maxFeeRate float64) (chainhash.Hash, error) {
	return b.rpc.sendRawTransaction(ctx, tx)
}

// sendError turns a failed send into an error that says what is known about
// the transaction's fate.
func sendError(name string, txid chainhash.Hash, err error) error {
	var rerr *RPCError
	if errors.As(err, &rerr) {
		if rerr.Code == int(btcjson.ErrRPCTxAlreadyInChain) || alreadyKnownReason(rerr.Message) {
			return fmt.Errorf("%s: transaction %s: %s: %w", name, txid, rerr.Message, ErrAlreadyKnown)
		}
		return fmt.Errorf("%s rejected transaction %s: %s (RPC error %d)", name, txid, rerr.Message, rerr.Code)
	}
	var uerr *unavailableError
	if errors.As(err, &uerr) && uerr.maybeDelivered {
		return fmt.Errorf("%w; the transaction %s may have reached the node — check with `airsign-online status %s` before sending again",
			err, txid, txid)
	}
	return err
}

// TxStatus looks the transaction up in the mempool and (with --txindex) the chain.
func (b *Btcd) TxStatus(ctx context.Context, txid chainhash.Hash) (TxStatus, error) {
	var r btcjson.TxRawResult
	err := b.rpc.do(ctx, true, &r, "getrawtransaction", txid.String(), 1)
	if isRPCCode(err, int(btcjson.ErrRPCNoTxInfo)) {
		return TxStatus{}, nil
	}
	if err != nil {
		return TxStatus{}, err
	}
	if r.Txid != txid.String() {
		return TxStatus{}, fmt.Errorf("%s: getrawtransaction answered for txid %s, we asked about %s", b.Name(), snippet([]byte(r.Txid)), txid)
	}
	if r.BlockHash == "" {
		return TxStatus{Known: true, InMempool: true}, nil
	}
	bh, err := parseHash(b.Name(), "getrawtransaction", r.BlockHash)
	if err != nil {
		return TxStatus{}, err
	}
	var hdr btcjson.GetBlockHeaderVerboseResult
	if err := b.rpc.do(ctx, true, &hdr, "getblockheader", bh.String(), true); err != nil {
		return TxStatus{}, err
	}
	if hdr.Hash != bh.String() {
		return TxStatus{}, fmt.Errorf("%s: getblockheader answered for block %s, we asked about %s", b.Name(), snippet([]byte(hdr.Hash)), bh)
	}
	if hdr.Confirmations < 1 || hdr.Confirmations > 1<<31-1 {
		return TxStatus{}, fmt.Errorf("%s: block %s of transaction %s has %d confirmations (not in the best chain?)",
			b.Name(), bh, txid, hdr.Confirmations)
	}
	return TxStatus{
		Known:         true,
		Confirmations: int32(hdr.Confirmations),
		BlockHash:     bh,
		BlockHeight:   hdr.Height,
	}, nil
}

// btcdMaxFeeTarget is how far ahead btcd's estimator looks (estimateFeeDepth).
const btcdMaxFeeTarget = 25

// EstimateFeeRate asks btcd's estimatefee (BTC/kB). btcd answers with an error
// or a non-positive number until it has seen enough blocks and transactions;
// that is "no estimate", not a failure.
func (b *Btcd) EstimateFeeRate(ctx context.Context, targetBlocks int) (float64, bool, error) {
	if targetBlocks < 1 {
		targetBlocks = 1
	}
	if targetBlocks > btcdMaxFeeTarget {
		targetBlocks = btcdMaxFeeTarget
	}
	var btcPerKB float64
	err := b.rpc.do(ctx, true, &btcPerKB, "estimatefee", targetBlocks)
	var rerr *RPCError
	if errors.As(err, &rerr) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if btcPerKB <= 0 {
		return 0, false, nil
	}
	return btcPerKB * btcutil.SatoshiPerBitcoin / 1000, true, nil
}

// Scan tuning: how many addresses share one batch request, the first page size
// of searchrawtransactions, and how many gettxout calls share one batch.
const (
	scanAddrsPerBatch   = 100
	scanMaxHistory      = 1 << 17
	scanTxOutsPerBatch  = 500
	scanAttemptsOnReorg = 3
)

// scanFirstPage is a variable so tests can force pagination.
var scanFirstPage = 200

// ScanAddresses lists each address's history with searchrawtransactions (chain
// and mempool, paginated) and checks the outputs paying it with gettxout. The
// scan is repeated if a block arrives meanwhile, so the answer describes one tip.
func (b *Btcd) ScanAddresses(ctx context.Context, addrs []btcutil.Address) (map[string]AddressInfo, error) {
	scripts := make(map[string]string, len(addrs)) // pkScript → address
	var order []string
	for i, a := range addrs {
		if a == nil {
			return nil, fmt.Errorf("scan: address %d is missing", i+1)
		}
		s, err := txscript.PayToAddrScript(a)
		if err != nil {
			return nil, fmt.Errorf("scan: address %d (%s): %v", i+1, a.EncodeAddress(), err)
		}
		enc := a.EncodeAddress()
		if _, dup := scripts[string(s)]; !dup {
			order = append(order, enc)
		}
		scripts[string(s)] = enc
	}
	for attempt := 1; ; attempt++ {
		before, err := b.tip(ctx)
		if err != nil {
			return nil, err
		}
		res, err := b.scanOnce(ctx, order, scripts, before.height)
		if err != nil {
			return nil, err
		}
		after, err := b.tip(ctx)
		if err != nil {
			return nil, err
		}
		if after == before {
			return res, nil
		}
		if attempt == scanAttemptsOnReorg {
			return nil, tipMoved(b.Name(), attempt)
		}
	}
}

type tipState struct {
	hash   string
	height int64
}

// tip reads the best block hash and height in one batch.
func (b *Btcd) tip(ctx context.Context) (tipState, error) {
	res, err := b.rpc.batch(ctx, true, []call{{"getbestblockhash", nil}, {"getblockcount", nil}})
	if err != nil {
		return tipState{}, err
	}
	var t tipState
	if err := b.rpc.decode(res[0], "getbestblockhash", &t.hash); err != nil {
		return tipState{}, err
	}
	if err := b.rpc.decode(res[1], "getblockcount", &t.height); err != nil {
		return tipState{}, err
	}
	return t, nil
}

func (b *Btcd) scanOnce(ctx context.Context, order []string, scripts map[string]string, tipHeight int64) (map[string]AddressInfo, error) {
	// 1. Histories. btcd lists an address's transactions as confirmed ones in
	// chain order followed by mempool ones in no fixed order, so paging with
	// skip could miss or repeat mempool entries. Instead each address is asked
	// for its whole history in one reply: a full reply is asked again with
	// twice the count. Non-verbose replies are just the raw transactions (the
	// verbose form decodes every output of every transaction, which for a
	// 2,000-output payout asked about by 1,000 addresses is ruinous).
	type page struct {
		addr  string
		count int
	}
	txs := make(map[chainhash.Hash]*wire.MsgTx)
	known := make(map[string]chainhash.Hash) // raw hex already decoded → txid
	used := make(map[string]bool, len(order))
	history := make(map[string][]chainhash.Hash, len(order))
	var todo []page
	for _, a := range order {
		todo = append(todo, page{a, scanFirstPage})
	}
	for len(todo) > 0 {
		n := min(len(todo), scanAddrsPerBatch)
		chunk := todo[:n]
		todo = todo[n:]
		calls := make([]call, len(chunk))
		for i, p := range chunk {
			calls[i] = call{"searchrawtransactions", []any{p.addr, 0, 0, p.count, 0, false}}
		}
		replies, err := b.rpc.batch(ctx, true, calls)
		if err != nil {
			return nil, err
		}
		for i, p := range chunk {
			var entries []string
			err := b.rpc.decode(replies[i], "searchrawtransactions", &entries)
			if isNoAddressInfo(err) {
				continue // never used
			}
			if err != nil {
				return nil, addrIndexHint(fmt.Errorf("scanning %s: %w", p.addr, err))
			}
			if len(entries) >= p.count {
				if p.count >= scanMaxHistory {
					return nil, fmt.Errorf("%s: %s has more than %d transactions; airsign does not scan addresses this busy", b.Name(), p.addr, scanMaxHistory)
				}
				todo = append(todo, page{p.addr, min(p.count*2, scanMaxHistory)})
				continue
			}
			used[p.addr] = len(entries) > 0
			for j, e := range entries {
				if h, ok := known[e]; ok {
					history[p.addr] = append(history[p.addr], h)
					continue
				}
				tx, err := decodeTx(b.Name(), fmt.Sprintf("searchrawtransactions %s entry %d", p.addr, j+1), e, nil)
				if err != nil {
					return nil, err
				}
				h := tx.TxHash()
				known[e] = h
				txs[h] = tx
				history[p.addr] = append(history[p.addr], h)
			}
		}
	}

	// 2. Outputs paying us, minus those spent by a transaction we saw: every
	// spend of our output lists our address, so it is in some history.
	spent := make(map[wire.OutPoint]bool)
	for _, tx := range txs {
		for _, in := range tx.TxIn {
			spent[in.PreviousOutPoint] = true
		}
	}
	type cand struct {
		addr string
		op   wire.OutPoint
		out  *wire.TxOut
		cb   bool
	}
	var cands []cand
	for txid, tx := range txs {
		for i, out := range tx.TxOut {
			addr, ok := scripts[string(out.PkScript)]
			if !ok {
				continue
			}
			op := wire.OutPoint{Hash: txid, Index: uint32(i)}
			if spent[op] {
				continue
			}
			cands = append(cands, cand{addr, op, out, isCoinbase(tx)})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return outPointLess(cands[i].op, cands[j].op) })

	// 3. gettxout (mempool included) for the rest: null means spent in a block.
	result := make(map[string]AddressInfo, len(order))
	for _, a := range order {
		result[a] = AddressInfo{Used: used[a], Txids: history[a]}
	}
	for len(cands) > 0 {
		n := min(len(cands), scanTxOutsPerBatch)
		chunk := cands[:n]
		cands = cands[n:]
		calls := make([]call, len(chunk))
		for i, c := range chunk {
			calls[i] = call{"gettxout", []any{c.op.Hash.String(), c.op.Index, true}}
		}
		replies, err := b.rpc.batch(ctx, true, calls)
		if err != nil {
			return nil, err
		}
		for i, c := range chunk {
			var r *btcjson.GetTxOutResult
			if err := b.rpc.decode(replies[i], "gettxout", &r); err != nil {
				return nil, fmt.Errorf("checking output %s of %s: %w", c.op, c.addr, err)
			}
			if r == nil {
				continue // spent
			}
			if err := checkTxOut(r, c.out); err != nil {
				return nil, fmt.Errorf("%s: gettxout %s: %v", b.Name(), c.op, err)
			}
			if r.Confirmations < 0 || r.Confirmations > tipHeight+1 {
				return nil, fmt.Errorf("%s: gettxout %s: %d confirmations at height %d", b.Name(), c.op, r.Confirmations, tipHeight)
			}
			u := UTXO{
				OutPoint:      c.op,
				Amount:        btcutil.Amount(c.out.Value),
				PkScript:      append([]byte(nil), c.out.PkScript...),
				Confirmations: int32(r.Confirmations),
				Coinbase:      c.cb || r.Coinbase,
			}
			if u.Confirmations > 0 {
				u.Height = int32(tipHeight) - u.Confirmations + 1
			}
			info := result[c.addr]
			info.UTXOs = append(info.UTXOs, u)
			result[c.addr] = info
		}
	}
	for a, info := range result {
		sortUTXOs(info.UTXOs)
		result[a] = info
	}
	return result, nil
}

// checkTxOut compares gettxout's view of an output with the transaction we hold.
func checkTxOut(r *btcjson.GetTxOutResult, out *wire.TxOut) error {
	amt, err := btcutil.NewAmount(r.Value)
	if err != nil || int64(amt) != out.Value {
		return fmt.Errorf("value %v BTC differs from the transaction's %v", r.Value, btcutil.Amount(out.Value))
	}
	if r.ScriptPubKey.Hex != "" && r.ScriptPubKey.Hex != hex.EncodeToString(out.PkScript) {
		return fmt.Errorf("script %s differs from the transaction's", snippet([]byte(r.ScriptPubKey.Hex)))
	}
	return nil
}

// sortUTXOs orders oldest first (mempool last), then by outpoint.
func sortUTXOs(us []UTXO) {
	sort.Slice(us, func(i, j int) bool {
		hi, hj := us[i].Height, us[j].Height
		if hi == 0 {
			hi = 1<<31 - 1
		}
		if hj == 0 {
			hj = 1<<31 - 1
		}
		if hi != hj {
			return hi < hj
		}
		return outPointLess(us[i].OutPoint, us[j].OutPoint)
	})
}

func outPointLess(a, b wire.OutPoint) bool {
	if c := bytes.Compare(a.Hash[:], b.Hash[:]); c != 0 {
		return c < 0
	}
	return a.Index < b.Index
}

// isNoAddressInfo recognises btcd's answer for an address without transactions.
func isNoAddressInfo(err error) bool {
	var rerr *RPCError
	return errors.As(err, &rerr) && rerr.Code == int(btcjson.ErrRPCNoTxInfo) &&
		strings.Contains(rerr.Message, "No information available about address")
}

// addrIndexHint adds what to do to a scan refused by a btcd without the
// address index.
func addrIndexHint(err error) error {
	var rerr *RPCError
	if errors.As(err, &rerr) && strings.Contains(rerr.Message, "--addrindex") {
		return transport.WithHint(err, "start btcd with --addrindex --txindex")
	}
	return err
}

// tipMoved says that every scan raced a new block; running the command
// again is all it takes once the node is quieter.
func tipMoved(backend string, attempts int) error {
	return transport.WithHint(fmt.Errorf("%s: the chain tip moved during each of %d scans", backend, attempts), "run the command again")
}

func isRPCCode(err error, code int) bool {
	var rerr *RPCError
	return errors.As(err, &rerr) && rerr.Code == code
}

func parseHash(name, method, s string) (chainhash.Hash, error) {
	h, err := chainhash.NewHashFromStr(s)
	if err != nil || len(s) != 2*chainhash.HashSize {
		return chainhash.Hash{}, fmt.Errorf("%s: %s: %q is not a 32-byte hash", name, method, snippet([]byte(s)))
	}
	return *h, nil
}

// decodeTx parses a hex transaction from a node and, if want is given, checks
// that it is the transaction asked for.
func decodeTx(name, method, s string, want *chainhash.Hash) (*wire.MsgTx, error) {
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: transaction is not hex", name, method)
	}
	tx := new(wire.MsgTx)
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("%s: %s: transaction does not parse: %v", name, method, err)
	}
	if want != nil {
		if got := tx.TxHash(); got != *want {
			return nil, fmt.Errorf("%s: %s: asked for transaction %s, got %s", name, method, want, got)
		}
	}
	return tx, nil
}

func encodeTx(tx *wire.MsgTx) (string, error) {
	if tx == nil {
		return "", errors.New("no transaction given")
	}
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return "", fmt.Errorf("serializing transaction: %v", err)
	}
	return hex.EncodeToString(buf.Bytes()), nil
}
