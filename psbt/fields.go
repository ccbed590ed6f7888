package psbt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/btcsuite/btcd/wire"
)

// This file walks the raw key-value maps of a PSBT itself, before and
// besides btcd's parser, for what btcd lets through: duplicate keys in the
// global map and among unknown input fields, values whose declared size is
// not what they hold, version 2 fields in a version 0 PSBT, an empty taproot
// tree. It also lists the fields airsign does not use, so the operator is
// told about them instead of their being silently carried along.

// mapKind names which of the three kinds of map a field sits in.
type mapKind int

const (
	globalMap mapKind = iota
	inputMap
	outputMap
)

// rawField is one key-value pair as it appears in the serialization.
type rawField struct {
	typ   uint64 // the key type (a compact size)
	key   []byte // the whole key: type and key data
	data  []byte // the key data after the type
	value []byte
}

// rawPSBT is the PSBT's maps as serialized.
type rawPSBT struct {
	global  []rawField
	inputs  [][]rawField
	outputs [][]rawField
	// globalEnd is the offset just after the global map's separator.
	globalEnd int
}

// txFirst returns raw with the unsigned transaction moved to the front of
// the global map. BIP174 does not order keys, but btcd's parser insists on
// the transaction first, and Bitcoin Core may write PSBT_GLOBAL_VERSION
// before it.
func (rp *rawPSBT) txFirst(raw []byte) []byte {
	if len(rp.global) == 0 || rp.global[0].typ == 0x00 {
		return raw
	}
	var buf bytes.Buffer
	buf.Write(magic)
	write := func(f rawField) {
		_ = wire.WriteVarBytes(&buf, 0, f.key)
		_ = wire.WriteVarBytes(&buf, 0, f.value)
	}
	for _, f := range rp.global {
		if f.typ == 0x00 {
			write(f)
		}
	}
	for _, f := range rp.global {
		if f.typ != 0x00 {
			write(f)
		}
	}
	buf.WriteByte(0)
	buf.Write(raw[rp.globalEnd:])
	return buf.Bytes()
}

// Limits above which a field is refused as oversize. They are far above
// anything a wallet writes and well below what would strain the signer.
const (
	maxFieldsPerMap   = 1000
	maxUnknownValue   = 64 << 10
	maxRedeemScript   = 520     // consensus limit of a P2SH redeem script
	maxWitnessScript  = 10_000  // consensus limit of a P2WSH witness script
	maxPrevTxSize     = 400_000 // no standard transaction is larger
	maxTapLeafVersion = 0xfe
)

