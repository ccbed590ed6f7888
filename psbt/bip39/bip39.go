// Package bip39 converts between BIP39 entropy and English mnemonics and
// derives the BIP32 seed from a mnemonic.
//
// airsign splits BIP39 entropy into Shamir shares, so the key it rebuilds
// also has a standard mnemonic that any wallet restores. Everything here
// handles secrets: inputs and outputs are []byte (never string) so callers
// can zero them, and no error message ever contains a word, entropy or
// passphrase — errors name the position at fault instead ("word 7").
//
// Only the English wordlist is supported. The list (english.txt) is the
// file bip-0039/english.txt from the bitcoin/bips repository, unchanged;
// a test pins its SHA-256.
package bip39

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/text/unicode/norm"
)

// englishTxt is bip-0039/english.txt from github.com/bitcoin/bips:
// 2048 lowercase words, one per line, sorted.
//
//go:embed english.txt
var englishTxt string

var (
	wordList  []string       // index -> word
	wordIndex map[string]int // word -> index
)

func init() {
	wordList = strings.Fields(englishTxt)
	if len(wordList) != 2048 {
		panic("bip39: embedded english.txt does not hold 2048 words")
	}
	wordIndex = make(map[string]int, len(wordList))
	for i, w := range wordList {
		wordIndex[w] = i
	}
}

// Words returns a copy of the 2048 English words in index order, for
// prompts that complete or check words as the operator types them. The
// list is public; it is the words chosen from it that are secret.
func Words() []string {
	return append([]string(nil), wordList...)
}

// IsWord reports whether w (lowercase, no spaces) is in the English list,
// so a prompt can flag a typo as soon as a word is entered.
func IsWord(w []byte) bool {
	_, ok := wordIndex[string(w)]
	return ok
}

// Complete returns the list word that starts with prefix when exactly one
// does. Every BIP39 English word is determined by its first four letters,
// which is why paper backups often carry only those; a prompt may use
// this to expand them. It never guesses: an ambiguous or unknown prefix
// returns ok == false.
func Complete(prefix []byte) (word string, ok bool) {
	if len(prefix) == 0 {
		return "", false
	}
	p := string(prefix)
	if _, exact := wordIndex[p]; exact {
		return p, true
	}
	found := ""
	for _, w := range wordList {
		if strings.HasPrefix(w, p) {
			if found != "" {
				return "", false
			}
			found = w
		}
	}
	return found, found != ""
}

// validEntropyLen reports whether n bytes of entropy make a BIP39 mnemonic
// (128 to 256 bits in steps of 32).
func validEntropyLen(n int) bool {
	return n >= 16 && n <= 32 && n%4 == 0
}

// EntropyToMnemonic returns the English mnemonic for entropy of 16, 20,
// 24, 28 or 32 bytes (12 to 24 words), words joined by single spaces.
// The caller owns (and should zero) the result.
func EntropyToMnemonic(entropy []byte) ([]byte, error) {
	if !validEntropyLen(len(entropy)) {
		return nil, fmt.Errorf("bip39: entropy is %d bytes; it must be 16, 20, 24, 28 or 32 bytes", len(entropy))
	}
	sum := sha256.Sum256(entropy)
	defer clear(sum[:])
	nbits := len(entropy)*8 + len(entropy)/4 // entropy bits + checksum bits
	bit := func(i int) int {
		if i < len(entropy)*8 {
			return int(entropy[i/8]>>(7-uint(i%8))) & 1
		}
		i -= len(entropy) * 8
		return int(sum[i/8]>>(7-uint(i%8))) & 1
	}
	nwords := nbits / 11
	out := make([]byte, 0, nwords*9)
	for w := 0; w < nwords; w++ {
		idx := 0
		for b := 0; b < 11; b++ {
			idx = idx<<1 | bit(w*11+b)
		}
		if w > 0 {
			out = append(out, ' ')
		}
		out = append(out, wordList[idx]...)
	}
	return out, nil
}

// ErrChecksum is returned (wrapped) when every word is in the list but
// the checksum bits do not match: a word was mistyped into another valid
// word, or two words were swapped.
var ErrChecksum = errors.New("the mnemonic's checksum is wrong: a word is mistyped or the order is wrong")

