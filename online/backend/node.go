package backend

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// The questions btcd and Bitcoin Core answer the same way over JSON-RPC,
// asked once here for both.

// genesisHash asks for the hash of block 0.
func (c *rpcClient) genesisHash(ctx context.Context) (chainhash.Hash, error) {
	var s string
	if err := c.do(ctx, true, &s, "getblockhash", 0); err != nil {
		return chainhash.Hash{}, err
	}
	return parseHash(c.name(), "getblockhash", s)
}

// tipHeight asks for the best block's height.
func (c *rpcClient) tipHeight(ctx context.Context) (int32, error) {
	var n int64
	if err := c.do(ctx, true, &n, "getblockcount"); err != nil {
		return 0, err
	}
	if n < 0 || n > 1<<31-1 {
		return 0, fmt.Errorf("%s: getblockcount: height %d out of range", c.name(), n)
	}
	return int32(n), nil
}

// sendRawTransaction submits tx once (a send is never retried: a lost
// reply must not become a second send), with the node's extra parameters
// after the transaction, and checks the node names the same txid.
func (c *rpcClient) sendRawTransaction(ctx context.Context, tx *wire.MsgTx, extra ...any) (chainhash.Hash, error) {
	rawHex, err := encodeTx(tx)
	if err != nil {
		return chainhash.Hash{}, err
	}
	txid := tx.TxHash()
	var s string
	if err := c.do(ctx, false, &s, "sendrawtransaction", append([]any{rawHex}, extra...)...); err != nil {
		return chainhash.Hash{}, sendError(c.name(), txid, err)
	}
	got, err := parseHash(c.name(), "sendrawtransaction", s)
	if err != nil {
		return chainhash.Hash{}, err
	}
	if got != txid {
		return chainhash.Hash{}, fmt.Errorf("%s: sendrawtransaction returned txid %s for transaction %s", c.name(), got, txid)
	}
	return txid, nil
}
