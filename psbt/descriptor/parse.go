package descriptor

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// Errors callers may want to tell apart with errors.Is. Each is wrapped
// with the details (which key, what was expected).
var (
	// ErrPrivateKey: the descriptor holds a private key (xprv, tprv,
	// WIF). airsign's watch-only side must never receive one.
	ErrPrivateKey = errors.New("this is a private key; airsign-online only takes watch-only descriptors")
	// ErrWrongNetwork: a key or origin path is for another network than
	// the one airsign is set to.
	ErrWrongNetwork = errors.New("wrong network")
	// ErrUnsupported: valid descriptor syntax that airsign does not
	// support (other script types, taproot script paths, ...).
	ErrUnsupported = errors.New("not supported by airsign")
)

// classified is an error that matches one of the exported sentinel errors
// with errors.Is while keeping its own complete message.
type classified struct {
	msg   string
	class error
}

func (e *classified) Error() string        { return e.msg }
func (e *classified) Is(target error) bool { return target == e.class }

// unsupported is a refusal of valid descriptor syntax airsign does not
// support; it matches ErrUnsupported.
func unsupported(format string, args ...any) error {
	return &classified{fmt.Sprintf(format, args...), ErrUnsupported}
}

// wrongNetwork matches ErrWrongNetwork.
func wrongNetwork(format string, args ...any) error {
	return &classified{fmt.Sprintf(format, args...), ErrWrongNetwork}
}

// supported is appended to refusals of other script types.
const supported = "airsign supports wpkh, sh(wpkh), tr (key path only), wsh(sortedmulti) and sh(wsh(sortedmulti))"

// Parse reads a watch-only descriptor for network net. The "#checksum"
// suffix is optional, but when present it must match. Leading and
// trailing whitespace is ignored.
//
// Errors name the part at fault ("key 2: ...") and never quote key
// material.
func Parse(s string, net *chaincfg.Params) (*Descriptor, error) {
	d, _, err := parse(s, net)
	return d, err
}

// ParseStrict is Parse but also requires the "#checksum": use it for text
// typed or scanned by a person, where the checksum is the only guard
// against a mistyped derivation path or threshold.
func ParseStrict(s string, net *chaincfg.Params) (*Descriptor, error) {
	d, hadSum, err := parse(s, net)
	if err != nil {
		return nil, err
	}
	if !hadSum {
		// The checksum of the text as given (not of the canonical form),
		// so appending it to that text makes it valid.
		sum, _ := Checksum(strings.TrimSpace(s))
		return nil, fmt.Errorf("%w; expected #%s", ErrNoChecksum, sum)
	}
	return d, nil
}

func parse(s string, net *chaincfg.Params) (*Descriptor, bool, error) {
	if net == nil {
		return nil, false, errors.New("descriptor: no network given")
	}
	// A file saved by a Windows editor may start with a byte order mark.
	s = strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
	if s == "" {
		return nil, false, errors.New("the descriptor is empty")
	}
	body, hadSum, err := splitChecksum(s)
	if err != nil {
		return nil, false, err
	}
	d, err := parseBody(body, net)
	if err != nil {
		return nil, false, err
	}
	return d, hadSum, nil
}