// words splits a mnemonic on any whitespace, lowercases ASCII letters and
// returns the word indices. It never puts a word into an error.
func indices(mnemonic []byte) ([]int, error) {
	fields := bytes.Fields(mnemonic)
	switch len(fields) {
	case 12, 15, 18, 21, 24:
	default:
		return nil, fmt.Errorf("bip39: the mnemonic has %d words; it must have 12, 15, 18, 21 or 24", len(fields))
	}
	var buf [16]byte // longest English word is 8 letters
	defer clear(buf[:])
	idx := make([]int, len(fields))
	for i, f := range fields {
		if len(f) > len(buf) {
			return nil, fmt.Errorf("bip39: word %d is not in the BIP39 English list", i+1)
		}
		w := buf[:len(f)]
		for j, c := range f {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			w[j] = c
		}
		n, ok := wordIndex[string(w)]
		if !ok {
			return nil, fmt.Errorf("bip39: word %d is not in the BIP39 English list", i+1)
		}
		idx[i] = n
	}
	return idx, nil
}

// MnemonicToEntropy checks an English mnemonic and returns its entropy.
// Case and whitespace are normalised (any run of spaces, tabs or newlines
// separates words). Errors name the word's position, never the word.
// The caller owns (and should zero) the result.
func MnemonicToEntropy(mnemonic []byte) ([]byte, error) {
	idx, err := indices(mnemonic)
	if err != nil {
		return nil, err
	}
	defer clear(idx)
	nbits := len(idx) * 11
	csBits := nbits / 33
	entBytes := (nbits - csBits) / 8
	// Pack the 11-bit indices into a byte string one byte longer than the
	// entropy; the checksum bits land at the start of the final byte.
	raw := make([]byte, entBytes+1)
	defer clear(raw)
	for i, n := range idx {
		for b := 0; b < 11; b++ {
			if n>>(10-uint(b))&1 == 1 {
				pos := i*11 + b
				raw[pos/8] |= 1 << (7 - uint(pos%8))
			}
		}
	}
	entropy := make([]byte, entBytes)
	copy(entropy, raw[:entBytes])
	sum := sha256.Sum256(entropy)
	defer clear(sum[:])
	mask := byte(0xff) << (8 - uint(csBits))
	if raw[entBytes]&mask != sum[0]&mask {
		clear(entropy)
		return nil, fmt.Errorf("bip39: %w", ErrChecksum)
	}
	return entropy, nil
}

// canonical returns the mnemonic as lowercase words joined by single
// spaces: the exact text the BIP39 seed function hashes, whatever the
// spacing or case the operator typed.
func canonical(idx []int) []byte {
	out := make([]byte, 0, len(idx)*9)
	for i, n := range idx {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, wordList[n]...)
	}
	return out
}

// Seed checks the mnemonic and returns the 64-byte BIP32 seed:
// PBKDF2-HMAC-SHA512 over the normalised mnemonic, salt "mnemonic" +
// passphrase, 2048 rounds.
//
// The passphrase is put in Unicode NFKD form as BIP39 requires, so "é"
// typed as one code point or as "e" plus a combining accent gives the
// same seed as in other wallets. A passphrase that is not valid UTF-8 or
// contains control characters (a tab, or the newline a file or terminal
// may add) is refused rather than silently making a different wallet.
// The caller owns (and should zero) the result.
func Seed(mnemonic, passphrase []byte) ([]byte, error) {
	idx, err := indices(mnemonic)
	if err != nil {
		return nil, err
	}
	defer clear(idx)
	ent, err := MnemonicToEntropy(mnemonic)
	if err != nil {
		return nil, err
	}
	clear(ent)
	words := canonical(idx)
	defer clear(words)
	return seed(words, passphrase)
}

// seed is BIP39's mnemonic-to-seed for an already normalised sentence
// (any language): PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" +
// NFKD(passphrase).
func seed(sentence, passphrase []byte) ([]byte, error) {
	if err := checkPassphrase(passphrase); err != nil {
		return nil, err
	}
	salt := make([]byte, 0, len("mnemonic")+len(passphrase)*3)
	salt = append(salt, "mnemonic"...)
	salt = norm.NFKD.Append(salt, passphrase...)
	defer clear(salt)
	return pbkdf2.Key(sentence, salt, 2048, 64, sha512.New), nil
}

// checkPassphrase refuses passphrases that cannot mean what the operator
// typed: invalid UTF-8 or control characters. Errors give the position
// (in characters), never the character.
func checkPassphrase(p []byte) error {
	pos := 0
	for len(p) > 0 {
		pos++
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size <= 1 {
			return fmt.Errorf("bip39: passphrase character %d is not valid UTF-8", pos)
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("bip39: passphrase character %d is a control character (tab, newline, ...); it cannot be part of a passphrase", pos)
		}
		p = p[size:]
	}
	return nil
}
