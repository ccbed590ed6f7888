// Package descriptor parses, prints and derives the watch-only output
// descriptors airsign uses to name a wallet (BIP380 checksum, BIP381,
// BIP382, BIP383, BIP386 key path, BIP389 multipath).
//
// It supports only what a cold-storage wallet needs, and refuses
// everything else with a reason:
//
//	wpkh(KEY)                     native segwit, single key   (BIP84)
//	sh(wpkh(KEY))                 nested segwit, single key   (BIP49)
//	tr(KEY)                       taproot key path only       (BIP86)
//	wsh(sortedmulti(k,KEY,...))   native segwit multisig      (BIP48 script 2h)
//	sh(wsh(sortedmulti(k,KEY,...)))  nested segwit multisig   (BIP48 script 1h)
//
// where KEY is [fingerprint/origin/path]xpub/<0;1>/* (or /0/* or /1/*).
// Keys are always extended public keys: a private key in a descriptor is
// refused, and no error message ever quotes key material.
//
// Fingerprints: a BIP32 fingerprint is 4 bytes, printed in descriptors as
// 8 hex digits in byte order ([d34db33f] is bytes d3 4d b3 3f). Where this
// package gives one as a uint32 (DerivedKey.Fingerprint, Locate) it follows
// btcd's psbt.Bip32Derivation.MasterKeyFingerprint: the little-endian
// uint32 of those bytes ([d34db33f] is 0x3fb34dd3), so fields copy straight
// into a PSBT.
package descriptor

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// Kind is the script template of a descriptor.
type Kind int

// The descriptor kinds airsign supports.
const (
	WPKH             Kind = iota + 1 // wpkh(KEY)
	SHWPKH                           // sh(wpkh(KEY))
	TR                               // tr(KEY), key path only
	WSHSortedMulti                   // wsh(sortedmulti(k,KEY,...))
	SHWSHSortedMulti                 // sh(wsh(sortedmulti(k,KEY,...)))
)

