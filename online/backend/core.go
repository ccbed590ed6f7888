package backend

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Core is the backend for a Bitcoin Core node over JSON-RPC, without a wallet
// on the node: UTXOs come from scantxoutset (a pass over the UTXO set, minutes
// on mainnet), checked against the mempool with gettxout.
//
// Limits, from what those calls can see:
//   - AddressInfo.Used means "holds unspent outputs now": an address whose
//     coins were all spent looks unused, so a gap-limit scan may stop early.
//   - Unconfirmed outputs paying the wallet are not listed (scantxoutset reads
//     the confirmed UTXO set only); outputs spent by a mempool transaction are
//     left out.
//   - Without -txindex, Core finds a confirmed transaction only given its block:
//     RawTransaction works for outputs found by a scan of this Core value, and
//     TxStatus finds a confirmed transaction only while one of its first
//     coreStatusProbe outputs is unspent.
type Core struct {
	rpc *rpcClient

	mu sync.Mutex
	// where remembers the block of each transaction a scan found outputs of,
	// so RawTransaction works on nodes without -txindex.
	where map[chainhash.Hash]coreLocation
}

type coreLocation struct {
	blockHash string // may be empty on Core < 28, then height is used
	height    int32
}

var _ Backend = (*Core)(nil)

// NewCore checks cfg and returns a Bitcoin Core backend (cookie file or
// user/password). It does not contact the node.
func NewCore(cfg Config) (*Core, error) {
	c, err := newRPCClient("Bitcoin Core", cfg)
	if err != nil {
		return nil, err
	}
	return &Core{rpc: c, where: make(map[chainhash.Hash]coreLocation)}, nil
}

// Name is "Bitcoin Core at <url>", without credentials.
func (c *Core) Name() string { return c.rpc.name() }

// GenesisHash asks for the hash of block 0.
func (c *Core) GenesisHash(ctx context.Context) (chainhash.Hash, error) {
	return c.rpc.genesisHash(ctx)
}

// TipHeight asks for the best block's height.
func (c *Core) TipHeight(ctx context.Context) (int32, error) { return c.rpc.tipHeight(ctx) }

// coreScanResult is scantxoutset's answer to "start" (Core 0.17–29).
type coreScanResult struct {
	Success   *bool  `json:"success"` // absent before 0.19
	Height    int64  `json:"height"`
	BestBlock string `json:"bestblock"`
	Unspents  []struct {
		Txid          string  `json:"txid"`
		Vout          uint32  `json:"vout"`
		ScriptPubKey  string  `json:"scriptPubKey"`
		Desc          string  `json:"desc"`
		Amount        float64 `json:"amount"`
		Coinbase      *bool   `json:"coinbase"`      // Core 25+
		Height        int64   `json:"height"`        // block height of the output
		BlockHash     string  `json:"blockhash"`     // Core 28+
		Confirmations *int64  `json:"confirmations"` // Core 28+
	} `json:"unspents"`
}

