package bsms

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// KeyRecord is a signer's round-1 record of BIP129: the key a signer hands
// the coordinator, signed with that key so the coordinator can tell it was
// not swapped on the way:
//
//	BSMS 1.0
//	TOKEN            (hex; 00 when the setup is not encrypted)
//	[fp/path]KEY     (an xpub, or a bare public key)
//	DESCRIPTION      (up to 80 characters)
//	SIG              (a signature of the first four lines)
type KeyRecord struct {
	Token       string
	Key         string // line 3 as written: "[fp/48'/0'/0'/2']xpub…"
	Description string
	Signature   string // base64
	signed      string // lines 1 to 4, joined by "\n": what SIG signs
}

// maxDescription is BIP129's limit on line 4.
const maxDescription = 80

// IsKeyRecord reports whether data looks like a round-1 key record: the
// version line, then four more. ParseKeyRecord says what is wrong with it.
func IsKeyRecord(data []byte) bool {
	lines := recordLines(data)
	return len(lines) == 5 && strings.TrimSpace(lines[0]) == Version
}

// recordLines splits a record's text into lines, LF or CRLF, a final
// newline optional.
func recordLines(data []byte) []string {
	text := strings.TrimPrefix(string(data), "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// ParseKeyRecord reads a round-1 key record, checking each line's form
// (not the signature: Verify does).
func ParseKeyRecord(data []byte) (*KeyRecord, error) {
	if len(data) > MaxRecordSize {
		return nil, fmt.Errorf("the BSMS key record is %d bytes, more than a key record can be", len(data))
	}
	lines := recordLines(data)
	if len(lines) != 5 {
		return nil, fmt.Errorf("BSMS key record: %d lines, a key record has 5 (version, token, key, description, signature)", len(lines))
	}
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	if lines[0] != Version {
		return nil, fmt.Errorf("BSMS key record line 1: expected %q", Version)
	}
	r := &KeyRecord{Token: lines[1], Key: lines[2], Description: lines[3], Signature: lines[4], signed: strings.Join(lines[:4], "\n")}
	if _, err := hex.DecodeString(r.Token); err != nil || (len(r.Token) != 2 && len(r.Token) != 16 && len(r.Token) != 32) {
		return nil, errors.New("BSMS key record line 2: the token is not 00 nor 16 or 32 hex digits")
	}
	if !strings.HasPrefix(r.Key, "[") || !strings.Contains(r.Key, "]") {
		return nil, errors.New("BSMS key record line 3: the key has no origin [fingerprint/path]")
	}
	if len(r.Description) > maxDescription {
		return nil, fmt.Errorf("BSMS key record line 4: the description is %d characters; BIP129 allows %d", len(r.Description), maxDescription)
	}
	if r.Signature == "" {
		return nil, errors.New("BSMS key record line 5: no signature")
	}
	return r, nil
}

// Verify checks the record's signature against its own key: a legacy
// Bitcoin message signature (65 bytes, base64) of lines 1 to 4, which
// BIP129's test vectors use. A BIP322 signature is not verified here, and
// says so.
func (r *KeyRecord) Verify() error {
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if err != nil || len(sig) != 65 {
		return errors.New("BSMS key record line 5: not a legacy message signature (65 bytes in base64); airsign cannot verify other forms such as BIP322")
	}
	want, err := r.publicKey()
	if err != nil {
		return err
	}
	got, _, err := ecdsa.RecoverCompact(sig, messageHash(r.signed))
	if err != nil || !got.IsEqual(want) {
		return errors.New("BSMS key record line 5: the signature was not made by the key on line 3: the record was changed or is not this signer's; do not use it")
	}
	return nil
}

// publicKey is the public key of line 3: an extended key's, or a bare one.
func (r *KeyRecord) publicKey() (*btcec.PublicKey, error) {
	_, key, _ := strings.Cut(r.Key, "]")
	if raw, err := hex.DecodeString(key); err == nil {
		pub, err := btcec.ParsePubKey(raw)
		if err != nil {
			return nil, errors.New("BSMS key record line 3: the public key is not a point on secp256k1")
		}
		return pub, nil
	}
	xk, err := hdkeychain.NewKeyFromString(key)
	if err != nil {
		return nil, errors.New("BSMS key record line 3: neither an extended public key nor a hex public key")
	}
	if xk.IsPrivate() {
		return nil, errors.New("BSMS key record line 3 is a private key: this record must be destroyed")
	}
	return xk.ECPubKey()
}

// messageHash is the hash a legacy Bitcoin message signature signs, as
// btcd's verifymessage computes it.
func messageHash(msg string) []byte {
	var buf bytes.Buffer
	_ = wire.WriteVarString(&buf, 0, "Bitcoin Signed Message:\n")
	_ = wire.WriteVarString(&buf, 0, msg)
	return chainhash.DoubleHashB(buf.Bytes())
}
