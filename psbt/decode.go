// Package psbt is airsign's view of a BIP174 partially signed transaction:
// decoding with limits, the analysis an operator reads before signing, the
// checks that refuse a dishonest PSBT, signing with a BIP32 master key,
// combining, finalizing and extracting.
//
// It is built on btcd's btcutil/psbt and txscript; every import of btcd's psbt
// package stays inside this package so that a later move to a newer PSBT
// library touches one place. Sighash and script code are always btcd's.
package psbt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"

	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"
)

// MaxSize caps the PSBT accepted from outside before any parsing happens. A
// 1,000-input PSBT carrying every previous transaction stays well below it;
// anything larger is far more likely an attack on the parser than a payment.
const MaxSize = 32 << 20

// magic is the BIP174 prefix "psbt" 0xff.
var magic = []byte{0x70, 0x73, 0x62, 0x74, 0xff}

// Packet is a decoded PSBT. It wraps btcd's packet so callers never import
// btcd's psbt package themselves.
type Packet struct {
	p *btcpsbt.Packet
	// v2 is set when the packet was read as (or is to be written as) a
	// version 2 PSBT (BIP370, psbt/v2.go); nil for version 0.
	v2 *v2Extra
	// tweaks is what its analyses have learnt of its taproot keys.
	tweaks tweaks
	// sigs is what they have learnt of the signatures it carries.
	sigs sigMemo
}

// ErrNotPSBT is returned when the bytes are not a PSBT in any accepted form.
var ErrNotPSBT = errors.New("not a PSBT")

// unsignable is an error for a well-formed PSBT nobody can sign yet: it is
// ErrNotPSBT to callers (nothing to review), without the words "not a
// PSBT", which would send the operator after the wrong cause.
type unsignable string

func (e unsignable) Error() string        { return string(e) }
func (e unsignable) Is(target error) bool { return target == ErrNotPSBT }

// ErrSeveralPSBTs is wrapped when one source holds more than one PSBT: the
// second was silently ignored once, so a PSBT other than the one reviewed
// could travel alongside it.
var ErrSeveralPSBTs = errors.New("more than one PSBT")

// countPrefixed counts the fields that start with prefix.
func countPrefixed(fields []string, prefix string) int {
	n := 0
	for _, f := range fields {
		if strings.HasPrefix(f, prefix) {
			n++
		}
	}
	return n
}

// Decode reads a PSBT given as raw BIP174 bytes, base64 text or hex text
// (surrounding whitespace allowed), the three forms wallets and files use.
// The size is capped before parsing and the parser's failures are turned
// into errors that say what to do.
func Decode(data []byte) (*Packet, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("PSBT is %d bytes, more than the %d-byte limit: this is not a transaction an operator should sign", len(data), MaxSize)
	}
	raw, err := rawBytes(data)
	if err != nil {
		return nil, err
	}
	p, v2, err := parse(raw)
	if err != nil {
		return nil, err
	}
	return &Packet{p: p, v2: v2}, nil
}

// rawBytes detects which of the three encodings data is in and returns the
// BIP174 bytes.
func rawBytes(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, magic) {
		return data, nil
	}
	// A byte-order mark some editors write, and the quotes of a JSON or
	// shell string the text was copied out of, are not part of it.
	text := bytes.TrimFunc(bytes.TrimPrefix(data, []byte("\ufeff")), unicode.IsSpace)
	if len(text) >= 2 && (text[0] == '"' || text[0] == '\'') && text[len(text)-1] == text[0] {
		text = bytes.TrimFunc(text[1:len(text)-1], unicode.IsSpace)
	}
	if len(text) == 0 {
		return nil, fmt.Errorf("%w: the input is empty", ErrNotPSBT)
	}
	switch {
	case bytes.HasPrefix(text, []byte("cHNidP8")):
		// Base64 of "psbt\xff". Whitespace inside (wrapped lines) is allowed.
		fields := strings.Fields(string(text))
		raw, err := base64.StdEncoding.DecodeString(strings.Join(fields, ""))
		if err != nil {
			if n := countPrefixed(fields, "cHNidP8"); n > 1 {
				return nil, fmt.Errorf("%w: %w: the text holds %d base64 PSBTs; give one PSBT per file (airsign never picks one of several)", ErrNotPSBT, ErrSeveralPSBTs, n)
			}
			return nil, fmt.Errorf("%w: the base64 text is damaged (%v); copy it again in full", ErrNotPSBT, err)
		}
		return raw, nil
	case bytes.HasPrefix(bytes.ToLower(text), []byte("70736274ff")):
		clean := strings.Join(strings.Fields(string(text)), "")
		raw, err := hex.DecodeString(clean)
		if err != nil {
			return nil, fmt.Errorf("%w: the hex text is damaged (%v); copy it again in full", ErrNotPSBT, err)
		}
		return raw, nil
	}
	if what := looksLikeTransaction(data, text); what != "" {
		return nil, fmt.Errorf("%w: it is %s, not a PSBT: signing needs the PSBT it was made from (a final transaction is already signed)", ErrNotPSBT, what)
	}
	return nil, fmt.Errorf("%w: it starts with neither the PSBT magic bytes, base64 \"cHNidP8\" nor hex \"70736274ff\"", ErrNotPSBT)
}