// ScanAddresses runs one scantxoutset over addr(...) descriptors for all the
// addresses, then gettxout (mempool included) on each output found, to drop
// those a mempool transaction spends. See the type's doc for what Core cannot
// tell.
func (c *Core) ScanAddresses(ctx context.Context, addrs []btcutil.Address) (map[string]AddressInfo, error) {
	scripts := make(map[string]string, len(addrs))
	result := make(map[string]AddressInfo, len(addrs))
	var descs []string
	for i, a := range addrs {
		if a == nil {
			return nil, fmt.Errorf("scan: address %d is missing", i+1)
		}
		s, err := txscript.PayToAddrScript(a)
		if err != nil {
			return nil, fmt.Errorf("scan: address %d (%s): %v", i+1, a.EncodeAddress(), err)
		}
		enc := a.EncodeAddress()
		if _, dup := result[enc]; dup {
			continue
		}
		result[enc] = AddressInfo{}
		scripts[hex.EncodeToString(s)] = enc
		descs = append(descs, "addr("+enc+")")
	}
	if len(descs) == 0 {
		return result, nil
	}

	// One pass over the UTXO set; never retried (a timed-out scan may still be
	// running on the node, and a second one would be refused).
	res, err := c.rpc.batchTimeout(ctx, false, c.rpc.cfg.ScanTimeout, []call{{"scantxoutset", []any{"start", descs}}})
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			c.abortScan()
		}
		return nil, err
	}
	var scan coreScanResult
	if err := c.rpc.decode(res[0], "scantxoutset", &scan); err != nil {
		var rerr *RPCError
		if errors.As(err, &rerr) && strings.Contains(rerr.Message, "in progress") {
			return nil, fmt.Errorf("%w (another scantxoutset is running on the node; wait, or run `bitcoin-cli scantxoutset abort`)", err)
		}
		return nil, err
	}
	if scan.Success != nil && !*scan.Success {
		return nil, fmt.Errorf("%s: scantxoutset did not complete (aborted?)", c.Name())
	}
	if scan.BestBlock == "" && scan.Height == 0 {
		// Core 0.17/0.18 do not say at which height they scanned.
		tip, err := c.TipHeight(ctx)
		if err != nil {
			return nil, err
		}
		scan.Height = int64(tip)
	}
	if scan.Height < 0 || scan.Height > 1<<31-1 {
		return nil, fmt.Errorf("%s: scantxoutset: height %d out of range", c.Name(), scan.Height)
	}

	type found struct {
		addr string
		utxo UTXO
		loc  coreLocation
	}
	var outs []found
	for i, u := range scan.Unspents {
		txid, err := chainhash.NewHashFromStr(u.Txid)
		if err != nil || len(u.Txid) != 2*chainhash.HashSize {
			return nil, fmt.Errorf("%s: scantxoutset: unspent %d: bad txid %q", c.Name(), i+1, snippet([]byte(u.Txid)))
		}
		addr, ok := scripts[strings.ToLower(u.ScriptPubKey)]
		if !ok {
			return nil, fmt.Errorf("%s: scantxoutset: unspent %d (%s:%d) pays script %s, which is none of ours",
				c.Name(), i+1, txid, u.Vout, snippet([]byte(u.ScriptPubKey)))
		}
		amt, err := btcutil.NewAmount(u.Amount)
		if err != nil || amt <= 0 {
			return nil, fmt.Errorf("%s: scantxoutset: unspent %d: bad amount %v", c.Name(), i+1, u.Amount)
		}
		if u.Height < 0 || u.Height > scan.Height {
			return nil, fmt.Errorf("%s: scantxoutset: unspent %d at height %d above the scan's %d", c.Name(), i+1, u.Height, scan.Height)
		}
		pk, _ := hex.DecodeString(u.ScriptPubKey)
		f := found{addr: addr, loc: coreLocation{blockHash: u.BlockHash, height: int32(u.Height)}}
		f.utxo = UTXO{
			OutPoint:      wire.OutPoint{Hash: *txid, Index: u.Vout},
			Amount:        amt,
			PkScript:      pk,
			Height:        int32(u.Height),
			Confirmations: int32(scan.Height - u.Height + 1),
		}
		if u.Coinbase != nil {
			f.utxo.Coinbase = *u.Coinbase
		}
		outs = append(outs, f)
	}

	// gettxout with include_mempool=true answers null for an output a mempool
	// transaction spends; it also tells coinbase-ness on Core < 25.
	for start := 0; start < len(outs); start += scanTxOutsPerBatch {
		chunk := outs[start:min(start+scanTxOutsPerBatch, len(outs))]
		calls := make([]call, len(chunk))
		for i, f := range chunk {
			calls[i] = call{"gettxout", []any{f.utxo.OutPoint.Hash.String(), f.utxo.OutPoint.Index, true}}
		}
		replies, err := c.rpc.batch(ctx, true, calls)
		if err != nil {
			return nil, err
		}
		for i, f := range chunk {
			var r *btcjson.GetTxOutResult
			if err := c.rpc.decode(replies[i], "gettxout", &r); err != nil {
				return nil, fmt.Errorf("checking output %s of %s: %w", f.utxo.OutPoint, f.addr, err)
			}
			// Remember where the funding transaction is even for an output
			// a mempool transaction spends: bump needs exactly those
			// (the inputs of the transaction it replaces).
			c.mu.Lock()
			c.where[f.utxo.OutPoint.Hash] = f.loc
			c.mu.Unlock()
			if r == nil {
				continue // spent in the mempool (or in a block after the scan)
			}
			if err := checkTxOut(r, wire.NewTxOut(int64(f.utxo.Amount), f.utxo.PkScript)); err != nil {
				return nil, fmt.Errorf("%s: gettxout %s: %v", c.Name(), f.utxo.OutPoint, err)
			}
			f.utxo.Coinbase = f.utxo.Coinbase || r.Coinbase
			info := result[f.addr]
			info.Used = true
			info.UTXOs = append(info.UTXOs, f.utxo)
			result[f.addr] = info
		}
	}
	for a, info := range result {
		sortUTXOs(info.UTXOs)
		result[a] = info
	}
	return result, nil
}

