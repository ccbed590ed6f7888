package psbt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// PSBT version 2 (BIP370) at the boundary. btcd reads and writes version 0
// only, so a version 2 PSBT is turned into the version 0 form when decoded
// (the unsigned transaction rebuilt from the per-input and per-output
// fields) and turned back when encoded. What a version 0 PSBT cannot hold
// (the fallback locktime, the modifiable flags, each input's required
// locktime) is kept aside in v2Extra and written back; everything else
// (transaction version, outpoints, sequences, amounts, scripts) is written
// from the unsigned transaction, so a signer's view and the file agree.

// BIP370 key types.
const (
	v2GlobalTxVersion        = 0x02
	v2GlobalFallbackLocktime = 0x03
	v2GlobalInputCount       = 0x04
	v2GlobalOutputCount      = 0x05
	v2GlobalTxModifiable     = 0x06
	globalVersion            = 0xfb
	v2InPreviousTxID         = 0x0e
	v2InOutputIndex          = 0x0f
	v2InSequence             = 0x10
	v2InRequiredTimeLock     = 0x11
	v2InRequiredHeightLock   = 0x12
	v2OutAmount              = 0x03
	v2OutScript              = 0x04
)

// lockTimeThreshold separates block heights from Unix times in nLockTime.
const lockTimeThreshold = 500_000_000

// v2Extra is what a version 2 PSBT says beyond its version 0 form.
type v2Extra struct {
	global []rawField   // fallback locktime, tx modifiable
	inputs [][]rawField // required time and height locktimes
}

// Version is the PSBT version the packet was read in and is written in:
// 0 (BIP174) or 2 (BIP370).
func (p *Packet) Version() int {
	if p.v2 != nil {
		return 2
	}
	return 0
}

// ToV2 makes the packet encode as a version 2 PSBT (BIP370), for
// coordinators and signers that want one. The fallback locktime is the
// transaction's; no input requires a locktime and nothing is modifiable.
func (p *Packet) ToV2() {
	lt := binary.LittleEndian.AppendUint32(nil, p.p.UnsignedTx.LockTime)
	p.v2 = &v2Extra{
		global: []rawField{{typ: v2GlobalFallbackLocktime, key: []byte{v2GlobalFallbackLocktime}, value: lt}},
		inputs: make([][]rawField, len(p.p.UnsignedTx.TxIn)),
	}
}

// psbtVersion reads PSBT_GLOBAL_VERSION from the global map (any key
// order); 0 when absent.
func psbtVersion(raw []byte) (uint32, error) {
	r := &rawReader{b: raw, off: len(magic)}
	global, err := r.readMap(globalMap, -1)
	if err != nil {
		return 0, err
	}
	for _, f := range global {
		if f.typ == globalVersion {
			if len(f.data) != 0 || len(f.value) != 4 {
				return 0, errors.New("the global map has a malformed PSBT_GLOBAL_VERSION")
			}
			return binary.LittleEndian.Uint32(f.value), nil
		}
	}
	return 0, nil
}

// v2Field finds a field of a map by type and checks its key data is empty
// and its value has the size the BIP gives (size < 0: any).
func v2Field(fields []rawField, typ uint64, size int, name, at string) (*rawField, error) {
	for i := range fields {
		f := &fields[i]
		if f.typ != typ {
			continue
		}
		if len(f.data) != 0 || (size >= 0 && len(f.value) != size) {
			return nil, fmt.Errorf("%s has a malformed %s", at, name)
		}
		return f, nil
	}
	return nil, nil
}

// required is v2Field for a field BIP370 requires.
func required(fields []rawField, typ uint64, size int, name, at string) (*rawField, error) {
	f, err := v2Field(fields, typ, size, name, at)
	if err == nil && f == nil {
		err = fmt.Errorf("%s lacks %s, which a version 2 PSBT requires", at, name)
	}
	return f, err
}

func compactValue(f *rawField, name, at string) (uint64, error) {
	r := rawReader{b: f.value}
	n, err := r.compactSize()
	if err != nil || r.off != len(f.value) {
		return 0, fmt.Errorf("%s has a malformed %s", at, name)
	}
	return n, nil
}

