package psbt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/wire"
)

// psbtGlobalXPub is BIP174's PSBT_GLOBAL_XPUB key type.
const psbtGlobalXPub = 0x01

// AddGlobalXPubs returns p with one PSBT_GLOBAL_XPUB record per cosigner
// key of a multisig descriptor: the account xpub with its origin. Hardware
// signers (Coldcard, SeedSigner, Sparrow, Bitcoin Core) check change of a
// multisig against these, and some refuse a multisig PSBT without them.
//
// btcd's psbt v1.1.8 has no field for them but keeps unknown global records
// in place, so the records are written into the serialized global map (a
// key-value pair is <len><0x01 xpub78> <len><fingerprint path…>, BIP174)
// and the result is read back through Decode, which checks them.
func AddGlobalXPubs(p *Packet, d *descriptor.Descriptor) (*Packet, error) {
	if !d.Kind().IsMultisig() {
		return p, nil
	}
	raw, err := p.encodeV0()
	if err != nil {
		return nil, err
	}
	at, err := afterUnsignedTx(raw)
	if err != nil {
		return nil, err
	}
	type record struct{ key, value []byte }
	var recs []record
	for i, k := range d.Keys() {
		full := base58.Decode(k.XPub.String())
		if len(full) != 82 {
			return nil, fmt.Errorf("key %d: the extended key does not serialize to 78 bytes", i+1)
		}
		key := append([]byte{psbtGlobalXPub}, full[:78]...)
		value := append([]byte(nil), k.MasterFingerprint[:]...)
		for _, step := range k.Path {
			value = binary.LittleEndian.AppendUint32(value, step)
		}
		recs = append(recs, record{key, value})
	}
	sort.Slice(recs, func(i, j int) bool { return bytes.Compare(recs[i].key, recs[j].key) < 0 })
	var buf bytes.Buffer
	buf.Write(raw[:at])
	for _, r := range recs {
		if err := wire.WriteVarBytes(&buf, 0, r.key); err != nil {
			return nil, err
		}
		if err := wire.WriteVarBytes(&buf, 0, r.value); err != nil {
			return nil, err
		}
	}
	buf.Write(raw[at:])
	out, err := Decode(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("internal error: the PSBT with global xpubs does not decode: %w", err)
	}
	out.v2 = p.v2
	return out, nil
}

// afterUnsignedTx returns the offset just after the global unsigned
// transaction record, which BIP174 parsers (btcd's) require first.
func afterUnsignedTx(raw []byte) (int, error) {
	const magic = "psbt\xff"
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return 0, fmt.Errorf("internal error: encoded PSBT without magic")
	}
	r := bytes.NewReader(raw[len(magic):])
	key, err := wire.ReadVarBytes(r, 0, 1<<16, "key")
	if err != nil || len(key) != 1 || key[0] != 0x00 {
		return 0, fmt.Errorf("internal error: encoded PSBT does not start with its unsigned transaction")
	}
	if _, err := wire.ReadVarBytes(r, 0, 1<<30, "value"); err != nil {
		return 0, fmt.Errorf("internal error: encoded PSBT: %v", err)
	}
	return len(raw) - r.Len(), nil
}
