package online

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/airsign/airsign/psbt"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// Payment is one --to ADDR:AMOUNT.
type Payment struct {
	Address btcutil.Address
	Amount  int64
}

// ParseAmount reads an amount in BTC ("0.015", at most 8 decimals) or in
// satoshis with a "sat" suffix ("1500000sat"), exactly, without floating
// point, so what the operator typed is what is paid.
func ParseAmount(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if v, ok := strings.CutSuffix(strings.ToLower(s), "sat"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 || n > btcutil.MaxSatoshi {
			return 0, fmt.Errorf("amount %q: expected a whole number of satoshis between 1 and 21 million BTC", s)
		}
		return n, nil
	}
	whole, frac, hasDot := strings.Cut(strings.TrimSuffix(strings.ToLower(s), "btc"), ".")
	whole = strings.TrimSpace(whole)
	frac = strings.TrimSpace(frac)
	if whole == "" {
		whole = "0"
	}
	if (hasDot && frac == "" && whole == "0") || len(frac) > 8 || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("amount %q: expected BTC with at most 8 decimals (0.015) or satoshis (1500000sat)", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 21_000_000 {
		return 0, fmt.Errorf("amount %q: more than 21 million BTC", s)
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 8-len(frac)), 10, 64)
	}
	n := w*1e8 + f
	if n <= 0 || n > btcutil.MaxSatoshi {
		return 0, fmt.Errorf("amount %q: must be more than zero and at most 21 million BTC", s)
	}
	return n, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseAddress decodes an address and checks it belongs to net: btcd's
// decoder accepts a bech32 address of any network, so the check is ours.
// Only the five standard address types are payable: a raw public key or a
// pay-to-anchor output is refused as an unknown address type, and so are
// segwit versions this build does not know.
func ParseAddress(s string, net *chaincfg.Params) (btcutil.Address, error) {
	s = strings.TrimSpace(s)
	a, err := btcutil.DecodeAddress(s, net)
	if err != nil {
		var v btcutil.UnsupportedWitnessVerError
		if errors.As(err, &v) {
			return nil, fmt.Errorf("address %q is of an unknown address type (segwit version %d); airsign pays p2pkh, p2sh, p2wpkh, p2wsh and p2tr addresses", s, byte(v))
		}
		return nil, fmt.Errorf("address %q is not a valid Bitcoin address: %v", s, err)
	}
	switch a.(type) {
	case *btcutil.AddressPubKeyHash, *btcutil.AddressScriptHash, *btcutil.AddressWitnessPubKeyHash,
		*btcutil.AddressWitnessScriptHash, *btcutil.AddressTaproot:
	case *btcutil.AddressPubKey:
		return nil, fmt.Errorf("%q is a bare public key (p2pk), an unknown address type for payments; airsign pays p2pkh, p2sh, p2wpkh, p2wsh and p2tr addresses", s)
	default:
		return nil, fmt.Errorf("address %q is of an unknown address type (not a payment address, e.g. pay-to-anchor); airsign pays p2pkh, p2sh, p2wpkh, p2wsh and p2tr addresses", s)
	}
	if !a.IsForNet(net) {
		return nil, fmt.Errorf("address %q is not a %s address; check you copied the right one", s, net.Name)
	}
	return a, nil
}

// ParsePayment reads ADDR:AMOUNT.
func ParsePayment(s string, net *chaincfg.Params) (Payment, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return Payment{}, fmt.Errorf("--to %q: expected ADDRESS:AMOUNT, e.g. bc1q…:0.015", s)
	}
	addr, err := ParseAddress(s[:i], net)
	if err != nil {
		return Payment{}, err
	}
	amt, err := ParseAmount(s[i+1:])
	if err != nil {
		return Payment{}, err
	}
	return Payment{Address: addr, Amount: amt}, nil
}

// amount formats satoshis for the screen: BTC with 8 decimals by default,
// satoshis with --sats (env AIRSIGN_SATS=1). JSON always carries integer
// satoshis in fields ending in _sat, whatever the screen shows.
func (e *Env) amount(sat int64) string { return psbt.FormatAmount(sat, e.Sats) }
