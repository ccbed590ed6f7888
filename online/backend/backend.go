// Package backend is airsign-online's view of the chain: the few questions the
// watch-only wallet, prepare, broadcast and status commands ask a node, behind one
// small interface so btcd, Bitcoin Core and Esplora can answer them.
//
// A backend is trusted for availability, not for correctness where airsign can check:
// every transaction a backend returns is hashed and compared with the txid that was
// asked for, so a lying node cannot slip a different previous transaction into a
// PSBT's non_witness_utxo. Credentials never appear in Name, errors or logs.
package backend

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Backend is what airsign-online needs from a chain source. Each method is one
// question a command asks; implementations may use several calls to answer it.
type Backend interface {
	// Name identifies the backend in messages, e.g. "btcd at http://127.0.0.1:18334".
	// It never contains credentials.
	Name() string

	// GenesisHash returns the hash of the node's block 0. Callers compare it with the
	// wallet's network (see CheckNetwork) so a mainnet wallet never talks to a
	// testnet node or the other way round.
	GenesisHash(ctx context.Context) (chainhash.Hash, error)

	// TipHeight returns the height of the node's best block: prepare needs it for
	// the anti-fee-sniping locktime and utxos for confirmation counts.
	TipHeight(ctx context.Context) (int32, error)

	// ScanAddresses tells, for each address, whether any transaction in the chain
	// or the mempool pays or spends it (the gap-limit scan needs "used", not just
	// "funded"), and which of its outputs are unspent now. The result is keyed by
	// the address's EncodeAddress(); every requested address has an entry. Outputs
	// spent by a mempool transaction are not listed; outputs of mempool
	// transactions are, with 0 confirmations.
	ScanAddresses(ctx context.Context, addrs []btcutil.Address) (map[string]AddressInfo, error)

	// RawTransaction returns a full transaction by txid: prepare puts the previous
	// transaction of every segwit v0 input into the PSBT (non_witness_utxo), which
	// is the signer's defence against the fee attack of CVE-2020-14199. The result
	// is checked to hash to txid. A transaction the backend does not know yields an
	// error wrapping ErrNotFound.
	RawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error)

	// TestMempoolAccept asks whether the node would accept tx now, without sending
	// it, so broadcast can stop with the node's reason before anything leaves.
	// maxFeeRate caps the fee rate in sat/vB; 0 means the node's default
	// (0.1 BTC/kvB = 10,000 sat/vB on btcd and Bitcoin Core).
	TestMempoolAccept(ctx context.Context, tx *wire.MsgTx, maxFeeRate float64) (Acceptance, error)

	// SendRawTransaction hands tx to the node for relay and returns its txid. It is
	// never retried: a lost reply must not become a second send. A transaction the
	// node already has (in the mempool or the chain) yields an error wrapping
	// ErrAlreadyKnown, so broadcast can report the status instead of failing.
	// maxFeeRate is as for TestMempoolAccept (backends without a cap ignore it).
	SendRawTransaction(ctx context.Context, tx *wire.MsgTx, maxFeeRate float64) (chainhash.Hash, error)

	// TxStatus reports where a transaction is: unknown, in the mempool, or in a
	// block with some confirmations. Unknown is a status, not an error.
	TxStatus(ctx context.Context, txid chainhash.Hash) (TxStatus, error)

	// EstimateFeeRate returns the node's fee-rate estimate in sat/vB for
	// confirmation within targetBlocks. ok is false when the node has no estimate
	// (fresh regtest, too few blocks seen); prepare then falls back and warns.
	EstimateFeeRate(ctx context.Context, targetBlocks int) (satPerVB float64, ok bool, err error)
}

// AddressInfo is what a scan knows about one address.
type AddressInfo struct {
	// Used is true if any transaction in the chain or the mempool pays or spends
	// the address. Backends that only see the UTXO set (Bitcoin Core's
	// scantxoutset) can only report "has unspent outputs"; see their docs.
	Used bool
	// UTXOs are the address's unspent outputs, oldest first.
	UTXOs []UTXO
	// Txids are every transaction in the chain or the mempool that pays or
	// spends the address, where the backend can list them (btcd's address
	// index); nil where it cannot (Bitcoin Core's scantxoutset sees only
	// unspent outputs, Esplora's would cost a request per address more).
	// History needs them: a payment whose coin was spent before any scan
	// saw it leaves no unspent output behind.
	Txids []chainhash.Hash
}