// looksLikeTransaction says whether data is a raw transaction, in binary or
// hex, as wallets export a finalized one: "a raw transaction (hex)", or "".
func looksLikeTransaction(data, text []byte) string {
	if isTx(data) {
		return "a raw transaction"
	}
	if raw, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), "")); err == nil && isTx(raw) {
		return "a raw transaction (hex)"
	}
	return ""
}

func isTx(b []byte) bool {
	var tx wire.MsgTx
	r := bytes.NewReader(b)
	return len(b) >= 10 && tx.Deserialize(r) == nil && r.Len() == 0 && len(tx.TxIn) > 0
}

// parse runs btcd's parser and checks what it leaves unchecked. A panic in the
// parser on hostile input becomes an error instead of taking the signer down.
func parse(raw []byte) (p *btcpsbt.Packet, v2 *v2Extra, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, v2, err = nil, nil, fmt.Errorf("%w: the PSBT is malformed (the parser gave up)", ErrNotPSBT)
		}
	}()
	// A version 2 PSBT (BIP370) becomes the version 0 form btcd reads; the
	// version is looked up wherever PSBT_GLOBAL_VERSION sits in the map.
	version, err := psbtVersion(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotPSBT, err)
	}
	switch version {
	case 0:
	case 2:
		if raw, v2, err = fromV2(raw); err != nil {
			return nil, nil, fmt.Errorf("%w: version 2 PSBT: %v", ErrNotPSBT, err)
		}
	default:
		return nil, nil, fmt.Errorf("%w: this is a version %d PSBT; airsign reads versions 0 (BIP174) and 2 (BIP370)", ErrNotPSBT, version)
	}
	// Our own walk first: it refuses what btcd lets through (duplicate
	// global keys, values longer than what they hold, version 2 fields) and
	// names the map at fault.
	rp, err := scanRaw(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotPSBT, err)
	}
	raw = rp.txFirst(raw)
	r := bytes.NewReader(raw)
	p, err = btcpsbt.NewFromRawBytes(r, false)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s", ErrNotPSBT, describeParseError(err))
	}
	// btcd stops at the end of the last output map; bytes after it mean the
	// file is not exactly the PSBT the sender meant.
	if r.Len() > 0 {
		return nil, nil, fmt.Errorf("%w: %d unexpected bytes after the end of the PSBT", ErrNotPSBT, r.Len())
	}
	if len(p.UnsignedTx.TxIn) == 0 {
		return nil, nil, unsignable("the PSBT's transaction has no inputs: it spends nothing, so there is nothing to sign (BIP174 allows such a PSBT while it is being built; ask for the finished one)")
	}
	if len(p.UnsignedTx.TxOut) == 0 {
		return nil, nil, unsignable("the PSBT's transaction has no outputs: it pays nothing, so there is nothing to sign (BIP174 allows such a PSBT while it is being built; ask for the finished one)")
	}
	return p, v2, nil
}

// describeParseError maps btcd's terse parser errors to a sentence an
// operator can act on.
func describeParseError(err error) string {
	switch {
	case errors.Is(err, btcpsbt.ErrInvalidMagicBytes):
		return "the magic bytes are wrong"
	case errors.Is(err, btcpsbt.ErrDuplicateKey):
		return "a field appears twice (BIP174 forbids duplicate keys)"
	case errors.Is(err, btcpsbt.ErrInvalidRawTxSigned):
		return "the global unsigned transaction already carries signatures (BIP174 forbids it)"
	case errors.Is(err, btcpsbt.ErrInvalidPrevOutNonWitnessTransaction):
		return "an input's previous transaction does not match its outpoint"
	case errors.Is(err, btcpsbt.ErrInvalidKeyData):
		return "a field has malformed key data"
	case errors.Is(err, btcpsbt.ErrInvalidPsbtFormat):
		return "the PSBT is malformed or truncated; transfer it again"
	}
	msg := err.Error()
	if strings.Contains(msg, "EOF") {
		return "the PSBT is truncated; transfer it again in full"
	}
	return "the PSBT is malformed: " + msg
}

// Encode returns the binary serialization, the form written to `.psbt`
// files for Sparrow, Coldcard and Bitcoin Core: version 0 (BIP174), or
// version 2 (BIP370) for a packet read as one or made one by ToV2.
func (p *Packet) Encode() ([]byte, error) {
	raw, err := p.encodeV0()
	if err != nil || p.v2 == nil {
		return raw, err
	}
	return toV2(raw, p.v2)
}

// encodeV0 is the version 0 serialization, whatever the packet's version.
func (p *Packet) encodeV0() ([]byte, error) {
	var buf bytes.Buffer
	if err := p.p.Serialize(&buf); err != nil {
		return nil, fmt.Errorf("serializing the PSBT: %w", err)
	}
	return buf.Bytes(), nil
}

// Base64 returns the base64 form that wallets paste and RPCs take.
func (p *Packet) Base64() (string, error) {
	b, err := p.Encode()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// UnsignedTx returns a copy of the transaction being signed.
func (p *Packet) UnsignedTx() *wire.MsgTx {
	return p.p.UnsignedTx.Copy()
}

// TxID is the txid of the unsigned transaction. For segwit inputs it is the
// final txid as well, which is how a broadcast PSBT is matched to the one
// prepared.
func (p *Packet) TxID() string {
	return p.p.UnsignedTx.TxHash().String()
}

// Clone returns an independent copy, so that a signer can work on a copy and
// keep the original untouched if anything fails.
func (p *Packet) Clone() (*Packet, error) {
	b, err := p.Encode()
	if err != nil {
		return nil, err
	}
	return Decode(b)
}