// call splits "name(args)" into its name and top-level comma-separated
// arguments. ok is false when s is not a single well-formed call.
func call(s string) (name string, args []string, err error) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return "", nil, nil
	}
	name = s[:open]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "", nil, nil
		}
	}
	if name == "" {
		return "", nil, errors.New("a '(' without a script name before it")
	}
	if !strings.HasSuffix(s, ")") {
		return "", nil, fmt.Errorf("%s(...) is not closed by ')' at the end", safeName(name))
	}
	inner := s[open+1 : len(s)-1]
	depth, start := 0, 0
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			depth--
			if depth < 0 {
				return "", nil, fmt.Errorf("unbalanced brackets inside %s(...)", safeName(name))
			}
		case ',':
			if depth == 0 {
				args = append(args, inner[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return "", nil, fmt.Errorf("unbalanced brackets inside %s(...)", safeName(name))
	}
	args = append(args, inner[start:])
	return name, args, nil
}

// safeName returns a script name for an error message: names are short
// lowercase words; anything else is not echoed.
func safeName(name string) string {
	if len(name) == 0 || len(name) > 16 {
		return "script"
	}
	for i := 0; i < len(name); i++ {
		if !(name[i] >= 'a' && name[i] <= 'z' || name[i] == '_') {
			return "script"
		}
	}
	return name
}

// unsupportedScript builds the refusal for a known but unsupported (or
// unknown) script expression.
func unsupportedScript(name, where string) error {
	switch name {
	case "multi":
		return unsupported("multi() %s is not supported: use sortedmulti(), which every wallet orders the same way; %s", where, supported)
	case "pk", "pkh", "combo", "addr", "raw", "rawtr", "multi_a", "sortedmulti_a", "sortedmulti", "wpkh", "wsh", "sh", "tr", "musig":
		return unsupported("%s() %s is not supported; %s", name, where, supported)
	}
	return unsupported("unknown script expression %s(); %s", safeName(name), supported)
}

// findPrivateKey reports whether any token of the descriptor is a private
// key (WIF, or an extended private key of any version), so that pasting a
// spending key is refused as such whatever else is wrong with the text.
func findPrivateKey(body string) bool {
	for _, tok := range strings.FieldsFunc(body, func(r rune) bool { return strings.ContainsRune("()[]{},/<>;*# ", r) }) {
		if len(tok) < 50 || len(tok) > 120 {
			continue
		}
		if len(tok) == 111 && len(tok) > 4 && tok[1:4] == "prv" {
			return true // xprv, tprv, zprv, ... even if mistyped
		}
		if wif, err := btcutil.DecodeWIF(tok); err == nil {
			wif.PrivKey.Zero()
			return true
		}
		if xk, err := hdkeychain.NewKeyFromString(tok); err == nil && xk.IsPrivate() {
			xk.Zero()
			return true
		}
	}
	return false
}

func parseBody(body string, net *chaincfg.Params) (*Descriptor, error) {
	if findPrivateKey(body) {
		return nil, ErrPrivateKey
	}
	name, args, err := call(body)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("the descriptor must be a script expression such as wpkh(...); %s", supported)
	}
	d := &Descriptor{net: net, threshold: 1}
	var keyArgs []string
	switch name {
	case "wpkh":
		d.kind = WPKH
		if len(args) != 1 {
			return nil, fmt.Errorf("wpkh() takes one key, got %d arguments", len(args))
		}
		keyArgs = args
	case "tr":
		d.kind = TR
		if len(args) == 2 {
			return nil, unsupported("taproot script paths are not supported: airsign takes only key-path tr(KEY) wallets, without a script tree")
		}
		if len(args) != 1 {
			return nil, fmt.Errorf("tr() takes one key, got %d arguments", len(args))
		}
		keyArgs = args
	case "sh":
		if len(args) != 1 {
			return nil, fmt.Errorf("sh() takes one script, got %d arguments", len(args))
		}
		iname, iargs, err := call(args[0])
		if err != nil {
			return nil, err
		}
		switch iname {
		case "wpkh":
			d.kind = SHWPKH
			if len(iargs) != 1 {
				return nil, fmt.Errorf("sh(wpkh()) takes one key, got %d arguments", len(iargs))
			}
			keyArgs = iargs
		case "wsh":
			d.kind = SHWSHSortedMulti
			if len(iargs) != 1 {
				return nil, fmt.Errorf("sh(wsh()) takes one script, got %d arguments", len(iargs))
			}
			if keyArgs, err = parseMulti(d, iargs[0], "inside sh(wsh())"); err != nil {
				return nil, err
			}
		case "":
			return nil, unsupported("sh() must contain wpkh(...) or wsh(sortedmulti(...)); %s", supported)
		default:
			return nil, unsupportedScript(iname, "inside sh()")
		}
	case "wsh":
		d.kind = WSHSortedMulti
		if len(args) != 1 {
			return nil, fmt.Errorf("wsh() takes one script, got %d arguments", len(args))
		}
		if keyArgs, err = parseMulti(d, args[0], "inside wsh()"); err != nil {
			return nil, err
		}
	default:
		return nil, unsupportedScript(name, "as a wallet")
	}

	var branches []uint32
	for i, ka := range keyArgs {
		k, br, err := parseKey(ka, net)
		if err != nil {
			if len(keyArgs) == 1 {
				if errors.Is(err, ErrWrongNetwork) {
					return nil, err // already says "this descriptor's key"
				}
				return nil, fmt.Errorf("key: %w", err)
			}
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		if i == 0 {
			branches = br
		} else if branchSuffix(br) != branchSuffix(branches) {
			return nil, fmt.Errorf("key %d: ends in /%s/* but key 1 ends in /%s/*; all keys must use the same branches", i+1, branchSuffix(br), branchSuffix(branches))
		}
		for j, prev := range d.keys {
			if prev.XPub.String() == k.XPub.String() {
				return nil, fmt.Errorf("key %d is the same extended public key as key %d", i+1, j+1)
			}
		}
		d.keys = append(d.keys, k)
	}
	d.branches = branches
	return d.finish()
}

// parseMulti reads "sortedmulti(k,KEY,...)" into d.threshold and returns
// the key arguments.
func parseMulti(d *Descriptor, s, where string) ([]string, error) {
	name, args, err := call(s)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, unsupported("a bare key %s is not supported; %s", where, supported)
	}
	if name != "sortedmulti" {
		return nil, unsupportedScript(name, where)
	}
	if len(args) < 2 {
		return nil, errors.New("sortedmulti() needs a threshold and at least one key")
	}
	k, err := strconv.Atoi(args[0])
	if err != nil || args[0] == "" || args[0][0] < '0' || args[0][0] > '9' || len(args[0]) > 2 {
		return nil, errors.New("sortedmulti() threshold must be a number from 1 to the number of keys")
	}
	n := len(args) - 1
	if n > MaxMultisigKeys {
		return nil, fmt.Errorf("sortedmulti() has %d keys; at most %d are allowed", n, MaxMultisigKeys)
	}
	if k < 1 || k > n {
		return nil, fmt.Errorf("sortedmulti() threshold %d is not between 1 and the number of keys (%d)", k, n)
	}
	d.threshold = k
	return args[1:], nil
}