// fieldNames are the BIP174/370/371/373 names of the key types of each
// map, and whether btcd (and so airsign) reads them. Built once: the
// analysis looks up every field of every input.
var fieldNames = [...]map[uint64]fieldEntry{
	globalMap: {
		0x00: {"PSBT_GLOBAL_UNSIGNED_TX", true},
		0x01: {"PSBT_GLOBAL_XPUB", true}, // checked here, not by btcd
		0x02: {"PSBT_GLOBAL_TX_VERSION", false},
		0x03: {"PSBT_GLOBAL_FALLBACK_LOCKTIME", false},
		0x04: {"PSBT_GLOBAL_INPUT_COUNT", false},
		0x05: {"PSBT_GLOBAL_OUTPUT_COUNT", false},
		0x06: {"PSBT_GLOBAL_TX_MODIFIABLE", false},
		0xfb: {"PSBT_GLOBAL_VERSION", true},
		0xfc: {"PSBT_GLOBAL_PROPRIETARY", false},
	},
	inputMap: {
		0x00: {"PSBT_IN_NON_WITNESS_UTXO", true},
		0x01: {"PSBT_IN_WITNESS_UTXO", true},
		0x02: {"PSBT_IN_PARTIAL_SIG", true},
		0x03: {"PSBT_IN_SIGHASH_TYPE", true},
		0x04: {"PSBT_IN_REDEEM_SCRIPT", true},
		0x05: {"PSBT_IN_WITNESS_SCRIPT", true},
		0x06: {"PSBT_IN_BIP32_DERIVATION", true},
		0x07: {"PSBT_IN_FINAL_SCRIPTSIG", true},
		0x08: {"PSBT_IN_FINAL_SCRIPTWITNESS", true},
		0x09: {"PSBT_IN_POR_COMMITMENT", true}, // BIP127, psbt/reserves.go
		0x0a: {"PSBT_IN_RIPEMD160", false},
		0x0b: {"PSBT_IN_SHA256", false},
		0x0c: {"PSBT_IN_HASH160", false},
		0x0d: {"PSBT_IN_HASH256", false},
		0x0e: {"PSBT_IN_PREVIOUS_TXID", false},
		0x0f: {"PSBT_IN_OUTPUT_INDEX", false},
		0x10: {"PSBT_IN_SEQUENCE", false},
		0x11: {"PSBT_IN_REQUIRED_TIME_LOCKTIME", false},
		0x12: {"PSBT_IN_REQUIRED_HEIGHT_LOCKTIME", false},
		0x13: {"PSBT_IN_TAP_KEY_SIG", true},
		0x14: {"PSBT_IN_TAP_SCRIPT_SIG", true},
		0x15: {"PSBT_IN_TAP_LEAF_SCRIPT", true},
		0x16: {"PSBT_IN_TAP_BIP32_DERIVATION", true},
		0x17: {"PSBT_IN_TAP_INTERNAL_KEY", true},
		0x18: {"PSBT_IN_TAP_MERKLE_ROOT", true},
		0x1a: {"PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS", false},
		0x1b: {"PSBT_IN_MUSIG2_PUB_NONCE", false},
		0x1c: {"PSBT_IN_MUSIG2_PARTIAL_SIG", false},
		0xfc: {"PSBT_IN_PROPRIETARY", false},
	},
	outputMap: {
		0x00: {"PSBT_OUT_REDEEM_SCRIPT", true},
		0x01: {"PSBT_OUT_WITNESS_SCRIPT", true},
		0x02: {"PSBT_OUT_BIP32_DERIVATION", true},
		0x03: {"PSBT_OUT_AMOUNT", false},
		0x04: {"PSBT_OUT_SCRIPT", false},
		0x05: {"PSBT_OUT_TAP_INTERNAL_KEY", true},
		0x06: {"PSBT_OUT_TAP_TREE", true},
		0x07: {"PSBT_OUT_TAP_BIP32_DERIVATION", true},
		0x08: {"PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS", false},
		0xfc: {"PSBT_OUT_PROPRIETARY", false},
	},
}

type fieldEntry struct {
	name string
	used bool
}

// fieldName gives the BIP174/370/371/373 name of a key type in a map, and
// whether btcd (and so airsign) reads it.
func fieldName(m mapKind, typ uint64) (name string, used bool) {
	if int(m) < 0 || int(m) >= len(fieldNames) {
		return "", false
	}
	if e, ok := fieldNames[m][typ]; ok {
		return e.name, e.used
	}
	return "", false
}

// v2Only reports whether a key type exists only in PSBT version 2 (BIP370),
// where version 0 must not carry it.
func v2Only(m mapKind, typ uint64) bool {
	switch m {
	case globalMap:
		return typ >= 0x02 && typ <= 0x06
	case inputMap:
		return typ >= 0x0e && typ <= 0x12
	case outputMap:
		return typ == 0x03 || typ == 0x04
	}
	return false
}

func where(m mapKind, i int) string {
	switch m {
	case inputMap:
		return fmt.Sprintf("input %d", i)
	case outputMap:
		return fmt.Sprintf("output %d", i)
	}
	return "the global map"
}

// rawReader reads the serialization without ever allocating more than the
// bytes it has.
type rawReader struct {
	b   []byte
	off int
}

var errShort = errors.New("truncated")

func (r *rawReader) compactSize() (uint64, error) {
	if r.off >= len(r.b) {
		return 0, errShort
	}
	first := r.b[r.off]
	r.off++
	n := 0
	switch first {
	case 0xfd:
		n = 2
	case 0xfe:
		n = 4
	case 0xff:
		n = 8
	default:
		return uint64(first), nil
	}
	if len(r.b)-r.off < n {
		return 0, errShort
	}
	var v uint64
	switch n {
	case 2:
		v = uint64(binary.LittleEndian.Uint16(r.b[r.off:]))
	case 4:
		v = uint64(binary.LittleEndian.Uint32(r.b[r.off:]))
	case 8:
		v = binary.LittleEndian.Uint64(r.b[r.off:])
	}
	r.off += n
	return v, nil
}

