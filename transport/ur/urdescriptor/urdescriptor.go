// Package urdescriptor converts watch-only wallet descriptors to and from
// the UR registry types other wallets show as QR codes:
//
//	crypto-output      BCR-2020-010 (Sparrow, Keystone, Passport, BlueWallet)
//	output-descriptor  BCR-2023-010, the newer text-with-key-references form
//
// Decoding turns either into descriptor text (with a BIP380 checksum) and
// leaves every check of what that text says — script shapes airsign
// supports, key origins against the xpubs, network — to
// descriptor.ParseStrict, so a QR code is held to exactly the rules of a
// typed descriptor. Encoding writes crypto-output the way Sparrow does: the
// account key with its origin, coin info and parent fingerprint, and no
// children when the wallet uses the standard <0;1>/* branches.
//
// A key without children is read as the account key of a standard wallet,
// <0;1>/*, as Sparrow and Keystone read it (even in an output-descriptor,
// where text would mean a single key). Every key needs its origin (master
// fingerprint and whole path) and, below depth 1, its parent fingerprint:
// without them the xpub — and the descriptor ID the operator compares —
// would be rebuilt differently from the exporting wallet's.
//
// Private keys are refused, and no error quotes key material.
package urdescriptor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/ur/cbor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// UR types this package reads; Encode writes TypeCryptoOutput.
const (
	TypeCryptoOutput     = "crypto-output"
	TypeOutputDescriptor = "output-descriptor"
)

// CBOR tags of BCR-2020-006/007/010 (crypto-*) and their BCR-2023
// renumbering (40300+), both of which appear in the wild.
const (
	tagHDKey        = 303
	tagKeypath      = 304
	tagCoinInfo     = 305
	tagECKey        = 306
	tagAddress      = 307
	tagCryptoOutput = 308
	tagSH           = 400
	tagWSH          = 401
	tagPK           = 402
	tagPKH          = 403
	tagWPKH         = 404
	tagCombo        = 405
	tagMulti        = 406
	tagSortedMulti  = 407
	tagRaw          = 408
	tagTR           = 409
	tagCosigner     = 410
	tagHDKeyV2      = 40303
	tagKeypathV2    = 40304
	tagCoinInfoV2   = 40305
	tagECKeyV2      = 40306
	tagAddressV2    = 40307
	tagOutputDescV2 = 40308
)

// scriptFuncs names the descriptor function of each script-expression tag.
var scriptFuncs = map[uint64]string{
	tagSH: "sh", tagWSH: "wsh", tagPK: "pk", tagPKH: "pkh", tagWPKH: "wpkh",
	tagCombo: "combo", tagMulti: "multi", tagSortedMulti: "sortedmulti",
	tagTR: "tr", tagCosigner: "cosigner",
}

// Network classes a decoded descriptor's keys can name. The test networks
// share one class: crypto-hdkey (and the tpub version) cannot tell
// testnet, signet and regtest apart.
const (
	NetUnknown = ""
	NetMain    = "mainnet"
	NetTest    = "test"
)

// Decoded is a descriptor read from a UR.
type Decoded struct {
	// Text is the descriptor with its checksum, xpubs written with the
	// version of Net (xpub for mainnet or unknown, tpub for test).
	Text string
	// Net is the network class the keys' coin info names (NetUnknown
	// when none does).
	Net string
	// Name is the wallet name an output-descriptor carries, if any. It
	// is outside input: show it quoted, never trust it.
	Name string
}

// Decode reads the CBOR message of a crypto-output or output-descriptor UR.
func Decode(urType string, message []byte) (*Decoded, error) {
	it, err := cbor.Decode(message)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", urType, err)
	}
	d := &decoder{}
	var body string
	switch urType {
	case TypeCryptoOutput:
		// The registry type is untagged at top level; accept the tag
		// crypto-output carries inside crypto-account as well.
		if c, tag, ok := it.Untag(); ok && tag == tagCryptoOutput {
			it = c
		}
		body, err = d.script(it, 0)
	case TypeOutputDescriptor:
		body, err = d.outputDescriptor(it)
	default:
		return nil, fmt.Errorf("UR type %q does not hold a wallet descriptor (expected %s or %s)", urType, TypeCryptoOutput, TypeOutputDescriptor)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", urType, err)
	}
	net := d.netClass()
	if net == NetTest {
		// Rewrite every xpub with the test version: decoding could only
		// learn the network after writing the first keys.
		body = d.retag(body)
	}
	text, err := withChecksum(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", urType, err)
	}
	return &Decoded{Text: text, Net: net, Name: d.name}, nil
}