// Extended key version bytes (BIP32 and SLIP-132), used to say exactly
// what a key is when it is refused.
var (
	verXpub = [4]byte{0x04, 0x88, 0xb2, 0x1e}
	verTpub = [4]byte{0x04, 0x35, 0x87, 0xcf}
	slip132 = map[[4]byte]string{
		{0x04, 0x9d, 0x7c, 0xb2}: "ypub", {0x04, 0xb2, 0x47, 0x46}: "zpub",
		{0x02, 0x95, 0xb4, 0x3f}: "Ypub", {0x02, 0xaa, 0x7e, 0xd3}: "Zpub",
		{0x04, 0x4a, 0x52, 0x62}: "upub", {0x04, 0x5f, 0x1c, 0xf6}: "vpub",
		{0x02, 0x42, 0x89, 0xef}: "Upub", {0x02, 0x57, 0x54, 0x83}: "Vpub",
	}
)

// parseKey reads one KEY: optional origin, extended public key, then
// /0/*, /1/* or /<0;1>/*. It returns the key and its branches.
func parseKey(s string, net *chaincfg.Params) (Key, []uint32, error) {
	var k Key
	if s == "" {
		return k, nil, errors.New("missing: nothing between the brackets or commas")
	}
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return k, nil, errors.New("key origin '[' is not closed by ']'")
		}
		if err := parseOrigin(s[1:end], &k); err != nil {
			return k, nil, err
		}
		k.hasOrigin = true
		s = s[end+1:]
	}
	if strings.ContainsAny(s, "[]") {
		return k, nil, errors.New("misplaced '[' or ']': a key has at most one origin, at its start")
	}
	keyText, steps, _ := strings.Cut(s, "/")
	if keyText == "" {
		return k, nil, errors.New("no key after the origin")
	}
	xpub, err := parseExtendedKey(keyText, net)
	if err != nil {
		return k, nil, err
	}
	k.XPub = xpub

	if !k.hasOrigin {
		// Without an origin the signer could not recognise its keys in a
		// PSBT; only a master key (depth 0) is its own origin.
		if xpub.Depth() != 0 {
			return k, nil, fmt.Errorf("no key origin: write it as [fingerprint/path]xpub (the xpub is at depth %d, so the signer needs the path from its master key)", xpub.Depth())
		}
		fp, err := keyFingerprint(xpub)
		if err != nil {
			return k, nil, err
		}
		k.MasterFingerprint = fp
	} else if err := checkOrigin(k); err != nil {
		return k, nil, err
	}
	if err := checkCoinType(k.Path, net); err != nil {
		return k, nil, err
	}

	branches, err := parseChildSteps(steps, strings.Contains(s, "/"))
	if err != nil {
		return k, nil, err
	}
	return k, branches, nil
}