func (r *rawReader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.off) {
		return nil, errShort
	}
	out := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return out, nil
}

// readMap reads key-value pairs up to the 0x00 separator and refuses a key
// seen twice in the same map (BIP174: "keys must be unique in a map").
func (r *rawReader) readMap(m mapKind, index int) ([]rawField, error) {
	var fields []rawField
	seen := map[string]bool{}
	for {
		keyLen, err := r.compactSize()
		if err != nil {
			return nil, fmt.Errorf("%s is truncated; transfer the PSBT again in full", where(m, index))
		}
		if keyLen == 0 {
			return fields, nil
		}
		key, err := r.bytes(keyLen)
		if err != nil {
			return nil, fmt.Errorf("%s is truncated; transfer the PSBT again in full", where(m, index))
		}
		kr := rawReader{b: key}
		typ, err := kr.compactSize()
		if err != nil {
			return nil, fmt.Errorf("%s has a malformed key", where(m, index))
		}
		valLen, err := r.compactSize()
		if err != nil {
			return nil, fmt.Errorf("%s is truncated; transfer the PSBT again in full", where(m, index))
		}
		value, err := r.bytes(valLen)
		if err != nil {
			return nil, fmt.Errorf("%s: a value is shorter than its stated size %d; the PSBT is truncated or damaged", where(m, index), valLen)
		}
		if seen[string(key)] {
			return nil, fmt.Errorf("%s has the field %s twice (BIP174 forbids duplicate keys)", where(m, index), describeKey(m, typ, key))
		}
		seen[string(key)] = true
		fields = append(fields, rawField{typ: typ, key: key, data: key[kr.off:], value: value})
		if len(fields) > maxFieldsPerMap {
			return nil, fmt.Errorf("%s has more than %d fields; no wallet writes that many", where(m, index), maxFieldsPerMap)
		}
	}
}

// describeKey names a key for an error message: its name and type, and for
// proprietary keys their identifier, never the key data in full.
func describeKey(m mapKind, typ uint64, key []byte) string {
	name, _ := fieldName(m, typ)
	if name == "" {
		return fmt.Sprintf("type 0x%02x (unknown)", typ)
	}
	if typ == 0xfc {
		return fmt.Sprintf("%s %s", name, proprietaryID(key))
	}
	return fmt.Sprintf("%s (0x%02x)", name, typ)
}

// proprietaryID describes a proprietary key's identifier and subtype
// (BIP174: <compact size identifier length> <identifier> <subtype>).
func proprietaryID(key []byte) string {
	r := rawReader{b: key}
	if _, err := r.compactSize(); err != nil {
		return "(malformed)"
	}
	n, err := r.compactSize()
	if err != nil {
		return "(malformed)"
	}
	id, err := r.bytes(n)
	if err != nil {
		return "(malformed)"
	}
	sub, err := r.compactSize()
	if err != nil {
		return fmt.Sprintf("%q", printable(id))
	}
	return fmt.Sprintf("%q subtype %d", printable(id), sub)
}

func printable(b []byte) string {
	if len(b) > 32 {
		b = b[:32]
	}
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, "\\x%02x", c)
		}
	}
	return s.String()
}

