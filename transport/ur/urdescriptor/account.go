package urdescriptor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/airsign/airsign/transport/ur/cbor"
)

// UR types of key exports this package reads as well.
const (
	// TypeCryptoAccount (BCR-2020-015) is what SeedSigner, Keystone and
	// Passport show to export a watch-only account: the master
	// fingerprint and one crypto-output per script type.
	TypeCryptoAccount = "crypto-account"
	// TypeCryptoHDKey (BCR-2020-007) is one extended public key with
	// its origin, e.g. a multisig cosigner's key.
	TypeCryptoHDKey = "crypto-hdkey"
	// TypeAccountDescriptor (BCR-2023-019) is the newer name and form of
	// crypto-account: its outputs are output-descriptors (tag 40308).
	TypeAccountDescriptor = "account-descriptor"
	// TypeHDKey (BCR-2020-007 v2 registry name, tag 40303) is crypto-hdkey
	// under its newer name.
	TypeHDKey = "hdkey"
)

// IsAccount reports whether a UR type is an account export, old or new.
func IsAccount(urType string) bool {
	return urType == TypeCryptoAccount || urType == TypeAccountDescriptor
}

// IsHDKey reports whether a UR type is one extended key, old or new name.
func IsHDKey(urType string) bool { return urType == TypeCryptoHDKey || urType == TypeHDKey }

// AccountOutput is one output of a crypto-account.
type AccountOutput struct {
	// Script is the shape of the output with its key left out:
	// "wpkh", "sh(wpkh)", "tr", "pkh", "wsh(cosigner)",
	// "sh(wsh(cosigner))", ….
	Script string
	// Text is the descriptor of a single-key wallet, with checksum, or
	// "" for a cosigner key (which is no wallet by itself).
	Text string
	// Key is the key expression "[fp/path]xpub" (tpub on test networks).
	Key string
}

// Account is a decoded crypto-account.
type Account struct {
	Outputs []AccountOutput
	// Net is the network class the keys name (NetUnknown if none does).
	Net string
}

// Find returns the output of the given shape, e.g. "wpkh" or
// "wsh(cosigner)", or an error naming the shapes the account holds.
func (a *Account) Find(script string) (AccountOutput, error) {
	var have []string
	for _, o := range a.Outputs {
		if o.Script == script {
			return o, nil
		}
		have = append(have, o.Script)
	}
	return AccountOutput{}, fmt.Errorf("the account export has no %s output (it has %s)", script, strings.Join(have, ", "))
}

// maxAccountOutputs bounds a crypto-account: one output per script type.
const maxAccountOutputs = 16

// DecodeAccount reads the CBOR message of a crypto-account UR:
// {1: master fingerprint, 2: [#6.308(crypto-output), …]}, each output
// also accepted as its bare script expression (#6.401(…), as SeedSigner
// writes it). Every output's key must come from that master key.
func DecodeAccount(message []byte) (*Account, error) {
	it, err := cbor.Decode(message)
	if err != nil {
		return nil, fmt.Errorf("crypto-account: %w", err)
	}
	if it.Kind != cbor.Map {
		return nil, fmt.Errorf("crypto-account: expected a map, found a %s", it.Kind)
	}
	mfp, ok := it.Lookup(1)
	if !ok || mfp.Kind != cbor.Uint || mfp.N == 0 || mfp.N > 0xffffffff {
		return nil, errors.New("crypto-account: no master fingerprint (key 1, a nonzero 32-bit number)")
	}
	var fp [4]byte
	binary.BigEndian.PutUint32(fp[:], uint32(mfp.N))
	outs, ok := it.Lookup(2)
	if !ok || outs.Kind != cbor.Array || len(outs.Items) == 0 {
		return nil, errors.New("crypto-account: no output descriptors (key 2, a non-empty array)")
	}
	if len(outs.Items) > maxAccountOutputs {
		return nil, fmt.Errorf("crypto-account: %d outputs; at most %d are allowed", len(outs.Items), maxAccountOutputs)
	}
	acct := &Account{}
	for i, o := range outs.Items {
		out, net, err := accountOutput(o, fp)
		if err != nil {
			return nil, fmt.Errorf("crypto-account output %d: %w", i+1, err)
		}
		if net != NetUnknown {
			if acct.Net != NetUnknown && acct.Net != net {
				return nil, errors.New("crypto-account: its outputs are for different networks (mainnet and testnet)")
			}
			acct.Net = net
		}
		acct.Outputs = append(acct.Outputs, out)
	}
	return acct, nil
}

