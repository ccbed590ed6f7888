// Package specdecoder recovers a secret from airsign shares using nothing but
// docs/shares.md. It shares no code with package shamir or with vault: its
// only purpose is to prove that the document is complete, by being a second
// implementation that the tests run against the document's worked example and
// against random splits made by package shamir.
//
// It is deliberately plain (no error location, no constant time); do not use
// it for anything but that proof.
package specdecoder

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// Share is one decoded share, field by field as in the document's table.
type Share struct {
	Version     byte
	SetID       [4]byte
	T, N        byte
	Fingerprint [4]byte
	Index       byte
	Header      []byte // bytes 0–10, the set header
	Payload     []byte
}

// "the alphabet qpzry9x8gf2tvdw0s3jn54khce6mua7l (q=0, p=1, …, l=31)"
const alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// "generator 3b6a57b2 26508e6d 1ea119fa 3d4233dd 2a1462b3", "must give 0x2bc830a3"
var gen = []uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}

const target = 0x2bc830a3

// BIP173 polymod: start 1; for each value, shift in 5 bits and fold the top
// 5 bits back through the generator.
func polymod(values []int) uint32 {
	c := uint32(1)
	for _, v := range values {
		b := c >> 25
		c = (c&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if b>>i&1 == 1 {
				c ^= gen[i]
			}
		}
	}
	return c
}

// Decode reads one share's text.
func Decode(text string) (Share, error) {
	// "Readers remove spaces, dashes and line breaks and ignore case."
	s := strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\n", "", "\r", "", "\t", "").Replace(text))
	if !strings.HasPrefix(s, "ash1") {
		return Share{}, errors.New("no ash1 prefix")
	}
	var data []int
	for _, c := range s[4:] {
		v := strings.IndexRune(alphabet, c)
		if v < 0 {
			return Share{}, fmt.Errorf("bad character %q", c)
		}
		data = append(data, v)
	}
	if len(data) < 6 {
		return Share{}, errors.New("too short")
	}
	// "[h>>5 for h in "ash"] + [0] + [h&31 for h in "ash"] + data"
	var values []int
	for _, h := range "ash" {
		values = append(values, int(h)>>5)
	}
	values = append(values, 0)
	for _, h := range "ash" {
		values = append(values, int(h)&31)
	}
	values = append(values, data...)
	if polymod(values) != target {
		return Share{}, errors.New("checksum mismatch")
	}

	// "Regroup the data values (without the checksum) into bytes, most
	// significant bit first; the 1–4 leftover bits at the end must be zero."
	var bytes []byte
	acc, n := 0, 0
	for _, v := range data[:len(data)-6] {
		acc = acc<<5 | v
		n += 5
		if n >= 8 {
			n -= 8
			bytes = append(bytes, byte(acc>>n))
			acc &= 1<<n - 1
		}
	}
	if n > 4 || acc != 0 {
		return Share{}, errors.New("bad padding")
	}
	if len(bytes) < 12+16+4 {
		return Share{}, errors.New("too short")
	}
	var sh Share
	sh.Version = bytes[0]
	copy(sh.SetID[:], bytes[1:5])
	sh.T, sh.N = bytes[5], bytes[6]
	copy(sh.Fingerprint[:], bytes[7:11])
	sh.Index = bytes[11]
	sh.Header = bytes[:11]
	sh.Payload = bytes[12:]
	// "reject … version ≠ 1, index 0 or > N"
	if sh.Version != 1 || sh.Index == 0 || sh.Index > sh.N || sh.T < 2 || sh.T > sh.N || sh.N > 16 {
		return Share{}, errors.New("bad fields")
	}
	return sh, nil
}

// GF(2^8): "addition is XOR, multiplication is modulo x^8+x^4+x^3+x+1 (0x11B)".
func mul(a, b byte) byte {
	var r byte
	for b != 0 {
		if b&1 == 1 {
			r ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1b
		}
		b >>= 1
	}
	return r
}

func inv(a byte) byte {
	// a^254 = a^-1 in GF(2^8)
	r := byte(1)
	for i := 0; i < 254; i++ {
		r = mul(r, a)
	}
	return r
}

// Recover combines the first T of the given shares and checks the digest.
func Recover(shares []Share) ([]byte, error) {
	if len(shares) == 0 {
		return nil, errors.New("no shares")
	}
	f := shares[0]
	for _, s := range shares {
		if s.SetID != f.SetID || s.T != f.T || s.N != f.N || s.Fingerprint != f.Fingerprint || len(s.Payload) != len(f.Payload) {
			return nil, errors.New("shares of different sets")
		}
	}
	if len(shares) < int(f.T) {
		return nil, errors.New("too few shares")
	}
	use := shares[:f.T]
	for j := range use {
		for m := j + 1; m < len(use); m++ {
			if use[j].Index == use[m].Index {
				return nil, errors.New("duplicate index")
			}
		}
	}
	// "l_j = product over m≠j of x_m / (x_m XOR x_j)"
	l := make([]byte, len(use))
	for j := range use {
		l[j] = 1
		for m := range use {
			if m != j {
				l[j] = mul(l[j], mul(use[m].Index, inv(use[m].Index^use[j].Index)))
			}
		}
	}
	// "M[k] = XOR over j of y_j[k] · l_j"
	M := make([]byte, len(f.Payload))
	for k := range M {
		for j := range use {
			M[k] ^= mul(use[j].Payload[k], l[j])
		}
	}
	// "D = first 4 bytes of HMAC-SHA256(key = H, message = S)"
	S, D := M[:len(M)-4], M[len(M)-4:]
	h := hmac.New(sha256.New, f.Header)
	h.Write(S)
	if !hmac.Equal(h.Sum(nil)[:4], D) {
		return nil, errors.New("digest mismatch")
	}
	return S, nil
}
