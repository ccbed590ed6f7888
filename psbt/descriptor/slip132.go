package descriptor

import (
	"errors"
	"strings"

	"github.com/btcsuite/btcd/btcutil/base58"
)

// StandardKey rewrites an extended public key written with SLIP-132
// version bytes (ypub, zpub, Ypub, Zpub and their test-network forms, as
// Coldcard, Electrum, Keystone and Cobo export them) to the BIP32 xpub or
// tpub with the same key, which is what a descriptor holds. It returns
// the key, the prefix it came with ("zpub", or "xpub" when nothing was
// changed) and whether it is a test-network key. Descriptors say the
// script type themselves, so the prefix is only a hint for formats that
// do not.
func StandardKey(s string) (key, prefix string, test bool, err error) {
	raw, ver, cerr := base58.CheckDecode(s)
	if cerr != nil || len(raw) != 77 {
		return "", "", false, errors.New("not an extended public key (its base58 checksum or length is wrong)")
	}
	var v [4]byte
	v[0] = ver
	copy(v[1:], raw[:3])
	switch {
	case v == verXpub:
		return s, "xpub", false, nil
	case v == verTpub:
		return s, "tpub", true, nil
	}
	name := slip132[v]
	if name == "" {
		return "", "", false, errors.New("an extended key with unknown version bytes (not xpub/tpub nor SLIP-132)")
	}
	test = strings.ContainsAny(name[:1], "uUvV")
	std := verXpub
	if test {
		std = verTpub
	}
	full := append([]byte{}, std[1:]...)
	full = append(full, raw[3:]...)
	return base58.CheckEncode(full, std[0]), name, test, nil
}
