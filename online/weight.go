package online

import "github.com/btcsuite/btcd/wire"

// txWeight is the BIP141 weight of a signed transaction.
func txWeight(tx *wire.MsgTx) int64 {
	return int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
}
