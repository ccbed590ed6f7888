package ur

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// Legacy URs (the first UR draft, BCR-2020-004 "bc32"), which Cobo Vault,
// early BlueWallet and Specter wrote before the fountain-coded form:
//
//	ur:bytes/<bc32>                             one code
//	ur:bytes/<digest>/<bc32>                    one code with its digest
//	ur:bytes/<M>of<N>/<digest>/<bc32 fragment>  part M of N
//
// The bc32 text of the CBOR message is cut into N fragments in order; the
// digest is the bc32 of the message's SHA-256. bc32 is bech32 with an empty
// prefix and the bech32m constant, checksum included in the last fragment.

const bc32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bc32Const is the value the checksum polymod must give (bech32m's).
const bc32Const = 0x3fffffff

func bc32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

// decodeBC32 reads bc32 text (its six-character checksum included).
func decodeBC32(s string) ([]byte, error) {
	if len(s) < 6 {
		return nil, errors.New("bc32 text too short for its checksum")
	}
	values := make([]byte, 0, len(s)+1)
	values = append(values, 0)
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(bc32Charset, s[i])
		if v < 0 {
			return nil, fmt.Errorf("character %d is not bc32", i+1)
		}
		values = append(values, byte(v))
	}
	if bc32Polymod(values) != bc32Const {
		return nil, errors.New("its bc32 checksum does not match: a misread or altered code")
	}
	data, err := bech32.ConvertBits(values[1:len(values)-6], 5, 8, false)
	if err != nil {
		return nil, fmt.Errorf("bc32 padding: %v", err)
	}
	return data, nil
}

func encodeBC32(data []byte) string {
	five, _ := bech32.ConvertBits(data, 8, 5, true)
	values := append([]byte{0}, five...)
	pm := bc32Polymod(append(values, 0, 0, 0, 0, 0, 0)) ^ bc32Const
	var b strings.Builder
	for _, v := range five {
		b.WriteByte(bc32Charset[v])
	}
	for i := 0; i < 6; i++ {
		b.WriteByte(bc32Charset[(pm>>(5*(5-i)))&31])
	}
	return b.String()
}

// legacyPart is one parsed legacy UR code.
type legacyPart struct {
	urType      string
	seqNum, seq int // 1-based part number and count (1, 1 for one code)
	digest      string
	fragment    string
}

// parseLegacy recognises a legacy UR; ok is false for anything else
// (a current UR is never taken for one: its sequence is "M-N" and its
// Bytewords are letters only, while bc32 text always has digits).
func parseLegacy(s string) (legacyPart, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	rest, ok := strings.CutPrefix(s, "ur:")
	if !ok {
		return legacyPart{}, false
	}
	c := strings.Split(rest, "/")
	isBC32 := func(x string) bool {
		return x != "" && strings.Trim(x, bc32Charset) == "" && strings.ContainsAny(x, "0234567890")
	}
	switch {
	case len(c) == 4 && validType(c[0]):
		m, n, ok := parseOf(c[1])
		if !ok || !isBC32(c[2]) || strings.Trim(c[3], bc32Charset) != "" || c[3] == "" {
			return legacyPart{}, false
		}
		return legacyPart{urType: c[0], seqNum: m, seq: n, digest: c[2], fragment: c[3]}, true
	case len(c) == 3 && validType(c[0]) && isBC32(c[1]) && isBC32(c[2]):
		return legacyPart{urType: c[0], seqNum: 1, seq: 1, digest: c[1], fragment: c[2]}, true
	case len(c) == 2 && validType(c[0]) && isBC32(c[1]):
		return legacyPart{urType: c[0], seqNum: 1, seq: 1, fragment: c[1]}, true
	}
	return legacyPart{}, false
}

// parseOf reads "MofN" (1 ≤ M ≤ N ≤ MaxSeqLen).
func parseOf(s string) (int, int, bool) {
	a, b, ok := strings.Cut(s, "of")
	if !ok {
		return 0, 0, false
	}
	m, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || m < 1 || n < m || n > MaxSeqLen {
		return 0, 0, false
	}
	return m, n, true
}

// legacyState collects the parts of one legacy UR.
type legacyState struct {
	urType string
	seq    int
	digest string
	frags  map[int]string
}

// receiveLegacy adds one legacy part (see Receive).
func (d *Decoder) receiveLegacy(p legacyPart) error {
	where := fmt.Sprintf("legacy ur:%s part %dof%d", p.urType, p.seqNum, p.seq)
	var notice error
	l := d.legacy
	if l == nil || l.urType != p.urType || l.seq != p.seq || l.digest != p.digest || (l.frags[p.seqNum] != "" && l.frags[p.seqNum] != p.fragment) {
		if d.started() {
			notice = fmt.Errorf("%s: %w", where, ErrMessageChanged)
		}
		*d = Decoder{urType: p.urType, legacy: &legacyState{urType: p.urType, seq: p.seq, digest: p.digest, frags: map[int]string{}}}
		l = d.legacy
	}
	if d.result != nil {
		return notice
	}
	l.frags[p.seqNum] = p.fragment
	if len(l.frags) < l.seq {
		return notice
	}
	var whole strings.Builder
	for i := 1; i <= l.seq; i++ {
		whole.WriteString(l.frags[i])
	}
	cbor, err := decodeBC32(whole.String())
	if err != nil {
		*d = Decoder{}
		return fmt.Errorf("legacy ur:%s: %w; discarded all parts", p.urType, err)
	}
	if l.digest != "" {
		sum := sha256.Sum256(cbor)
		if encodeBC32(sum[:]) != l.digest {
			*d = Decoder{}
			return fmt.Errorf("legacy ur:%s: the parts do not give the message their digest names; discarded all parts", p.urType)
		}
	}
	d.result, d.single = cbor, l.seq == 1
	return notice
}
