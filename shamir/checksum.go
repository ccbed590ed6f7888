package shamir

// The text form is a bech32m string (BIP350) with the human-readable part
// "ash". btcutil/bech32 computes the same checksum, but only on Go strings:
// share text is secret material, and strings can be neither wiped nor
// searched for a mistyped character without copying the share thousands of
// times. So the polymod lives here, on []byte, branch-free; checksum_test.go
// checks it against btcutil/bech32 and proves the error-detection guarantee.

const (
	// HRP is the human-readable part of a share's bech32m text.
	HRP = "ash"
	// Prefix is how every share text begins: HRP and the bech32 separator.
	// It is block 1 on the card.
	Prefix = HRP + "1"
	// BlockSize is the number of characters in each block of the text form.
	BlockSize = 4

	charset      = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	bech32mConst = 0x2bc830a3
	checksumLen  = 6
	// maxDataChars bounds the data part (payload characters plus checksum)
	// for which bech32m's BCH code has minimum distance 5, proven by
	// TestChecksumDistance. The longest share uses 83.
	maxDataChars = 89
)

var generator = [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}

// charValue maps an ASCII byte (either case) to its 5-bit value, or -1.
var charValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(charset); i++ {
		c := charset[i]
		t[c] = int8(i)
		if c >= 'a' && c <= 'z' {
			t[c-'a'+'A'] = int8(i)
		}
	}
	return t
}()

// polymodStep feeds one 5-bit value into the BCH checksum state, without
// branching on the (secret) value.
func polymodStep(chk uint32, v byte) uint32 {
	top := chk >> 25
	chk = (chk&0x1ffffff)<<5 ^ uint32(v)
	for i := 0; i < 5; i++ {
		chk ^= -((top >> i) & 1) & generator[i]
	}
	return chk
}

// hrpState is the polymod state after the expanded HRP (BIP173:
// high bits of each HRP character, a zero, low bits of each character).
var hrpState = func() uint32 {
	chk := uint32(1)
	for i := 0; i < len(HRP); i++ {
		chk = polymodStep(chk, HRP[i]>>5)
	}
	chk = polymodStep(chk, 0)
	for i := 0; i < len(HRP); i++ {
		chk = polymodStep(chk, HRP[i]&31)
	}
	return chk
}()

// residue returns 0 for a valid data part (5-bit values including the
// checksum) and otherwise the error syndrome.
func residue(values []byte) uint32 {
	chk := hrpState
	for _, v := range values {
		chk = polymodStep(chk, v)
	}
	return chk ^ bech32mConst
}

// appendChecksum appends the six checksum values for values.
func appendChecksum(values []byte) []byte {
	chk := hrpState
	for _, v := range values {
		chk = polymodStep(chk, v)
	}
	for i := 0; i < checksumLen; i++ {
		chk = polymodStep(chk, 0)
	}
	chk ^= bech32mConst
	for i := 0; i < checksumLen; i++ {
		values = append(values, byte(chk>>(5*(checksumLen-1-i)))&31)
	}
	return values
}

// errorSyndrome[p][v] is what a change by v (XOR of 5-bit values) at
// position p counted from the end of the data part adds to the residue.
// The polymod is linear over GF(2) apart from its start value, so the
// residue of a mistyped text is the XOR of these for each wrong character.
var errorSyndrome = func() (t [maxDataChars][32]uint32) {
	for v := 1; v < 32; v++ {
		t[0][v] = uint32(v)
		for p := 1; p < maxDataChars; p++ {
			t[p][v] = polymodStep(t[p-1][v], 0)
		}
	}
	return t
}()

// singleError maps each syndrome of a one-character error to its position
// from the end. Distance 5 makes it one-to-one (TestChecksumDistance).
var singleError = func() map[uint32]int {
	m := make(map[uint32]int, maxDataChars*31)
	for p := 0; p < maxDataChars; p++ {
		for v := 1; v < 32; v++ {
			m[errorSyndrome[p][v]] = p
		}
	}
	return m
}()

// locateErrors returns the positions (0-based from the start of values) of
// the one or two characters whose change would explain the residue, or nil
// if no pattern of one or two changes does. Because the code has minimum
// distance 5, an error of one or two characters is always located exactly;
// an error of three or more may be located wrongly or not at all, which is
// why callers say a block "looks" mistyped. It never returns the correction.
func locateErrors(values []byte) []int {
	n := len(values)
	s := residue(values)
	if s == 0 || n > maxDataChars {
		return nil
	}
	if p, ok := singleError[s]; ok && p < n {
		return []int{n - 1 - p}
	}
	var found []int
	for p := 0; p < n; p++ {
		for v := 1; v < 32; v++ {
			q, ok := singleError[s^errorSyndrome[p][v]]
			if !ok || q >= n || q <= p {
				continue
			}
			if found != nil && (found[0] != n-1-q || found[1] != n-1-p) {
				return nil // ambiguous: more than two characters are wrong
			}
			found = []int{n - 1 - q, n - 1 - p}
		}
	}
	return found
}

// blockOf returns the card block (1-based, "ash1" is block 1) of data-part
// position i.
func blockOf(i int) int { return (len(Prefix)+i)/BlockSize + 1 }

// toWords regroups bytes into 5-bit values, big-endian, zero-padding the
// last one.
func toWords(b []byte) []byte {
	out := make([]byte, 0, (len(b)*8+4)/5+checksumLen)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, byte(acc>>bits)&31)
		}
	}
	if bits > 0 {
		out = append(out, byte(acc<<(5-bits))&31)
	}
	acc = 0
	return out
}

// fromWords regroups 5-bit values into bytes; ok is false if the leftover
// bits (fewer than 8) are not all zero or there are 5 or more of them.
func fromWords(w []byte) (out []byte, ok bool) {
	out = make([]byte, 0, len(w)*5/8)
	var acc uint32
	bits := 0
	for _, v := range w {
		acc = acc<<5 | uint32(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	ok = bits < 5 && acc&(1<<bits-1) == 0
	acc = 0
	return out, ok
}