// abortScan asks Core to stop a scan we gave up waiting for (best effort).
func (c *Core) abortScan() {
	ctx, cancel := context.WithTimeout(context.Background(), c.rpc.cfg.Timeout)
	defer cancel()
	_ = c.rpc.do(ctx, false, nil, "scantxoutset", "abort")
}

// RawTransaction asks getrawtransaction; for a transaction a scan found, it
// names the block, which Core needs when it runs without -txindex.
func (c *Core) RawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	params := []any{txid.String(), false}
	c.mu.Lock()
	loc, ok := c.where[txid]
	c.mu.Unlock()
	if ok {
		bh := loc.blockHash
		if bh == "" {
			if err := c.rpc.do(ctx, true, &bh, "getblockhash", loc.height); err != nil {
				return nil, err
			}
		}
		params = append(params, bh)
	}
	var s string
	err := c.rpc.do(ctx, true, &s, "getrawtransaction", params...)
	if isRPCCode(err, int(btcjson.ErrRPCInvalidAddressOrKey)) {
		return nil, fmt.Errorf("%s does not know transaction %s (without -txindex Core finds only mempool transactions and those in a block it is told): restart Core with -txindex=1, or use --backend btcd: %w",
			c.Name(), txid, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeTx(c.Name(), "getrawtransaction", s, &txid)
}

// TestMempoolAccept runs Core's testmempoolaccept. maxFeeRate 0 leaves Core's
// default cap (0.1 BTC/kvB); it is never sent as 0, which Core reads as "no cap".
func (c *Core) TestMempoolAccept(ctx context.Context, tx *wire.MsgTx, maxFeeRate float64) (Acceptance, error) {
	rawHex, err := encodeTx(tx)
	if err != nil {
		return Acceptance{}, err
	}
	params := []any{[]string{rawHex}}
	if maxFeeRate > 0 {
		params = append(params, satPerVBToBTCPerKvB(maxFeeRate))
	}
	var res []btcjson.TestMempoolAcceptResult
	if err := c.rpc.do(ctx, true, &res, "testmempoolaccept", params...); err != nil {
		return Acceptance{}, err
	}
	return acceptanceFrom(c.Name(), tx, res)
}

// SendRawTransaction submits tx once. Core answers a transaction already in its
// mempool with its txid (success), and one already mined with error -27.
func (c *Core) SendRawTransaction(ctx context.Context, tx *wire.MsgTx, maxFeeRate float64) (chainhash.Hash, error) {
	if maxFeeRate > 0 {
		return c.rpc.sendRawTransaction(ctx, tx, satPerVBToBTCPerKvB(maxFeeRate))
	}
	return c.rpc.sendRawTransaction(ctx, tx)
}

// coreStatusProbe is how many outputs TxStatus probes with gettxout when Core
// cannot look the transaction up (no -txindex).
const coreStatusProbe = 16

// TxStatus asks getrawtransaction (verbose). When Core does not find the
// transaction (no -txindex and not in the mempool), it probes the first
// coreStatusProbe outputs with gettxout: an unspent one tells the confirmations.
func (c *Core) TxStatus(ctx context.Context, txid chainhash.Hash) (TxStatus, error) {
	params := []any{txid.String(), true}
	c.mu.Lock()
	loc, known := c.where[txid]
	c.mu.Unlock()
	if known && loc.blockHash != "" {
		params = append(params, loc.blockHash)
	}
	var r btcjson.TxRawResult
	err := c.rpc.do(ctx, true, &r, "getrawtransaction", params...)
	if isRPCCode(err, int(btcjson.ErrRPCInvalidAddressOrKey)) {
		return c.statusByOutputs(ctx, txid)
	}
	if err != nil {
		return TxStatus{}, err
	}
	if r.Txid != txid.String() {
		return TxStatus{}, fmt.Errorf("%s: getrawtransaction answered for txid %s, we asked about %s", c.Name(), snippet([]byte(r.Txid)), txid)
	}
	if r.BlockHash == "" {
		return TxStatus{Known: true, InMempool: true}, nil
	}
	return c.statusInBlock(ctx, txid, r.BlockHash)
}

// statusInBlock completes a status from the block hash.
func (c *Core) statusInBlock(ctx context.Context, txid chainhash.Hash, blockHash string) (TxStatus, error) {
	bh, err := parseHash(c.Name(), "getrawtransaction", blockHash)
	if err != nil {
		return TxStatus{}, err
	}
	var hdr btcjson.GetBlockHeaderVerboseResult
	if err := c.rpc.do(ctx, true, &hdr, "getblockheader", bh.String(), true); err != nil {
		return TxStatus{}, err
	}
	if hdr.Hash != bh.String() {
		return TxStatus{}, fmt.Errorf("%s: getblockheader answered for block %s, we asked about %s", c.Name(), snippet([]byte(hdr.Hash)), bh)
	}
	if hdr.Confirmations < 1 || hdr.Confirmations > 1<<31-1 {
		// Core reports -1 for a block that is not in the best chain.
		return TxStatus{}, nil
	}
	return TxStatus{Known: true, Confirmations: int32(hdr.Confirmations), BlockHash: bh, BlockHeight: hdr.Height}, nil
}

// statusByOutputs finds a confirmed transaction through its unspent outputs.
func (c *Core) statusByOutputs(ctx context.Context, txid chainhash.Hash) (TxStatus, error) {
	calls := make([]call, coreStatusProbe)
	for i := range calls {
		calls[i] = call{"gettxout", []any{txid.String(), i, true}}
	}
	replies, err := c.rpc.batch(ctx, true, calls)
	if err != nil {
		return TxStatus{}, err
	}
	for i := range calls {
		var r *btcjson.GetTxOutResult
		if err := c.rpc.decode(replies[i], "gettxout", &r); err != nil {
			return TxStatus{}, err
		}
		if r == nil {
			continue
		}
		if r.Confirmations == 0 {
			return TxStatus{Known: true, InMempool: true}, nil
		}
		var hdr btcjson.GetBlockHeaderVerboseResult
		if err := c.rpc.do(ctx, true, &hdr, "getblockheader", r.BestBlock, true); err != nil {
			return TxStatus{}, err
		}
		height := int64(hdr.Height) - r.Confirmations + 1
		if height < 0 {
			return TxStatus{}, fmt.Errorf("%s: gettxout %s:%d: %d confirmations at height %d", c.Name(), txid, i, r.Confirmations, hdr.Height)
		}
		var bhs string
		if err := c.rpc.do(ctx, true, &bhs, "getblockhash", height); err != nil {
			return TxStatus{}, err
		}
		return c.statusInBlock(ctx, txid, bhs)
	}
	return TxStatus{}, nil
}

// coreMaxFeeTarget is the largest target estimatesmartfee accepts.
const coreMaxFeeTarget = 1008

// EstimateFeeRate asks estimatesmartfee (economical mode is Core's default).
func (c *Core) EstimateFeeRate(ctx context.Context, targetBlocks int) (float64, bool, error) {
	targetBlocks = max(1, min(targetBlocks, coreMaxFeeTarget))
	var r struct {
		FeeRate *float64 `json:"feerate"` // BTC/kvB
		Errors  []string `json:"errors"`
		Blocks  int64    `json:"blocks"`
	}
	if err := c.rpc.do(ctx, true, &r, "estimatesmartfee", targetBlocks); err != nil {
		return 0, false, err
	}
	if r.FeeRate == nil || *r.FeeRate <= 0 {
		return 0, false, nil
	}
	return *r.FeeRate * btcutil.SatoshiPerBitcoin / 1000, true, nil
}
