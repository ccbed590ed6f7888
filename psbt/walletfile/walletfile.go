// Package walletfile finds the watch-only wallet in the files other
// wallets write: BIP129 (BSMS) descriptor records (read by
// psbt/descriptor/bsms), Coldcard's multisig setup file and generic JSON export,
// receive/change descriptor pairs and labelled descriptor lines (Sparrow,
// Bitcoin Core), Bitcoin Core's listdescriptors and importdescriptors JSON
// (and Coldcard's Bitcoin Core export around the latter), Electrum wallet files, Caravan, Specter Desktop,
// Keystone/Cobo and Wasabi exports.
//
// Each reader turns the file into one output descriptor with a checksum
// (multipath <0;1> when the file describes both branches), or says which
// fields were missing or what it cannot represent. Nothing is guessed:
// a file holding several wallets needs the caller to pick one, and a
// script the descriptor package does not support is refused by name.
// The descriptor returned is still to be parsed (and so checked) by the
// caller with psbt/descriptor, for the network it uses.
package walletfile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// Network classes a file can name. A file that says "testnet" cannot tell
// testnet from signet or regtest (same key versions), so only the class is
// reported; the strings are those of transport/ur/urdescriptor.
const (
	NetMain = "mainnet"
	NetTest = "test"
)

// Wallet is what a wallet file says about one watch-only wallet.
type Wallet struct {
	// Descriptor is the wallet's descriptor with its #checksum.
	Descriptor string
	// Format names the file's format for messages, e.g. "Coldcard
	// multisig setup file".
	Format string
	// Name is the wallet's name in the file ("" if it has none).
	Name string
	// Net is NetMain or NetTest when the file names its network or its
	// keys' versions do, else "".
	Net string
	// First is the first receive address the file states, "" if none;
	// Check compares it with the descriptor's.
	First string
	// Picked says the caller's type chose this wallet among several.
	Picked bool
	// NoChecksum says the file carried the descriptor without a BIP380
	// checksum (Specter, Keystone) and the checksum was computed here.
	NoChecksum bool
}

// Errors callers tell apart.
var (
	// ErrNotWalletFile: the data is none of the formats this package
	// reads (a plain single descriptor, airsign's own enrollment file);
	// the caller reads it its own way.
	ErrNotWalletFile = errors.New("not another wallet's export")
	// ErrMissing: the file is of a known format but lacks a field the
	// wallet needs.
	ErrMissing = errors.New("a field the wallet needs is missing")
	// ErrChoose: the file holds several wallets and no type was given.
	ErrChoose = errors.New("the file holds several wallets")
	// ErrUnsupported: the file's wallet is of a kind airsign cannot use
	// (legacy P2SH or P2PKH, unsorted multi, …).
	ErrUnsupported = errors.New("a wallet airsign does not support")
	// ErrInconsistent: parts of the file disagree with each other.
	ErrInconsistent = errors.New("the file contradicts itself")
)

// maxFile bounds what Read looks at: a 20-key multisig setup file is a few
// KB; an Electrum wallet file with history can be larger.
const maxFile = 4 << 20

// Read finds the wallet in data. typ picks a single-key wallet (wpkh,
// sh-wpkh or tr) out of a file that holds several (Coldcard generic JSON,
// Wasabi); "" accepts a file's only wallet. It returns ErrNotWalletFile
// (wrapped) for data it does not recognise, so the caller can go on.
func Read(data []byte, typ string) (*Wallet, error) {
	if len(data) > maxFile {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrNotWalletFile, maxFile>>20)
	}
	if IsBSMS(data) {
		return ReadBSMS(data)
	}
	s := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	if strings.HasPrefix(s, "{") {
		return readJSON([]byte(s), typ)
	}
	if strings.HasPrefix(s, "[") && strings.Contains(s, `"desc"`) {
		return readCoreImport([]byte(s), typ, "Bitcoin Core importdescriptors request")
	}
	return readText(s, typ)
}

// Check compares the first receive address the file states with the one
// the parsed descriptor derives: a file whose keys were altered, or a
// misreading of its script type, shows up here. Scripts are compared, so a
// testnet address in the file matches the same wallet used on regtest.
func (w *Wallet) Check(d *descriptor.Descriptor) error {
	if w.First == "" {
		return nil
	}
	der, err := d.Derive(0, 0)
	if err != nil {
		return err
	}
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.RegressionNetParams, &chaincfg.SigNetParams} {
		a, err := btcutil.DecodeAddress(w.First, net)
		if err != nil || !a.IsForNet(net) {
			continue
		}
		if script, err := txscript.PayToAddrScript(a); err == nil && bytes.Equal(script, der.Script) {
			return nil
		}
		break
	}
	return fmt.Errorf("%w: the file says the first receive address is %s but its keys give %s: the file was altered or is for another script type", ErrInconsistent, w.First, der.Address.EncodeAddress())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// shapes maps a --type to the descriptor's outer shape.
