package online

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// ParseOutPoint reads TXID:VOUT as wallets and block explorers print it.
func ParseOutPoint(s string) (wire.OutPoint, error) {
	s = strings.TrimSpace(s)
	txid, vout, ok := strings.Cut(s, ":")
	if !ok {
		return wire.OutPoint{}, fmt.Errorf("%q is not an outpoint: expected TXID:VOUT (64 hex digits, a colon, the output number)", s)
	}
	if len(txid) != 2*chainhash.HashSize || !isHex(txid) {
		return wire.OutPoint{}, fmt.Errorf("outpoint %q: the txid must be 64 hex digits", s)
	}
	h, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		return wire.OutPoint{}, fmt.Errorf("outpoint %q: %v", s, err)
	}
	n, err := strconv.ParseUint(vout, 10, 32)
	if err != nil || !digits(vout) {
		return wire.OutPoint{}, fmt.Errorf("outpoint %q: the output number must be a whole number below 4294967296", s)
	}
	return wire.OutPoint{Hash: *h, Index: uint32(n)}, nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