// scanRaw walks the whole serialization and refuses what BIP174 calls
// invalid but btcd accepts. raw starts with the magic bytes.
func scanRaw(raw []byte) (*rawPSBT, error) {
	if !bytes.HasPrefix(raw, magic) {
		return nil, fmt.Errorf("the magic bytes are wrong")
	}
	r := &rawReader{b: raw, off: len(magic)}
	out := &rawPSBT{}
	var err error
	if out.global, err = r.readMap(globalMap, -1); err != nil {
		return nil, err
	}
	out.globalEnd = r.off
	tx, err := checkGlobal(out.global)
	if err != nil {
		return nil, err
	}
	for i := range tx.TxIn {
		f, err := r.readMap(inputMap, i)
		if err != nil {
			return nil, err
		}
		if err := checkInputFields(i, f); err != nil {
			return nil, err
		}
		out.inputs = append(out.inputs, f)
	}
	for i := range tx.TxOut {
		f, err := r.readMap(outputMap, i)
		if err != nil {
			return nil, err
		}
		if err := checkOutputFields(i, f); err != nil {
			return nil, err
		}
		out.outputs = append(out.outputs, f)
	}
	if rest := len(raw) - r.off; rest > 0 {
		if bytes.HasPrefix(raw[r.off:], magic) {
			return nil, fmt.Errorf("%w: a second PSBT (%d bytes) follows the first; give one PSBT per file (airsign never signs one and drops the other)", ErrSeveralPSBTs, rest)
		}
		return nil, fmt.Errorf("%d unexpected bytes after the end of the PSBT", rest)
	}
	return out, nil
}

// checkGlobal checks the global map and returns the unsigned transaction.
func checkGlobal(fields []rawField) (*wire.MsgTx, error) {
	var tx *wire.MsgTx
	for _, f := range fields {
		if v2Only(globalMap, f.typ) {
			name, _ := fieldName(globalMap, f.typ)
			return nil, fmt.Errorf("the global map has %s, a PSBT version 2 field that a version 0 PSBT must not carry", name)
		}
		switch f.typ {
		case 0x00:
			if len(f.data) != 0 {
				return nil, fmt.Errorf("the global map has a malformed unsigned-transaction key")
			}
			tx = wire.NewMsgTx(2)
			br := bytes.NewReader(f.value)
			if err := tx.DeserializeNoWitness(br); err != nil {
				return nil, fmt.Errorf("the unsigned transaction is malformed: %v", err)
			}
			if br.Len() != 0 {
				return nil, fmt.Errorf("the unsigned transaction field holds %d bytes more than the transaction", br.Len())
			}
		case 0x01:
			// <0x01><78-byte xpub> → <4-byte fingerprint><4-byte steps…>
			if len(f.data) != 78 {
				return nil, fmt.Errorf("the global map has a PSBT_GLOBAL_XPUB whose key is %d bytes, not 78", len(f.data))
			}
			if len(f.value) < 4 || len(f.value)%4 != 0 {
				return nil, fmt.Errorf("the global map has a PSBT_GLOBAL_XPUB whose derivation is %d bytes, not a fingerprint and whole steps", len(f.value))
			}
			if depth := int(f.data[4]); depth != len(f.value)/4-1 {
				return nil, fmt.Errorf("the global map has a PSBT_GLOBAL_XPUB of depth %d with a derivation of %d steps", depth, len(f.value)/4-1)
			}
		case 0xfb:
			if len(f.data) != 0 || len(f.value) != 4 {
				return nil, fmt.Errorf("the global map has a malformed PSBT_GLOBAL_VERSION")
			}
			if v := binary.LittleEndian.Uint32(f.value); v != 0 {
				return nil, fmt.Errorf("this is a version %d PSBT whose global map also has a version 0 unsigned transaction", v)
			}
		}
	}
	if tx == nil {
		return nil, fmt.Errorf("the global map has no unsigned transaction")
	}
	return tx, nil
}

func checkInputFields(i int, fields []rawField) error {
	for _, f := range fields {
		if v2Only(inputMap, f.typ) {
			name, _ := fieldName(inputMap, f.typ)
			return fmt.Errorf("input %d has %s, a PSBT version 2 field that a version 0 PSBT must not carry", i, name)
		}
		switch f.typ {
		case 0x00:
			tx := wire.NewMsgTx(2)
			br := bytes.NewReader(f.value)
			if err := tx.Deserialize(br); err != nil {
				return fmt.Errorf("input %d: its previous transaction (non_witness_utxo) is malformed", i)
			}
			if br.Len() != 0 {
				return fmt.Errorf("input %d: its non_witness_utxo field holds %d bytes more than the transaction", i, br.Len())
			}
		case 0x01:
			vr := rawReader{b: f.value}
			if _, err := vr.bytes(8); err != nil {
				return fmt.Errorf("input %d: its witness_utxo is malformed", i)
			}
			n, err := vr.compactSize()
			if err == nil {
				_, err = vr.bytes(n)
			}
			if err != nil || vr.off != len(f.value) {
				return fmt.Errorf("input %d: its witness_utxo is malformed (its size does not match its script)", i)
			}
		}
	}
	return nil
}