// fromV2 turns a version 2 PSBT into the version 0 serialization btcd
// reads, and returns what version 0 cannot hold.
func fromV2(raw []byte) ([]byte, *v2Extra, error) {
	r := &rawReader{b: raw, off: len(magic)}
	global, err := r.readMap(globalMap, -1)
	if err != nil {
		return nil, nil, err
	}
	const g = "the global map"
	if f, _ := v2Field(global, 0x00, -1, "", g); f != nil {
		return nil, nil, errors.New("the global map has PSBT_GLOBAL_UNSIGNED_TX, which a version 2 PSBT must not carry")
	}
	fv, err := required(global, v2GlobalTxVersion, 4, "PSBT_GLOBAL_TX_VERSION", g)
	if err != nil {
		return nil, nil, err
	}
	fin, err := required(global, v2GlobalInputCount, -1, "PSBT_GLOBAL_INPUT_COUNT", g)
	if err != nil {
		return nil, nil, err
	}
	fout, err := required(global, v2GlobalOutputCount, -1, "PSBT_GLOBAL_OUTPUT_COUNT", g)
	if err != nil {
		return nil, nil, err
	}
	fallback, err := v2Field(global, v2GlobalFallbackLocktime, 4, "PSBT_GLOBAL_FALLBACK_LOCKTIME", g)
	if err != nil {
		return nil, nil, err
	}
	if _, err := v2Field(global, v2GlobalTxModifiable, 1, "PSBT_GLOBAL_TX_MODIFIABLE", g); err != nil {
		return nil, nil, err
	}
	nIn, err := compactValue(fin, "PSBT_GLOBAL_INPUT_COUNT", g)
	if err != nil {
		return nil, nil, err
	}
	nOut, err := compactValue(fout, "PSBT_GLOBAL_OUTPUT_COUNT", g)
	if err != nil {
		return nil, nil, err
	}
	// Every map takes at least its separator byte.
	if rest := uint64(len(raw) - r.off); nIn > rest || nOut > rest || nIn+nOut > rest {
		return nil, nil, fmt.Errorf("the global map counts %d inputs and %d outputs but only %d bytes follow; the PSBT is truncated or damaged", nIn, nOut, rest)
	}
	if nIn == 0 || nOut == 0 {
		return nil, nil, fmt.Errorf("the transaction has %d inputs and %d outputs; it needs at least one of each", nIn, nOut)
	}
	tx := wire.NewMsgTx(int32(binary.LittleEndian.Uint32(fv.value)))
	extra := &v2Extra{}
	var inputs, outputs [][]rawField
	var heights, times []uint32
	withLock := 0
	for i := 0; i < int(nIn); i++ {
		f, err := r.readMap(inputMap, i)
		if err != nil {
			return nil, nil, err
		}
		at := where(inputMap, i)
		txid, err := required(f, v2InPreviousTxID, 32, "PSBT_IN_PREVIOUS_TXID", at)
		if err != nil {
			return nil, nil, err
		}
		vout, err := required(f, v2InOutputIndex, 4, "PSBT_IN_OUTPUT_INDEX", at)
		if err != nil {
			return nil, nil, err
		}
		seq, err := v2Field(f, v2InSequence, 4, "PSBT_IN_SEQUENCE", at)
		if err != nil {
			return nil, nil, err
		}
		tl, err := v2Field(f, v2InRequiredTimeLock, 4, "PSBT_IN_REQUIRED_TIME_LOCKTIME", at)
		if err != nil {
			return nil, nil, err
		}
		hl, err := v2Field(f, v2InRequiredHeightLock, 4, "PSBT_IN_REQUIRED_HEIGHT_LOCKTIME", at)
		if err != nil {
			return nil, nil, err
		}
		var keep []rawField
		if tl != nil {
			v := binary.LittleEndian.Uint32(tl.value)
			if v < lockTimeThreshold {
				return nil, nil, fmt.Errorf("%s: its required time locktime %d is below %d, so it is a height, not a time", at, v, lockTimeThreshold)
			}
			times = append(times, v)
			keep = append(keep, *tl)
		}
		if hl != nil {
			v := binary.LittleEndian.Uint32(hl.value)
			if v == 0 || v >= lockTimeThreshold {
				return nil, nil, fmt.Errorf("%s: its required height locktime %d is not a block height (1 to %d)", at, v, lockTimeThreshold-1)
			}
			heights = append(heights, v)
			keep = append(keep, *hl)
		}
		if tl != nil || hl != nil {
			withLock++
		}
		extra.inputs = append(extra.inputs, keep)
		var h chainhash.Hash
		copy(h[:], txid.value)
		in := wire.NewTxIn(wire.NewOutPoint(&h, binary.LittleEndian.Uint32(vout.value)), nil, nil)
		in.Sequence = wire.MaxTxInSequenceNum
		if seq != nil {
			in.Sequence = binary.LittleEndian.Uint32(seq.value)
		}
		tx.AddTxIn(in)
		inputs = append(inputs, without(f, v2InPreviousTxID, v2InOutputIndex, v2InSequence, v2InRequiredTimeLock, v2InRequiredHeightLock))
	}
	for i := 0; i < int(nOut); i++ {
		f, err := r.readMap(outputMap, i)
		if err != nil {
			return nil, nil, err
		}
		at := where(outputMap, i)
		amt, err := required(f, v2OutAmount, 8, "PSBT_OUT_AMOUNT", at)
		if err != nil {
			return nil, nil, err
		}
		script, err := required(f, v2OutScript, -1, "PSBT_OUT_SCRIPT", at)
		if err != nil {
			return nil, nil, err
		}
		tx.AddTxOut(wire.NewTxOut(int64(binary.LittleEndian.Uint64(amt.value)), script.value))
		outputs = append(outputs, without(f, v2OutAmount, v2OutScript))
	}
	if rest := len(raw) - r.off; rest > 0 {
		return nil, nil, fmt.Errorf("%d unexpected bytes after the end of the PSBT", rest)
	}
	// BIP370 locktime determination: no input requires one, the fallback
	// (or 0); else a height when every input with a requirement accepts
	// one, else a time when every such input accepts one.
	switch {
	case withLock == 0 && fallback != nil:
		tx.LockTime = binary.LittleEndian.Uint32(fallback.value)
	case withLock == 0:
	case len(heights) == withLock:
		tx.LockTime = maxOf(heights)
	case len(times) == withLock:
		tx.LockTime = maxOf(times)
	default:
		return nil, nil, errors.New("the inputs require locktimes that cannot be met together (some only a height, some only a time)")
	}
	for _, f := range global {
		if f.typ == v2GlobalFallbackLocktime || f.typ == v2GlobalTxModifiable {
			extra.global = append(extra.global, f)
		}
	}
	var txb bytes.Buffer
	if err := tx.SerializeNoWitness(&txb); err != nil {
		return nil, nil, err
	}
	v0 := []rawField{{typ: 0x00, key: []byte{0x00}, value: txb.Bytes()}}
	v0 = append(v0, without(global, v2GlobalTxVersion, v2GlobalFallbackLocktime, v2GlobalInputCount, v2GlobalOutputCount, v2GlobalTxModifiable, globalVersion)...)
	return writeMaps(v0, inputs, outputs, false), extra, nil
}