func withChecksum(body string) (string, error) {
	sum, err := descriptor.Checksum(body)
	if err != nil {
		return "", errors.New("the descriptor it holds has a character outside BIP380's set")
	}
	return body + "#" + sum, nil
}

// netClass is the network the keys named: by coin info, else by a BIP43
// origin's coin type.
func (d *decoder) netClass() string {
	if d.infoNet != NetUnknown {
		return d.infoNet
	}
	return d.pathNet
}

// decoder collects what the keys say while the script is converted.
type decoder struct {
	infoNet string // what coin info said
	pathNet string // what the last BIP43 origin's coin type said
	name    string
	nKeys   int
	lastKey string // the last key written, without children
	// accountLevel ignores children: crypto-account outputs are account
	// keys (BCR-2020-015), though older Keystone firmware adds 0/*.
	accountLevel bool
	// xpubs maps the mainnet text of each key written to its test text.
	xpubs [][2]string
}

// bip43Purposes are the hardened purposes whose next step is the coin type.
var bip43Purposes = map[uint32]bool{
	hdkeychain.HardenedKeyStart + 44: true, hdkeychain.HardenedKeyStart + 45: true,
	hdkeychain.HardenedKeyStart + 48: true, hdkeychain.HardenedKeyStart + 49: true,
	hdkeychain.HardenedKeyStart + 84: true, hdkeychain.HardenedKeyStart + 86: true,
	hdkeychain.HardenedKeyStart + 87: true,
}

// setNet records the network class one key's coin info names.
func (d *decoder) setNet(net, what string) error {
	if d.infoNet != NetUnknown && d.infoNet != net {
		return fmt.Errorf("its keys' %s names different networks (mainnet and testnet)", what)
	}
	d.infoNet = net
	return nil
}

// maxScriptDepth is deeper than any script airsign supports
// (sh(wsh(sortedmulti))) and shallow enough to stop silly nesting early.
const maxScriptDepth = 4

// script converts a crypto-output script expression to descriptor text.
func (d *decoder) script(it cbor.Item, depth int) (string, error) {
	if depth >= maxScriptDepth {
		return "", errors.New("script expressions nest deeper than any wallet airsign supports")
	}
	content, tag, ok := it.Untag()
	if !ok {
		return "", fmt.Errorf("expected a tagged script expression (400–410), found a %s", it.Kind)
	}
	switch tag {
	case tagAddress, tagAddressV2:
		return "", errors.New("it holds a single address (addr), not a wallet; export the wallet's descriptor instead")
	case tagRaw:
		return "", errors.New("it holds a raw script, not a wallet of keys")
	case tagHDKey, tagECKey, tagHDKeyV2, tagECKeyV2:
		return "", errors.New("it holds a bare key without a script type (wpkh, tr, …)")
	}
	name, ok := scriptFuncs[tag]
	if !ok {
		return "", fmt.Errorf("unknown script expression tag %d", tag)
	}
	switch tag {
	case tagSH, tagWSH, tagTR:
		// tr takes a key in the registry, sh and wsh a script; a key
		// where a script goes is left for ParseStrict to name.
		if _, inner, ok := content.Untag(); ok && scriptFuncs[inner] == "" {
			k, err := d.key(content)
			if err != nil {
				return "", err
			}
			return name + "(" + k + ")", nil
		}
		s, err := d.script(content, depth+1)
		if err != nil {
			return "", err
		}
		return name + "(" + s + ")", nil
	case tagMulti, tagSortedMulti:
		return d.multi(name, content)
	}
	k, err := d.key(content)
	if err != nil {
		return "", err
	}
	return name + "(" + k + ")", nil
}