func checkOutputFields(i int, fields []rawField) error {
	for _, f := range fields {
		if v2Only(outputMap, f.typ) {
			name, _ := fieldName(outputMap, f.typ)
			return fmt.Errorf("output %d has %s, a PSBT version 2 field that a version 0 PSBT must not carry", i, name)
		}
		if f.typ == 0x06 {
			if err := checkTapTree(f.value); err != nil {
				return fmt.Errorf("output %d: its taproot tree (PSBT_OUT_TAP_TREE) %v", i, err)
			}
		}
	}
	return nil
}

// checkTapTree checks a BIP371 PSBT_OUT_TAP_TREE: one or more
// {depth, leaf version, script} with depth ≤ 128.
func checkTapTree(v []byte) error {
	if len(v) == 0 {
		return fmt.Errorf("is empty")
	}
	r := rawReader{b: v}
	for r.off < len(v) {
		hdr, err := r.bytes(2)
		if err != nil {
			return fmt.Errorf("is truncated")
		}
		if hdr[0] > 128 {
			return fmt.Errorf("is deeper than 128 levels")
		}
		if hdr[1]&1 != 0 || hdr[1] > maxTapLeafVersion {
			return fmt.Errorf("has an invalid leaf version 0x%02x", hdr[1])
		}
		n, err := r.compactSize()
		if err == nil {
			_, err = r.bytes(n)
		}
		if err != nil {
			return fmt.Errorf("is truncated")
		}
	}
	return nil
}

// fieldProblems lists, for the analysis, the fields the operator should know
// about: ones airsign does not use (warned, by name) and oversize ones
// (refused).
func fieldProblems(rp *rawPSBT) []Problem {
	var out []Problem
	report := func(m mapKind, index int, fields []rawField) {
		var unused []string
		for _, f := range fields {
			name, used := fieldName(m, f.typ)
			if !used {
				unused = append(unused, describeKey(m, f.typ, f.key))
			}
			if limit, what := sizeLimit(m, f.typ, used); limit > 0 && len(f.value) > limit {
				out = append(out, locate(Problem{Severity: Refuse, Code: CodeOversizeField,
					Message: fmt.Sprintf("its %s is %d bytes, more than the %d-byte limit for %s", orUnknown(name, f.typ), len(f.value), limit, what)}, m, index))
			}
		}
		if len(unused) > 0 {
			sort.Strings(unused)
			out = append(out, locate(Problem{Severity: Warn, Code: CodeUnknownField,
				Message: fmt.Sprintf("carries field(s) airsign does not use: %s; they are passed along unchecked", strings.Join(unused, ", "))}, m, index))
		}
	}
	report(globalMap, -1, rp.global)
	for i, f := range rp.inputs {
		report(inputMap, i, f)
	}
	for i, f := range rp.outputs {
		report(outputMap, i, f)
	}
	return out
}

func orUnknown(name string, typ uint64) string {
	if name == "" {
		return fmt.Sprintf("field of unknown type 0x%02x", typ)
	}
	return name
}

// sizeLimit is the largest value accepted for a field, and what the limit
// is; 0 means the parser's own limits are enough.
func sizeLimit(m mapKind, typ uint64, used bool) (int, string) {
	switch {
	case !used:
		return maxUnknownValue, "a field airsign does not use"
	case m == inputMap && typ == 0x00:
		return maxPrevTxSize, "a previous transaction (no standard transaction is larger)"
	case (m == inputMap && typ == 0x04) || (m == outputMap && typ == 0x00):
		return maxRedeemScript, "a P2SH redeem script (consensus limit)"
	case (m == inputMap && typ == 0x05) || (m == outputMap && typ == 0x01):
		return maxWitnessScript, "a witness script (consensus limit)"
	}
	return 0, ""
}

func locate(pr Problem, m mapKind, index int) Problem {
	pr.Input, pr.Output = -1, -1
	switch m {
	case inputMap:
		pr.Input = index
	case outputMap:
		pr.Output = index
	}
	return pr
}
