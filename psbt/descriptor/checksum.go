package descriptor

import (
	"errors"
	"fmt"
	"strings"
)

// The descriptor checksum of BIP380: a BCH code over the descriptor text,
// written from the specification's description of descsum_expand,
// descsum_polymod and descsum_create.

// inputCharset holds every character a descriptor may contain, in three
// groups of 32 ordered so that common typos change few checksum symbols.
const inputCharset = "0123456789()[],'/*abcdefgh@:$%{}" +
	"IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~" +
	"ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "

// checksumCharset is the bech32 alphabet the 8 checksum characters use.
const checksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var generator = [5]uint64{0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd}

// charPos maps a byte to its position in inputCharset, or -1.
var charPos = func() (t [256]int) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(inputCharset); i++ {
		t[inputCharset[i]] = i
	}
	return t
}()

func polymod(c uint64, v int) uint64 {
	top := c >> 35
	c = (c&0x7ffffffff)<<5 ^ uint64(v)
	for i := 0; i < 5; i++ {
		if top>>uint(i)&1 == 1 {
			c ^= generator[i]
		}
	}
	return c
}

// errCharset reports the 1-based position of a character a descriptor may
// not contain. It names the position only: a pasted descriptor could
// carry a private key, and errors never quote input that might be secret.
func errCharset(pos int) error {
	return fmt.Errorf("character %d is not allowed in a descriptor (BIP380 character set)", pos)
}

// Checksum returns the 8-character BIP380 checksum of desc, which must not
// already carry a "#checksum" suffix. Wallets (Bitcoin Core, Sparrow)
// print and may require it; it catches any typo of up to 3 characters.
func Checksum(desc string) (string, error) {
	c := uint64(1)
	cls, clsCount := 0, 0
	for i := 0; i < len(desc); i++ {
		pos := charPos[desc[i]]
		if pos < 0 {
			return "", errCharset(i + 1)
		}
		// Each character contributes its position within its group, and
		// every three characters add one symbol for their group numbers.
		c = polymod(c, pos&31)
		cls = cls*3 + pos>>5
		clsCount++
		if clsCount == 3 {
			c = polymod(c, cls)
			cls, clsCount = 0, 0
		}
	}
	if clsCount > 0 {
		c = polymod(c, cls)
	}
	for i := 0; i < 8; i++ {
		c = polymod(c, 0)
	}
	c ^= 1
	var out [8]byte
	for i := range out {
		out[i] = checksumCharset[c>>(5*(7-uint(i)))&31]
	}
	return string(out[:]), nil
}

// ErrChecksum is returned (wrapped) when a descriptor's "#checksum" does
// not match its text.
var ErrChecksum = errors.New("descriptor checksum is wrong")

// ErrNoChecksum is returned (wrapped) by ParseStrict when the descriptor
// has no "#checksum".
var ErrNoChecksum = errors.New("the descriptor has no #checksum")

// SplitChecksum separates "desc#checksum" and verifies the checksum when
// there is one. It returns the descriptor text and whether a checksum was
// present. Readers of other wallets' files use it to check a line before
// they rewrite it (a receive/change pair joined into one multipath
// descriptor gets a new checksum, so the old ones must be checked first).
func SplitChecksum(s string) (body string, had bool, err error) { return splitChecksum(s) }

func splitChecksum(s string) (string, bool, error) {
	body, sum, found := strings.Cut(s, "#")
	if !found {
		if _, err := Checksum(body); err != nil {
			return "", false, err
		}
		return body, false, nil
	}
	if strings.Contains(sum, "#") {
		return "", false, errors.New("the descriptor contains more than one '#'")
	}
	want, err := Checksum(body)
	if err != nil {
		return "", false, err
	}
	switch {
	case sum == "":
		return "", false, fmt.Errorf("the descriptor ends in '#' with no checksum; expected #%s", want)
	case len(sum) != 8:
		return "", false, fmt.Errorf("the descriptor checksum has %d characters; a BIP380 checksum has 8", len(sum))
	}
	for i := 0; i < len(sum); i++ {
		if !strings.ContainsRune(checksumCharset, rune(sum[i])) {
			return "", false, fmt.Errorf("checksum character %d is not in the checksum alphabet (%s)", i+1, checksumCharset)
		}
	}
	if sum != want {
		return "", false, fmt.Errorf("%w: expected #%s, got #%s — the text was altered or mistyped", ErrChecksum, want, sum)
	}
	return body, true, nil
}
