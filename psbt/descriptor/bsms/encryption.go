package bsms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// A TOKEN is the setup's shared secret: 8 bytes (STANDARD) or 16 bytes
// (EXTENDED); 0x00 means no encryption.
const (
	standardToken = 8
	extendedToken = 16
)

// ParseToken reads a TOKEN as people are given it: a decimal number (what
// BIP129 recommends) or hex (with a 0x prefix, or holding a letter a–f).
// A decimal number names its value, not its length, so it returns both
// candidate lengths that fit; Decrypt tries each and the MAC tells which
// one the coordinator used.
func ParseToken(s string) ([][]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("the BSMS token is empty")
	}
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "0x") || strings.ContainsAny(lower, "abcdef") {
		b, err := hex.DecodeString(strings.TrimPrefix(lower, "0x"))
		if err != nil || (len(b) != standardToken && len(b) != extendedToken) {
			return nil, fmt.Errorf("the BSMS token is not %d or %d bytes of hex (16 or 32 hex digits)", standardToken, extendedToken)
		}
		return [][]byte{b}, nil
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.Sign() <= 0 {
		return nil, errors.New("the BSMS token is neither a decimal number nor hex")
	}
	var out [][]byte
	for _, size := range []int{standardToken, extendedToken} {
		if n.BitLen() <= 8*size {
			out = append(out, n.FillBytes(make([]byte, size)))
		}
	}
	if out == nil {
		return nil, fmt.Errorf("the BSMS token is larger than %d bits", 8*extendedToken)
	}
	return out, nil
}

// encryptionKey is BIP129's key derivation: PBKDF2-SHA512 of "No SPOF"
// salted with the TOKEN, 2048 rounds, 256 bits.
func encryptionKey(token []byte) ([]byte, error) {
	return pbkdf2.Key(sha512.New, "No SPOF", token, 2048, 32)
}

// Decrypt opens an encrypted record (hex of MAC || AES-256-CTR ciphertext,
// IV = first 16 bytes of the MAC) with one of the candidate tokens, and
// checks its MAC, HMAC-SHA256(SHA256(key), hex(TOKEN) || plaintext). A
// wrong token and a damaged file look the same; both are refused.
func Decrypt(data []byte, tokens [][]byte) ([]byte, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, errors.New("the encrypted BSMS record is not hex")
	}
	if len(raw) <= sha256.Size || len(raw) > MaxRecordSize {
		return nil, fmt.Errorf("the encrypted BSMS record is %d bytes: too short or too long to be one", len(raw))
	}
	mac, ciphertext := raw[:sha256.Size], raw[sha256.Size:]
	for _, token := range tokens {
		key, err := encryptionKey(token)
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		plain := make([]byte, len(ciphertext))
		cipher.NewCTR(block, mac[:aes.BlockSize]).XORKeyStream(plain, ciphertext)
		if hmac.Equal(recordMAC(key, token, plain), mac) {
			return plain, nil
		}
	}
	return nil, errors.New("the encrypted BSMS record does not open with this token (wrong token, or the file is damaged)")
}

func recordMAC(key, token, plain []byte) []byte {
	hk := sha256.Sum256(key)
	m := hmac.New(sha256.New, hk[:])
	m.Write([]byte(hex.EncodeToString(token)))
	m.Write(plain)
	return m.Sum(nil)
}