var shapes = map[string]string{"wpkh": "wpkh(%s)", "sh-wpkh": "sh(wpkh(%s))", "tr": "tr(%s)"}

// keyExpr is one key of a wallet being assembled from a file's fields.
type keyExpr struct {
	fp   string // 8 hex digits, lower case
	path string // "48h/0h/0h/2h"
	xpub string // standard version (xpub/tpub)
	test bool
}

// newKey checks and normalises one key's fields; what names the key in
// messages ("key 2", "x1/").
func newKey(what, fp, path, xpub string) (keyExpr, error) {
	var k keyExpr
	fp = strings.ToLower(strings.TrimSpace(fp))
	if len(fp) != 8 || strings.Trim(fp, "0123456789abcdef") != "" {
		return k, fmt.Errorf("%s: the master fingerprint %q is not 8 hex digits", what, fp)
	}
	p, err := normalPath(path)
	if err != nil {
		return k, fmt.Errorf("%s: %w", what, err)
	}
	std, _, test, err := descriptor.StandardKey(strings.TrimSpace(xpub))
	if err != nil {
		return k, fmt.Errorf("%s: %w", what, err)
	}
	return keyExpr{fp: fp, path: p, xpub: std, test: test}, nil
}

// String is the key expression of a wallet's key: both branches.
func (k keyExpr) String() string {
	origin := k.fp
	if k.path != "" {
		origin += "/" + k.path
	}
	return "[" + origin + "]" + k.xpub + "/<0;1>/*"
}

// normalPath turns "m/48'/0'/0'/2'", "48'/0'/0'" or "m/84h/0h/0h" into
// "48h/0h/0h/2h"; "m" alone is the master ("").
func normalPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", fmt.Errorf("%w: no derivation path", ErrMissing)
	}
	p = strings.TrimPrefix(strings.TrimPrefix(p, "m"), "M")
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return "", nil
	}
	steps := strings.Split(p, "/")
	for i, s := range steps {
		hard := strings.HasSuffix(s, "'") || strings.HasSuffix(s, "h") || strings.HasSuffix(s, "H")
		n := strings.TrimRight(s, "'hH")
		if n == "" || len(n) > 10 || strings.Trim(n, "0123456789") != "" {
			return "", fmt.Errorf("derivation path %q: step %d is not a number", p, i+1)
		}
		if hard {
			n += "h"
		}
		steps[i] = n
	}
	return strings.Join(steps, "/"), nil
}

// netOf is the network class of a set of keys; mixed classes are refused.
func netOf(keys []keyExpr) (string, error) {
	net := ""
	for i, k := range keys {
		c := NetMain
		if k.test {
			c = NetTest
		}
		if i > 0 && c != net {
			return "", fmt.Errorf("%w: key 1 is for %s but key %d is for %s", ErrInconsistent, net, i+1, c)
		}
		net = c
	}
	return net, nil
}

// withSum appends the BIP380 checksum to a descriptor body.
func withSum(body string) (string, error) {
	sum, err := descriptor.Checksum(body)
	if err != nil {
		return "", err
	}
	return body + "#" + sum, nil
}

// singleKey builds the descriptor of a single-key wallet of shape typ.
func singleKey(typ string, k keyExpr) (string, error) {
	return withSum(fmt.Sprintf(shapes[typ], k.String()))
}

// multisig builds a sortedmulti wallet; script is "p2wsh" or
// "p2sh-p2wsh" (lower case, '_' read as '-').
func multisig(script string, threshold int, keys []keyExpr) (string, error) {
	if len(keys) < 1 || len(keys) > descriptor.MaxMultisigKeys {
		return "", fmt.Errorf("%w: %d keys (a multisig has 1 to %d)", ErrInconsistent, len(keys), descriptor.MaxMultisigKeys)
	}
	if threshold < 1 || threshold > len(keys) {
		return "", fmt.Errorf("%w: a threshold of %d with %d keys", ErrInconsistent, threshold, len(keys))
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.String()
	}
	body := fmt.Sprintf("sortedmulti(%d,%s)", threshold, strings.Join(parts, ","))
	switch strings.ReplaceAll(strings.ToLower(script), "_", "-") {
	case "p2wsh":
		body = "wsh(" + body + ")"
	case "p2sh-p2wsh", "p2wsh-p2sh":
		body = "sh(wsh(" + body + "))"
	case "p2sh":
		return "", fmt.Errorf("%w: legacy P2SH multisig (sh(sortedmulti)); airsign supports P2WSH and P2SH-P2WSH", ErrUnsupported)
	default:
		return "", fmt.Errorf("%w: multisig script type %q (expected P2WSH or P2SH-P2WSH)", ErrUnsupported, script)
	}
	return withSum(body)
}