// String returns the descriptor shape, e.g. "sh(wpkh)", for screens and
// error messages.
func (k Kind) String() string {
	switch k {
	case WPKH:
		return "wpkh"
	case SHWPKH:
		return "sh(wpkh)"
	case TR:
		return "tr"
	case WSHSortedMulti:
		return "wsh(sortedmulti)"
	case SHWSHSortedMulti:
		return "sh(wsh(sortedmulti))"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// IsMultisig reports whether the kind is a k-of-n sortedmulti wallet.
func (k Kind) IsMultisig() bool {
	return k == WSHSortedMulti || k == SHWSHSortedMulti
}

func (k Kind) valid() bool { return k >= WPKH && k <= SHWSHSortedMulti }

// MaxMultisigKeys is the most keys a sortedmulti may hold: the consensus
// limit of OP_CHECKMULTISIG (inside wsh the 520-byte P2SH redeem script
// limit does not apply).
const MaxMultisigKeys = 20

// Key is one key expression: an account-level extended public key and
// where it sits below its master key.
type Key struct {
	// MasterFingerprint is the master key's BIP32 fingerprint in byte
	// order, as printed in the origin: [d34db33f] is {0xd3,0x4d,0xb3,0x3f}.
	MasterFingerprint [4]byte
	// Path is the derivation path from the master key to XPub, hardened
	// steps with hdkeychain.HardenedKeyStart added. Empty when XPub is
	// itself a master key.
	Path []uint32
	// XPub is the extended public key (never a private key).
	XPub *hdkeychain.ExtendedKey
	// hasOrigin records whether the text carried [fingerprint/path], so
	// a master xpub written without one prints back the same way.
	hasOrigin bool
}

// PSBTFingerprint returns MasterFingerprint as btcd's psbt package stores
// it (Bip32Derivation.MasterKeyFingerprint): the little-endian uint32 of
// the 4 bytes.
func (k Key) PSBTFingerprint() uint32 {
	return binary.LittleEndian.Uint32(k.MasterFingerprint[:])
}

// String returns the key expression without the child steps, e.g.
// "[d34db33f/84h/0h/0h]xpub...".
func (k Key) String() string {
	var b strings.Builder
	if k.hasOrigin || len(k.Path) > 0 {
		b.WriteByte('[')
		b.WriteString(hex.EncodeToString(k.MasterFingerprint[:]))
		for _, p := range k.Path {
			b.WriteByte('/')
			b.WriteString(formatStep(p))
		}
		b.WriteByte(']')
	}
	b.WriteString(k.XPub.String())
	return b.String()
}

// clone returns a deep copy, so callers cannot change a Descriptor
// through the keys it hands out.
func (k Key) clone() Key {
	k.Path = append([]uint32(nil), k.Path...)
	if x, err := hdkeychain.NewKeyFromString(k.XPub.String()); err == nil {
		k.XPub = x
	}
	return k
}

// Descriptor is a parsed watch-only wallet descriptor. It is immutable.
type Descriptor struct {
	kind      Kind
	threshold int      // k of a multisig; 1 for single-key kinds
	keys      []Key    // in the order written (sortedmulti sorts per address)
	branches  []uint32 // {0, 1} for /<0;1>/*, else {0} or {1}
	net       *chaincfg.Params
	// branchKeys[i][j] is keys[i].XPub derived at branches[j], computed
	// once so Derive costs one derivation per key.
	branchKeys [][]*hdkeychain.ExtendedKey
}

// finish derives the branch keys; every constructor calls it last.
func (d *Descriptor) finish() (*Descriptor, error) {
	d.branchKeys = make([][]*hdkeychain.ExtendedKey, len(d.keys))
	for i, k := range d.keys {
		for _, b := range d.branches {
			child, err := k.XPub.Derive(b)
			if err != nil {
				// hdkeychain.ErrInvalidChild: probability below 2^-127.
				return nil, fmt.Errorf("key %d: cannot derive branch %d: %w", i+1, b, err)
			}
			d.branchKeys[i] = append(d.branchKeys[i], child)
		}
	}
	return d, nil
}

// Kind returns the descriptor's script template.
func (d *Descriptor) Kind() Kind { return d.kind }

// Threshold returns how many signatures spend: k of a k-of-n multisig,
// 1 for single-key kinds.
func (d *Descriptor) Threshold() int { return d.threshold }

// Keys returns (copies of) the key expressions in the order written.
func (d *Descriptor) Keys() []Key {
	out := make([]Key, len(d.keys))
	for i, k := range d.keys {
		out[i] = k.clone()
	}
	return out
}

// Branches returns the child numbers after the xpub the wallet uses:
// [0 1] for a multipath /<0;1>/* descriptor (0 receive, 1 change), else
// the single branch written.
func (d *Descriptor) Branches() []uint32 { return append([]uint32(nil), d.branches...) }

// HasBranch reports whether branch is one of the descriptor's branches.
func (d *Descriptor) HasBranch(branch uint32) bool {
	for _, b := range d.branches {
		if b == branch {
			return true
		}
	}
	return false
}

// Net returns the network the descriptor was parsed or built for.
func (d *Descriptor) Net() *chaincfg.Params { return d.net }

// String returns the canonical text: hardened steps as "h", multipath as
// "<0;1>", keys in the order written, followed by "#checksum". Parse of
// the result gives an equal descriptor.
func (d *Descriptor) String() string {
	return withChecksum(d.body(branchSuffix(d.branches)))
}

// StringFor returns the single-branch descriptor for one branch, e.g. the
// ".../0/*" receive descriptor, with checksum: for software that does not
// read BIP389 multipath descriptors.
func (d *Descriptor) StringFor(branch uint32) (string, error) {
	if !d.HasBranch(branch) {
		return "", fmt.Errorf("branch %d is not in this descriptor (it has %s)", branch, branchSuffix(d.branches))
	}
	return withChecksum(d.body(strconv.FormatUint(uint64(branch), 10))), nil
}

// ID returns a short stable identifier of the wallet: the first 8 hex
// digits of the SHA-256 of String(). Two screens showing the same ID show
// the same descriptor (same keys in the same order, same network).
func (d *Descriptor) ID() string {
	sum := sha256.Sum256([]byte(d.String()))
	return hex.EncodeToString(sum[:4])
}

func branchSuffix(b []uint32) string {
	if len(b) == 0 {
		return "?" // only a zero Descriptor, which no constructor returns
	}
	if len(b) == 2 {
		return "<0;1>"
	}
	return strconv.FormatUint(uint64(b[0]), 10)
}

func (d *Descriptor) body(branch string) string {
	keys := make([]string, len(d.keys))
	for i, k := range d.keys {
		keys[i] = k.String() + "/" + branch + "/*"
	}
	switch d.kind {
	case WPKH:
		return "wpkh(" + keys[0] + ")"
	case SHWPKH:
		return "sh(wpkh(" + keys[0] + "))"
	case TR:
		return "tr(" + keys[0] + ")"
	case WSHSortedMulti, SHWSHSortedMulti:
		s := "wsh(sortedmulti(" + strconv.Itoa(d.threshold) + "," + strings.Join(keys, ",") + "))"
		if d.kind == SHWSHSortedMulti {
			s = "sh(" + s + ")"
		}
		return s
	}
	return ""
}

func withChecksum(body string) string {
	sum, err := Checksum(body)
	if err != nil {
		// Only printable base58, hex and punctuation are ever written.
		panic("descriptor: canonical text outside the BIP380 character set")
	}
	return body + "#" + sum
}

// formatStep prints one derivation step, hardened as "h".
func formatStep(p uint32) string {
	if p >= hdkeychain.HardenedKeyStart {
		return strconv.FormatUint(uint64(p-hdkeychain.HardenedKeyStart), 10) + "h"
	}
	return strconv.FormatUint(uint64(p), 10)
}

// FormatPath prints a derivation path from the master key for people,
// e.g. "m/84h/0h/0h/1/5".
func FormatPath(path []uint32) string {
	var b strings.Builder
	b.WriteByte('m')
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(formatStep(p))
	}
	return b.String()
}