// parseOrigin reads "d34db33f/84h/0h/0h" into k.
func parseOrigin(s string, k *Key) error {
	fpText, path, _ := strings.Cut(s, "/")
	if len(fpText) != 8 {
		return fmt.Errorf("key origin fingerprint has %d characters; it must be 8 hex digits", len(fpText))
	}
	fp, err := hex.DecodeString(fpText)
	if err != nil {
		return errors.New("key origin fingerprint must be 8 hex digits")
	}
	copy(k.MasterFingerprint[:], fp)
	if !strings.Contains(s, "/") {
		return nil
	}
	for i, step := range strings.Split(path, "/") {
		p, err := parseStep(step, true)
		if err != nil {
			return fmt.Errorf("key origin step %d: %w", i+1, err)
		}
		k.Path = append(k.Path, p)
	}
	if len(k.Path) > 255 {
		return errors.New("key origin path is longer than 255 steps")
	}
	return nil
}

// parseStep reads one derivation step: a decimal number below 2^31,
// optionally followed by h or ' for hardened. BIP380 lists 'H' as
// invalid, and Bitcoin Core refuses it, so airsign does too.
func parseStep(s string, allowHardened bool) (uint32, error) {
	hardened := false
	switch {
	case s == "":
		return 0, errors.New("empty derivation step (a doubled or trailing '/')")
	case strings.HasSuffix(s, "h"), strings.HasSuffix(s, "'"):
		hardened = true
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "H"):
		return 0, errors.New("'H' is not a hardened marker in descriptors (BIP380); write h or '")
	}
	if s == "" || len(s) > 10 {
		return 0, errors.New("a derivation step must be a number below 2147483648")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("a derivation step must be a number, optionally followed by h or '")
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n >= hdkeychain.HardenedKeyStart {
		return 0, errors.New("a derivation step must be a number below 2147483648")
	}
	if hardened {
		if !allowHardened {
			return 0, errors.New("a hardened step after the xpub cannot be derived without the private key")
		}
		n += hdkeychain.HardenedKeyStart
	}
	return uint32(n), nil
}

// parseExtendedKey accepts an xpub or tpub for net and explains any
// other key: private keys, SLIP-132 variants, bare public keys, other
// networks.
func parseExtendedKey(s string, net *chaincfg.Params) (*hdkeychain.ExtendedKey, error) {
	if wif, err := btcutil.DecodeWIF(s); err == nil {
		wif.PrivKey.Zero()
		return nil, ErrPrivateKey
	}
	if len(s) == 66 || len(s) == 130 || len(s) == 64 {
		if _, err := hex.DecodeString(s); err == nil {
			return nil, unsupported("a bare public key is not supported: airsign needs an extended public key (xpub/tpub) with its origin, to derive addresses")
		}
	}
	xk, err := hdkeychain.NewKeyFromString(s)
	if err != nil {
		raw := base58.Decode(s)
		if len(raw) == 82 {
			return nil, errors.New("the extended key's checksum is wrong: it was altered or mistyped")
		}
		if len(raw) == 0 && s != "" {
			return nil, errors.New("not an extended public key (it is not valid base58)")
		}
		return nil, errors.New("not an extended public key (xpub/tpub)")
	}
	if xk.IsPrivate() {
		xk.Zero()
		return nil, ErrPrivateKey
	}
	var ver [4]byte
	copy(ver[:], xk.Version())
	switch {
	case ver == verXpub || ver == verTpub:
	case slip132[ver] != "":
		return nil, unsupported("SLIP-132 %s keys are not supported: convert it to an %s (same key, standard version bytes); the descriptor itself says the script type", slip132[ver], pubName(net))
	default:
		return nil, unsupported("an extended key with unknown version bytes %x is not supported", ver)
	}
	if !bytes.Equal(ver[:], net.HDPublicKeyID[:]) {
		return nil, wrongNetwork("this descriptor's key is for %s but airsign is set to %s", keyNet(ver), net.Name)
	}
	return xk, nil
}

func pubName(net *chaincfg.Params) string {
	if net.HDPublicKeyID == verXpub {
		return "xpub"
	}
	return "tpub"
}

func keyNet(ver [4]byte) string {
	if ver == verXpub {
		return "mainnet"
	}
	return "testnet/regtest/signet"
}

func coinNet(coin uint32) string {
	switch coin {
	case hdkeychain.HardenedKeyStart:
		return "mainnet"
	case hdkeychain.HardenedKeyStart + 1:
		return "test networks"
	}
	return "another coin"
}

// keyFingerprint is the BIP32 fingerprint of an extended key: the first
// 4 bytes of HASH160 of its compressed public key.
func keyFingerprint(xk *hdkeychain.ExtendedKey) ([4]byte, error) {
	var fp [4]byte
	pub, err := xk.ECPubKey()
	if err != nil {
		return fp, err
	}
	copy(fp[:], btcutil.Hash160(pub.SerializeCompressed()))
	return fp, nil
}

