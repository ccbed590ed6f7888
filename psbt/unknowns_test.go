package psbt

import (
	"strings"
	"testing"

	"github.com/btcsuite/btcd/wire"
)

// TestKeepUnknownsOtherTransaction: fields are only carried between PSBTs
// of one transaction.
func TestKeepUnknownsOtherTransaction(t *testing.T) {
	mk := func(value int64) *Packet {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: 1}, nil, nil))
		tx.AddTxOut(wire.NewTxOut(value, []byte{0x51}))
		p, err := FromUnsignedTx(tx)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := mk(1000), mk(2000)
	if err := a.KeepUnknowns(b); err == nil || !strings.Contains(err.Error(), "is for transaction") {
		t.Fatalf("got %v, want a refusal naming the transaction", err)
	}
	if err := a.KeepUnknowns(mk(1000)); err != nil {
		t.Fatal(err)
	}
}