func accountOutput(o cbor.Item, fp [4]byte) (AccountOutput, string, error) {
	c, tag, ok := o.Untag()
	if ok && scriptFuncs[tag] != "" {
		// SeedSigner (and Keystone's bc-ur-registry, which reads it)
		// writes the script expression without the crypto-output tag
		// 308 around it: the same output, one tag shorter.
		c, tag = o, tagCryptoOutput
	}
	if !ok || (tag != tagCryptoOutput && tag != tagOutputDescV2) {
		return AccountOutput{}, "", fmt.Errorf("expected a crypto-output (tag %d), an output-descriptor (tag %d) or a script expression (tags 400–410)", tagCryptoOutput, tagOutputDescV2)
	}
	d := &decoder{accountLevel: true}
	var shape, body string
	var err error
	if tag == tagOutputDescV2 {
		// BCR-2023-019: the source text names the shape, "wsh(cosigner(@0))".
		body, err = d.outputDescriptor(c)
		if src, ok := c.Lookup(1); ok && err == nil {
			shape = strings.ReplaceAll(src.Text, "(@0)", "")
		}
	} else {
		if shape, err = scriptShape(c, 0); err == nil {
			body, err = d.script(c, 0)
		}
		shape = cosignerShape(shape)
	}
	if err != nil {
		return AccountOutput{}, "", err
	}
	if d.nKeys != 1 {
		return AccountOutput{}, "", fmt.Errorf("%s has %d keys; an account output has one", shape, d.nKeys)
	}
	want := fmt.Sprintf("[%x/", fp)
	if !strings.HasPrefix(d.lastKey, want) {
		return AccountOutput{}, "", fmt.Errorf("its key's origin is not the account's master fingerprint %x", fp)
	}
	net := d.netClass()
	key := d.lastKey
	if net == NetTest {
		body, key = d.retag(body), d.retag(key)
	}
	out := AccountOutput{Script: shape, Key: key}
	if !strings.Contains(shape, "cosigner") {
		text, err := withChecksum(body)
		if err != nil {
			return AccountOutput{}, "", err
		}
		out.Text = text
	}
	return out, net, nil
}

// cosignerShape names a multisig cosigner's output the way BCR-2020-015
// does, "wsh(cosigner)", when it was written with the key right inside
// sh or wsh: SeedSigner exports its multisig key as wsh(key) or
// sh(wsh(key)), which is no wallet by itself (sh and wsh take a script).
func cosignerShape(shape string) string {
	switch shape {
	case "sh", "wsh", "sh(wsh)":
		return strings.TrimSuffix(shape, ")") + "(cosigner)" + strings.Repeat(")", strings.Count(shape, ")"))
	}
	return shape
}

// scriptShape names the script expressions around a key: "sh(wpkh)".
func scriptShape(it cbor.Item, depth int) (string, error) {
	if depth >= maxScriptDepth {
		return "", errors.New("script expressions nest deeper than any wallet airsign supports")
	}
	c, tag, ok := it.Untag()
	if !ok {
		return "", fmt.Errorf("expected a tagged script expression (400–410), found a %s", it.Kind)
	}
	name, ok := scriptFuncs[tag]
	if !ok {
		return "", fmt.Errorf("expected a script expression, found tag %d", tag)
	}
	if _, innerTag, ok := c.Untag(); ok && scriptFuncs[innerTag] != "" {
		s, err := scriptShape(c, depth+1)
		if err != nil {
			return "", err
		}
		return name + "(" + s + ")", nil
	}
	return name, nil
}

// DecodeHDKey reads the CBOR message of a crypto-hdkey UR as a key
// expression "[fp/path]xpub" (tpub when its coin info names a test
// network) and the network class. A private key is refused.
func DecodeHDKey(message []byte) (key, net string, err error) {
	it, err := cbor.Decode(message)
	if err != nil {
		return "", "", fmt.Errorf("crypto-hdkey: %w", err)
	}
	if c, tag, ok := it.Untag(); ok && (tag == tagHDKey || tag == tagHDKeyV2) {
		it = c
	}
	d := &decoder{}
	if _, err := d.hdkey(it, false); err != nil {
		return "", "", fmt.Errorf("crypto-hdkey: %w", err)
	}
	net = d.netClass()
	key = d.lastKey
	if net == NetTest {
		key = d.retag(key)
	}
	return key, net, nil
}