// checkOrigin verifies that the origin agrees with what the xpub records
// about itself (depth, child number, and for depth 1 its parent), which
// catches a truncated or mistyped origin path before it makes PSBTs the
// signer cannot recognise.
func checkOrigin(k Key) error {
	xk := k.XPub
	if int(xk.Depth()) != len(k.Path) {
		return fmt.Errorf("key origin has %d derivation steps but the xpub is at depth %d", len(k.Path), xk.Depth())
	}
	if len(k.Path) == 0 {
		fp, err := keyFingerprint(xk)
		if err != nil {
			return err
		}
		if fp != k.MasterFingerprint {
			return errors.New("key origin fingerprint is not this master key's fingerprint")
		}
		return nil
	}
	if last := k.Path[len(k.Path)-1]; last != xk.ChildIndex() {
		return fmt.Errorf("key origin ends in %s but the xpub is child %s of its parent", formatStep(last), formatStep(xk.ChildIndex()))
	}
	if len(k.Path) == 1 {
		var parent [4]byte
		binary.BigEndian.PutUint32(parent[:], xk.ParentFingerprint())
		if parent != k.MasterFingerprint {
			return fmt.Errorf("key origin fingerprint %x is not the xpub's parent fingerprint %x", k.MasterFingerprint, parent)
		}
	}
	return nil
}

// bip43Purposes are origin purposes whose second step is the coin type.
var bip43Purposes = map[uint32]bool{44: true, 45: true, 48: true, 49: true, 84: true, 86: true, 87: true}

// checkCoinType refuses an origin path m/purpose'/coin'/... whose coin
// type (0 for mainnet, 1 for the test networks) is for another network.
func checkCoinType(path []uint32, net *chaincfg.Params) error {
	if len(path) < 2 || path[0] < hdkeychain.HardenedKeyStart || !bip43Purposes[path[0]-hdkeychain.HardenedKeyStart] {
		return nil
	}
	want := net.HDCoinType + hdkeychain.HardenedKeyStart
	if path[1] != want {
		return wrongNetwork("the key origin's coin type is %s (%s) but airsign is set to %s, which uses %s", formatStep(path[1]), coinNet(path[1]), net.Name, formatStep(want))
	}
	return nil
}

// parseChildSteps reads what follows the xpub: "0/*", "1/*" or "<0;1>/*".
func parseChildSteps(s string, hadSlash bool) ([]uint32, error) {
	const want = "after the xpub airsign expects /<0;1>/*, /0/* or /1/*"
	if !hadSlash {
		return nil, fmt.Errorf("the key has no /* wildcard: a wallet needs a range of addresses; %s", want)
	}
	parts := strings.Split(s, "/")
	last := parts[len(parts)-1]
	switch last {
	case "*":
	case "*h", "*'", "*H":
		return nil, errors.New("a hardened wildcard (*h) cannot be derived from an xpub")
	default:
		return nil, fmt.Errorf("the key does not end in /*; %s", want)
	}
	if len(parts) != 2 {
		return nil, fmt.Errorf("the key has %s after the xpub; %s", stepCount(len(parts)), want)
	}
	step := parts[0]
	if strings.HasPrefix(step, "<") {
		if !strings.HasSuffix(step, ">") {
			return nil, errors.New("multipath step '<' is not closed by '>'")
		}
		elems := strings.Split(step[1:len(step)-1], ";")
		if len(elems) != 2 {
			return nil, fmt.Errorf("a multipath step must be <0;1> (receive;change), it has %d elements", len(elems))
		}
		var vals [2]uint32
		for i, e := range elems {
			v, err := parseStep(e, false)
			if err != nil {
				return nil, fmt.Errorf("multipath element %d: %w", i+1, err)
			}
			vals[i] = v
		}
		if vals != [2]uint32{0, 1} {
			return nil, fmt.Errorf("multipath step is <%d;%d>; airsign needs <0;1> (receive;change)", vals[0], vals[1])
		}
		return []uint32{0, 1}, nil
	}
	if strings.ContainsAny(step, "<>;") {
		return nil, errors.New("malformed multipath step: write <0;1>")
	}
	v, err := parseStep(step, false)
	if err != nil {
		return nil, err
	}
	if v > 1 {
		return nil, fmt.Errorf("the key's branch is /%d/*; %s", v, want)
	}
	return []uint32{v}, nil
}

// stepCount says "1 step" or "N steps".
func stepCount(n int) string {
	if n == 1 {
		return "1 step"
	}
	return fmt.Sprintf("%d steps", n)
}