func maxOf(v []uint32) uint32 {
	m := v[0]
	for _, x := range v[1:] {
		m = max(m, x)
	}
	return m
}

// without returns the fields whose type is none of types.
func without(fields []rawField, types ...uint64) []rawField {
	var out []rawField
	for _, f := range fields {
		drop := false
		for _, t := range types {
			drop = drop || f.typ == t
		}
		if !drop {
			out = append(out, f)
		}
	}
	return out
}

func field(typ uint64, value []byte) rawField {
	return rawField{typ: typ, key: []byte{byte(typ)}, value: value}
}

// toV2 turns the version 0 serialization back into version 2 with extra.
func toV2(v0 []byte, extra *v2Extra) ([]byte, error) {
	rp, err := scanRaw(v0)
	if err != nil {
		return nil, fmt.Errorf("internal error: re-reading the PSBT: %w", err)
	}
	tx, err := checkGlobal(rp.global)
	if err != nil {
		return nil, err
	}
	if len(extra.inputs) != len(tx.TxIn) {
		return nil, errors.New("internal error: the version 2 fields do not match the inputs")
	}
	count := func(n int) []byte {
		var b bytes.Buffer
		_ = wire.WriteVarInt(&b, 0, uint64(n))
		return b.Bytes()
	}
	global := []rawField{
		field(v2GlobalTxVersion, binary.LittleEndian.AppendUint32(nil, uint32(tx.Version))),
		field(v2GlobalInputCount, count(len(tx.TxIn))),
		field(v2GlobalOutputCount, count(len(tx.TxOut))),
		field(globalVersion, binary.LittleEndian.AppendUint32(nil, 2)),
	}
	global = append(global, extra.global...)
	global = append(global, without(rp.global, 0x00, globalVersion)...)
	inputs := make([][]rawField, len(tx.TxIn))
	for i, in := range tx.TxIn {
		op := in.PreviousOutPoint
		inputs[i] = append([]rawField{
			field(v2InPreviousTxID, op.Hash[:]),
			field(v2InOutputIndex, binary.LittleEndian.AppendUint32(nil, op.Index)),
			field(v2InSequence, binary.LittleEndian.AppendUint32(nil, in.Sequence)),
		}, extra.inputs[i]...)
		inputs[i] = append(inputs[i], rp.inputs[i]...)
	}
	outputs := make([][]rawField, len(tx.TxOut))
	for i, out := range tx.TxOut {
		outputs[i] = append([]rawField{
			field(v2OutAmount, binary.LittleEndian.AppendUint64(nil, uint64(out.Value))),
			field(v2OutScript, out.PkScript),
		}, rp.outputs[i]...)
	}
	return writeMaps(global, inputs, outputs, true), nil
}

// writeMaps serializes maps; sorted puts each map's keys in byte order
// (version 2 output), else they keep their order (the version 0 form
// must start with the unsigned transaction).
func writeMaps(global []rawField, inputs, outputs [][]rawField, sorted bool) []byte {
	var buf bytes.Buffer
	buf.Write(magic)
	write := func(fields []rawField) {
		if sorted {
			fields = append([]rawField(nil), fields...)
			sort.SliceStable(fields, func(i, j int) bool { return bytes.Compare(fields[i].key, fields[j].key) < 0 })
		}
		for _, f := range fields {
			_ = wire.WriteVarBytes(&buf, 0, f.key)
			_ = wire.WriteVarBytes(&buf, 0, f.value)
		}
		buf.WriteByte(0)
	}
	write(global)
	for _, m := range inputs {
		write(m)
	}
	for _, m := range outputs {
		write(m)
	}
	return buf.Bytes()
}