// UTXO is one unspent output paying a scanned address.
type UTXO struct {
	OutPoint wire.OutPoint
	Amount   btcutil.Amount
	PkScript []byte
	// Confirmations is 0 for an output of a mempool transaction.
	Confirmations int32
	// Height is the block height of the output's transaction, 0 when unconfirmed.
	Height int32
	// Coinbase outputs cannot be spent before CoinbaseMaturity confirmations.
	Coinbase bool
}

// InMempool reports whether the output's transaction is still unconfirmed.
func (u UTXO) InMempool() bool { return u.Confirmations == 0 }

// Immature reports whether u is a coinbase output the network would not yet let
// us spend in the next block (fewer than params.CoinbaseMaturity confirmations).
func (u UTXO) Immature(params *chaincfg.Params) bool {
	return u.Coinbase && u.Confirmations < int32(params.CoinbaseMaturity)
}

// Acceptance is the node's verdict on a transaction it was asked to test.
type Acceptance struct {
	Txid  chainhash.Hash
	Wtxid chainhash.Hash
	// Allowed is true if the node would accept the transaction into its mempool.
	Allowed bool
	// Reason is the node's reject reason when Allowed is false.
	Reason string
	// AlreadyKnown is true when the rejection is only that the node already has
	// the transaction (mempool or chain): broadcasting again is then a no-op.
	AlreadyKnown bool
	// VSize and Fee are filled when the node reports them (0 otherwise).
	VSize int64
	Fee   btcutil.Amount
}

// TxStatus says where a transaction is.
type TxStatus struct {
	// Known is false when the backend has the transaction neither in a block nor
	// in its mempool.
	Known     bool
	InMempool bool
	// Confirmations is 0 unless the transaction is in a block of the best chain.
	Confirmations int32
	BlockHash     chainhash.Hash
	BlockHeight   int32
}

// ErrAlreadyKnown is wrapped by SendRawTransaction's error when the node already
// has the transaction; broadcast treats it as success and reports the status.
var ErrAlreadyKnown = errors.New("the node already has this transaction")

// ErrNotFound is wrapped when the backend does not know the requested
// transaction.
var ErrNotFound = errors.New("not found")

// ErrUnauthorized is wrapped when the node refuses the RPC credentials.
var ErrUnauthorized = errors.New("credentials refused")

// ErrUnavailable is wrapped when the backend could not be reached or did not
// answer in time (connection refused, timeout, DNS failure, HTTP 5xx without a
// JSON-RPC reply). For a send this means the outcome is unknown.
var ErrUnavailable = errors.New("backend unavailable")

// CheckNetwork returns an error if b's chain is not the one params describe, so a
// wallet never prepares or broadcasts on the wrong network.
func CheckNetwork(ctx context.Context, b Backend, params *chaincfg.Params) error {
	got, err := b.GenesisHash(ctx)
	if err != nil {
		return err
	}
	if got.IsEqual(params.GenesisHash) {
		return nil
	}
	return fmt.Errorf("%s is on %s but the wallet is for %s (genesis block %s, expected %s)",
		b.Name(), networkName(got), params.Name, got, params.GenesisHash)
}

// networkName names the network whose genesis block is h, for error messages.
func networkName(h chainhash.Hash) string {
	for _, p := range []*chaincfg.Params{
		&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.RegressionNetParams,
		&chaincfg.SigNetParams, &chaincfg.SimNetParams,
	} {
		if h.IsEqual(p.GenesisHash) {
			return p.Name
		}
	}
	if h.String() == testnet4Genesis {
		return "testnet4"
	}
	return "an unknown network"
}

// testnet4Genesis is BIP94's genesis block hash (not in the btcd v0.24 chaincfg).
const testnet4Genesis = "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"

// isCoinbase reports whether tx is a coinbase transaction (one input spending
// the null outpoint).
func isCoinbase(tx *wire.MsgTx) bool {
	if len(tx.TxIn) != 1 {
		return false
	}
	prev := tx.TxIn[0].PreviousOutPoint
	return prev.Index == wire.MaxPrevOutIndex && prev.Hash == (chainhash.Hash{})
}

// satPerVBToBTCPerKvB converts a fee rate for the RPC interfaces that take BTC/kvB.
func satPerVBToBTCPerKvB(satPerVB float64) float64 {
	return satPerVB * 1000 / btcutil.SatoshiPerBitcoin
}