// multi converts a multikey map {1: threshold, 2: [keys]}.
func (d *decoder) multi(name string, it cbor.Item) (string, error) {
	if it.Kind != cbor.Map {
		return "", fmt.Errorf("%s: expected a map {threshold, keys}, found a %s", name, it.Kind)
	}
	th, ok := it.Lookup(1)
	if !ok || th.Kind != cbor.Uint {
		return "", fmt.Errorf("%s: no threshold (key 1, an unsigned integer)", name)
	}
	keys, ok := it.Lookup(2)
	if !ok || keys.Kind != cbor.Array || len(keys.Items) == 0 {
		return "", fmt.Errorf("%s: no keys (key 2, an array)", name)
	}
	if len(keys.Items) > descriptor.MaxMultisigKeys {
		return "", fmt.Errorf("%s: %d keys; at most %d are allowed", name, len(keys.Items), descriptor.MaxMultisigKeys)
	}
	if th.N < 1 || th.N > uint64(len(keys.Items)) {
		return "", fmt.Errorf("%s: threshold %d is not between 1 and the number of keys (%d)", name, th.N, len(keys.Items))
	}
	parts := []string{strconv.FormatUint(th.N, 10)}
	for _, k := range keys.Items {
		s, err := d.key(k)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return name + "(" + strings.Join(parts, ",") + ")", nil
}

// outputDescriptor converts BCR-2023-010: #6.40308({1: source, ?2: [keys],
// ?3: name}), where the source text refers to keys as @0, @1, ….
func (d *decoder) outputDescriptor(it cbor.Item) (string, error) {
	if c, tag, ok := it.Untag(); ok {
		if tag != tagOutputDescV2 {
			return "", fmt.Errorf("expected tag %d (output-descriptor), found tag %d", tagOutputDescV2, tag)
		}
		it = c
	}
	if it.Kind != cbor.Map {
		return "", fmt.Errorf("expected a map, found a %s", it.Kind)
	}
	src, ok := it.Lookup(1)
	if !ok || src.Kind != cbor.Text || src.Text == "" {
		return "", errors.New("no source text (key 1)")
	}
	if n, ok := it.Lookup(3); ok {
		if n.Kind != cbor.Text {
			return "", errors.New("the name (key 3) is not text")
		}
		d.name = n.Text
	}
	var keys []string
	if ks, ok := it.Lookup(2); ok {
		if ks.Kind != cbor.Array {
			return "", errors.New("the keys (key 2) are not an array")
		}
		if len(ks.Items) > descriptor.MaxMultisigKeys {
			return "", fmt.Errorf("%d keys; at most %d are allowed", len(ks.Items), descriptor.MaxMultisigKeys)
		}
		for _, k := range ks.Items {
			s, err := d.key(k)
			if err != nil {
				return "", err
			}
			keys = append(keys, s)
		}
	}
	text, _, _ := strings.Cut(src.Text, "#") // a checksum over @N placeholders means nothing
	return substitute(text, keys)
}

// substitute replaces each @N of an output-descriptor source with key N.
func substitute(src string, keys []string) (string, error) {
	var b strings.Builder
	used := make([]bool, len(keys))
	for i := 0; i < len(src); i++ {
		if src[i] != '@' {
			b.WriteByte(src[i])
			continue
		}
		j := i + 1
		for j < len(src) && src[j] >= '0' && src[j] <= '9' && j-i <= 3 {
			j++
		}
		n, err := strconv.Atoi(src[i+1 : j])
		if err != nil || n >= len(keys) {
			return "", fmt.Errorf("the source text refers to key @%s, but it carries %d keys", clip(src[i+1:j]), len(keys))
		}
		b.WriteString(keys[n])
		used[n] = true
		i = j - 1
	}
	for n, u := range used {
		if !u {
			return "", fmt.Errorf("key %d (@%d) is not used by the source text", n+1, n)
		}
	}
	return b.String(), nil
}

func clip(s string) string {
	if s == "" {
		return "(nothing)"
	}
	return s
}

// key converts a tagged crypto-hdkey to "[fp/path]xpub/children". Bare EC
// keys become their hex, which ParseStrict then refuses with its reason.
func (d *decoder) key(it cbor.Item) (string, error) {
	d.nKeys++
	n := d.nKeys
	content, tag, ok := it.Untag()
	if !ok {
		return "", fmt.Errorf("key %d: expected a tagged key (crypto-hdkey), found a %s", n, it.Kind)
	}
	switch tag {
	case tagAddress, tagAddressV2:
		return "", fmt.Errorf("key %d is a single address (addr), not a wallet; export the wallet's descriptor instead", n)
	case tagHDKey, tagHDKeyV2:
		s, err := d.hdkey(content, true)
		if err != nil {
			return "", fmt.Errorf("key %d: %w", n, err)
		}
		return s, nil
	case tagECKey, tagECKeyV2:
		if private, ok := content.Lookup(2); ok && private.Kind == cbor.Bool && private.Bool {
			return "", fmt.Errorf("key %d is a private key: airsign-online holds only public keys, and this QR code must be destroyed", n)
		}
		data, ok := content.Lookup(3)
		if !ok || data.Kind != cbor.Bytes || len(data.Bytes) != 33 {
			return "", fmt.Errorf("key %d: a crypto-eckey without a 33-byte public key", n)
		}
		return fmt.Sprintf("%x", data.Bytes), nil
	}
	return "", fmt.Errorf("key %d: expected crypto-hdkey (tag %d), found tag %d", n, tagHDKey, tag)
}

// hdkey converts a crypto-hdkey map (BCR-2020-007) to
// "[fp/path]xpub", followed by its children steps when withChildren.
func (d *decoder) hdkey(m cbor.Item, withChildren bool) (string, error) {
	if m.Kind != cbor.Map {
		return "", fmt.Errorf("expected a map, found a %s", m.Kind)
	}
	for i := 0; i < len(m.Items); i += 2 {
		if m.Items[i].Kind != cbor.Uint || m.Items[i].N < 1 || m.Items[i].N > 10 {
			return "", errors.New("a crypto-hdkey field other than 1–10")
		}
	}
	if v, ok := m.Lookup(1); ok && (v.Kind != cbor.Bool || v.Bool) {
		return "", errors.New("it is a master private key: airsign-online holds only public keys, and this QR code must be destroyed")
	}
	if v, ok := m.Lookup(2); ok && (v.Kind != cbor.Bool || v.Bool) {
		return "", errors.New("it is a private key: airsign-online holds only public keys, and this QR code must be destroyed")
	}
	keyData, ok := m.Lookup(3)
	if !ok || keyData.Kind != cbor.Bytes || len(keyData.Bytes) != 33 || keyData.Bytes[0] != 2 && keyData.Bytes[0] != 3 {
		return "", errors.New("no compressed public key (field 3 must be 33 bytes starting 02 or 03)")
	}
	chain, ok := m.Lookup(4)
	if !ok || chain.Kind != cbor.Bytes || len(chain.Bytes) != 32 {
		return "", errors.New("no chain code (field 4, 32 bytes): addresses cannot be derived without it")
	}
	if err := d.useInfo(m); err != nil {
		return "", err
	}
	var (
		fp    [4]byte
		hasFP bool
		path  []uint32
	)
	o, ok := m.Lookup(6)
	if !ok {
		// Without an origin the depth is unknown: the xpub would be
		// rebuilt as a master key with a made-up fingerprint.
		return "", errors.New("no origin (field 6): airsign needs the key's master fingerprint and derivation path")
	}
	kp, err := keypath(o, "origin")
	if err != nil {
		return "", err
	}
	for _, c := range kp.components {
		if c.kind != stepIndex {
			return "", errors.New("the origin path has a wildcard, range or pair; it must be plain steps")
		}
		path = append(path, c.index)
	}
	if kp.depth >= 0 && kp.depth != len(path) {
		return "", fmt.Errorf("the origin gives %d of the key's %d derivation steps; airsign needs the whole path from the master key", len(path), kp.depth)
	}
	fp, hasFP = kp.fingerprint, kp.hasFingerprint
	if len(path) > 0 && !hasFP {
		return "", errors.New("the origin has no master key fingerprint; a signer could not recognise its key in a PSBT")
	}
	if len(path) == 0 && !hasFP && kp.depth != 0 {
		return "", errors.New("the origin has neither a path nor a master key fingerprint: say depth 0 for a master key")
	}
	if len(path) > 255 {
		return "", errors.New("the origin path is longer than 255 steps")
	}
	// Without coin info, a BIP43 origin's coin type names the network.
	if len(path) >= 2 && bip43Purposes[path[0]] && d.infoNet == NetUnknown {
		switch path[1] {
		case hdkeychain.HardenedKeyStart:
			d.pathNet = NetMain
		case hdkeychain.HardenedKeyStart + 1:
			d.pathNet = NetTest
		}
	}
	var parent uint32
	if p, ok := m.Lookup(8); ok {
		if p.Kind != cbor.Uint || p.N == 0 || p.N > 0xffffffff {
			return "", errors.New("the parent fingerprint (field 8) is not a nonzero 32-bit number")
		}
		parent = uint32(p.N)
	} else if len(path) == 1 {
		parent = binary.BigEndian.Uint32(fp[:]) // the master is the parent
	} else if len(path) > 1 {
		// The parent fingerprint is part of the xpub: made up, it would
		// change the descriptor ID and the PSBT_GLOBAL_XPUB of every
		// multisig PSBT, which hardware signers check.
		return "", errors.New("no parent fingerprint (field 8): without it the xpub, and the wallet's descriptor ID, would differ from the exporting wallet's")
	}
	var child uint32
	if len(path) > 0 {
		child = path[len(path)-1]
	}
	var parentBytes [4]byte
	binary.BigEndian.PutUint32(parentBytes[:], parent)
	xk := hdkeychain.NewExtendedKey(chaincfg.MainNetParams.HDPublicKeyID[:], keyData.Bytes, chain.Bytes, parentBytes[:], uint8(len(path)), child, false)
	if _, err := xk.ECPubKey(); err != nil {
		return "", errors.New("the public key (field 3) is not a point on secp256k1")
	}
	mainText := xk.String()
	testKey := hdkeychain.NewExtendedKey(chaincfg.TestNet3Params.HDPublicKeyID[:], keyData.Bytes, chain.Bytes, parentBytes[:], uint8(len(path)), child, false)
	d.xpubs = append(d.xpubs, [2]string{mainText, testKey.String()})

	var b strings.Builder
	if hasFP {
		fmt.Fprintf(&b, "[%x", fp)
		for _, p := range path {
			b.WriteString("/" + formatStep(p))
		}
		b.WriteString("]")
	}
	b.WriteString(mainText)
	d.lastKey = b.String()
	if !withChildren {
		return b.String(), nil
	}
	children := "/<0;1>/*" // Sparrow's and Keystone's convention for an account key
	if c, ok := m.Lookup(7); ok && !d.accountLevel {
		kp, err := keypath(c, "children")
		if err != nil {
			return "", err
		}
		if children, err = childSteps(kp); err != nil {
			return "", err
		}
	}
	b.WriteString(children)
	return b.String(), nil
}

// useInfo checks crypto-coininfo {1: type, 2: network}: Bitcoin only, and
// one network across all keys.
func (d *decoder) useInfo(m cbor.Item) error {
	u, ok := m.Lookup(5)
	if !ok {
		return nil
	}
	c, tag, tagged := u.Untag()
	if !tagged || (tag != tagCoinInfo && tag != tagCoinInfoV2) || c.Kind != cbor.Map {
		return errors.New("the use-info (field 5) is not a tagged crypto-coininfo map")
	}
	net := NetMain
	if t, ok := c.Lookup(1); ok {
		switch {
		case t.Kind == cbor.Uint && t.N == 0:
		case t.Kind == cbor.Uint && t.N == 1:
			// SLIP-44 type 1, "testnet (all coins)": what some older
			// firmware writes for a test-network Bitcoin key.
			net = NetTest
		default:
			return errors.New("the key is for another coin than Bitcoin (coin info type is neither 0 nor 1)")
		}
	}
	if n, ok := c.Lookup(2); ok {
		switch {
		case n.Kind == cbor.Uint && n.N == 0 && net == NetMain:
		case n.Kind == cbor.Uint && n.N == 1:
			net = NetTest
		case n.Kind == cbor.Uint && n.N == 0:
			return errors.New("the coin info says testnet coin type but mainnet network")
		default:
			return errors.New("the coin info network is neither 0 (mainnet) nor 1 (testnet)")
		}
	}
	return d.setNet(net, "coin info")
}

type stepKind int

const (
	stepIndex stepKind = iota
	stepWildcard
	stepRange
	stepPair
)

type step struct {
	kind     stepKind
	index    uint32 // with HardenedKeyStart added when hardened
	pair     [2]uint32
	hardened bool
}

type parsedKeypath struct {
	components     []step
	fingerprint    [4]byte
	hasFingerprint bool
	depth          int // -1 when absent
}

// keypath parses a tagged crypto-keypath (BCR-2020-007).
func keypath(it cbor.Item, what string) (parsedKeypath, error) {
	kp := parsedKeypath{depth: -1}
	c, tag, ok := it.Untag()
	if !ok || (tag != tagKeypath && tag != tagKeypathV2) || c.Kind != cbor.Map {
		return kp, fmt.Errorf("the %s is not a tagged crypto-keypath map", what)
	}
	// BCR-2020-007 makes components mandatory, but its own test vector
	// 5 omits them for a master key's origin {depth: 0}: read that as no
	// steps.
	comps, ok := c.Lookup(1)
	if ok && comps.Kind != cbor.Array {
		return kp, fmt.Errorf("the %s components are not an array", what)
	}
	items := comps.Items
	for i := 0; i < len(items); i++ {
		var s step
		switch el := items[i]; {
		case el.Kind == cbor.Uint:
			if el.N >= hdkeychain.HardenedKeyStart {
				return kp, fmt.Errorf("the %s has a child index of 2^31 or more", what)
			}
			s = step{kind: stepIndex, index: uint32(el.N)}
		case el.Kind == cbor.Array && len(el.Items) == 0:
			s = step{kind: stepWildcard}
		case el.Kind == cbor.Array && len(el.Items) == 2:
			s = step{kind: stepRange}
		case el.Kind == cbor.Array && len(el.Items) == 4:
			var p [2]uint32
			for j := 0; j < 2; j++ {
				idx, h := el.Items[2*j], el.Items[2*j+1]
				if idx.Kind != cbor.Uint || idx.N >= hdkeychain.HardenedKeyStart || h.Kind != cbor.Bool {
					return kp, fmt.Errorf("the %s has a malformed <a;b> pair", what)
				}
				p[j] = uint32(idx.N)
				if h.Bool {
					p[j] += hdkeychain.HardenedKeyStart
				}
			}
			kp.components = append(kp.components, step{kind: stepPair, pair: p})
			continue // a pair carries its own hardened flags
		default:
			return kp, fmt.Errorf("the %s has a component that is neither an index, a wildcard, a range nor a pair", what)
		}
		i++
		if i >= len(items) || items[i].Kind != cbor.Bool {
			return kp, fmt.Errorf("the %s has a component without its hardened flag", what)
		}
		s.hardened = items[i].Bool
		if s.hardened && s.kind == stepIndex {
			s.index += hdkeychain.HardenedKeyStart
		}
		kp.components = append(kp.components, s)
	}
	if len(kp.components) > 255 {
		return kp, fmt.Errorf("the %s is longer than 255 steps", what)
	}
	if f, ok := c.Lookup(2); ok {
		if f.Kind != cbor.Uint || f.N == 0 || f.N > 0xffffffff {
			return kp, fmt.Errorf("the %s fingerprint is not a nonzero 32-bit number", what)
		}
		binary.BigEndian.PutUint32(kp.fingerprint[:], uint32(f.N))
		kp.hasFingerprint = true
	}
	if dp, ok := c.Lookup(3); ok {
		if dp.Kind != cbor.Uint || dp.N > 255 {
			return kp, fmt.Errorf("the %s depth is not a number from 0 to 255", what)
		}
		kp.depth = int(dp.N)
	}
	return kp, nil
}

// childSteps converts the children keypath to the text after the xpub:
// "/<a;b>/*" or "/N/*". ParseStrict then decides whether the branches are
// ones airsign uses.
func childSteps(kp parsedKeypath) (string, error) {
	if len(kp.components) != 2 || kp.components[1].kind != stepWildcard || kp.components[1].hardened {
		return "", errors.New("the children path is not BRANCH/* or <0;1>/* (airsign derives addresses as …/branch/index, unhardened)")
	}
	switch c := kp.components[0]; c.kind {
	case stepIndex:
		if c.hardened {
			return "", errors.New("the children path has a hardened branch, which a watch-only wallet cannot derive")
		}
		return "/" + strconv.FormatUint(uint64(c.index), 10) + "/*", nil
	case stepPair:
		if c.pair[0] >= hdkeychain.HardenedKeyStart || c.pair[1] >= hdkeychain.HardenedKeyStart {
			return "", errors.New("the children path has a hardened branch, which a watch-only wallet cannot derive")
		}
		return fmt.Sprintf("/<%d;%d>/*", c.pair[0], c.pair[1]), nil
	}
	return "", errors.New("the children path is not BRANCH/* or <0;1>/*")
}

// retag rewrites the mainnet xpubs written during decoding as tpubs.
func (d *decoder) retag(body string) string {
	for _, x := range d.xpubs {
		body = strings.ReplaceAll(body, x[0], x[1])
	}
	return body
}

func formatStep(p uint32) string {
	if p >= hdkeychain.HardenedKeyStart {
		return strconv.FormatUint(uint64(p-hdkeychain.HardenedKeyStart), 10) + "h"
	}
	return strconv.FormatUint(uint64(p), 10)
}
