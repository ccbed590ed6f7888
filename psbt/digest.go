package psbt

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"strings"

	"github.com/airsign/airsign/psbt/bip39"
)

// DigestWords is how many words the confirmation digest has: 44 bits, enough
// that a compromised online machine cannot find another transaction with the
// same words while the operator waits, short enough to compare by eye.
const DigestWords = 4

// Digest is the confirmation digest of a PSBT: four BIP39 words taken from
// SHA-256 of the unsigned transaction. Both airsign-online and
// airsign-offline print it, so the operator compares two screens across the
// air gap, and sign asks for it to be typed back. It depends only on the
// unsigned transaction, so adding signatures does not change it.
func Digest(p *Packet) string {
	var buf bytes.Buffer
	_ = p.p.UnsignedTx.SerializeNoWitness(&buf)
	sum := sha256.Sum256(buf.Bytes())
	bits := binary.BigEndian.Uint64(sum[:8])
	words := bip39.Words()
	out := make([]string, DigestWords)
	for i := range out {
		out[i] = words[(bits>>(64-11*(i+1)))&0x7ff]
	}
	return strings.Join(out, " ")
}

// MatchDigest reports whether typed is the digest, accepting any case, extra
// spaces and words shortened to their first four letters (BIP39 words are
// unique in their first four letters).
func MatchDigest(p *Packet, typed string) bool {
	want := strings.Fields(Digest(p))
	got := strings.Fields(strings.ToLower(typed))
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		g := got[i]
		if g != want[i] && (len(g) < 4 || !strings.HasPrefix(want[i], g)) {
			return false
		}
	}
	return true
}
