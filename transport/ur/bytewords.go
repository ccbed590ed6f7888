package ur

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// bytewordsList is the 256-word dictionary of BCR-2020-012, in byte order
// (0x00 = able … 0xff = zoom). Each word's first and last letters are unique,
// which is what the minimal (two letters per byte) encoding relies on.
const bytewordsList = "" +
	"able acid also apex aqua arch atom aunt away axis back bald barn belt beta bias " +
	"blue body brag brew bulb buzz calm cash cats chef city claw code cola cook cost " +
	"crux curl cusp cyan dark data days deli dice diet door down draw drop drum dull " +
	"duty each easy echo edge epic even exam exit eyes fact fair fern figs film fish " +
	"fizz flap flew flux foxy free frog fuel fund gala game gear gems gift girl glow " +
	"good gray grim guru gush gyro half hang hard hawk heat help high hill holy hope " +
	"horn huts iced idea idle inch inky into iris iron item jade jazz join jolt jowl " +
	"judo jugs jump junk jury keep keno kept keys kick kiln king kite kiwi knob lamb " +
	"lava lazy leaf legs liar limp lion list logo loud love luau luck lung main many " +
	"math maze memo menu meow mild mint miss monk nail navy need news next noon note " +
	"numb obey oboe omit onyx open oval owls paid part peck play plus poem pool pose " +
	"puff puma purr quad quiz race ramp real redo rich road rock roof ruby ruin runs " +
	"rust safe saga scar sets silk skew slot soap solo song stub surf swan taco task " +
	"taxi tent tied time tiny toil tomb toys trip tuna twin ugly undo unit urge user " +
	"vast very veto vial vibe view visa void vows wall wand warm wasp wave waxy webs " +
	"what when whiz wolf work yank yawn yell yoga yurt zaps zero zest zinc zone zoom"

// minimalPairs[b] is the two-letter minimal Byteword for byte b (first and last
// letter of the word); minimalIndex maps (first-'a')*26+(last-'a') back to the
// byte, or -1 for a pair that is no Byteword.
var (
	minimalPairs [256][2]byte
	minimalIndex [26 * 26]int16
)

func init() {
	for i := range minimalIndex {
		minimalIndex[i] = -1
	}
	for b := 0; b < 256; b++ {
		w := bytewordsList[b*5 : b*5+4]
		minimalPairs[b] = [2]byte{w[0], w[3]}
		minimalIndex[int(w[0]-'a')*26+int(w[3]-'a')] = int16(b)
	}
}

// ErrBytewordsChecksum reports that a Bytewords string decoded to bytes whose
// CRC32 does not match its last four bytes: a misread or altered QR code.
var ErrBytewordsChecksum = errors.New("bytewords: checksum mismatch (corrupted or misread code)")

// EncodeBytewords returns the minimal Bytewords form (two lowercase letters
// per byte) of data followed by its big-endian CRC32, as a UR body carries it.
func EncodeBytewords(data []byte) string {
	sum := crc32.ChecksumIEEE(data)
	var c [4]byte
	binary.BigEndian.PutUint32(c[:], sum)
	out := make([]byte, 0, 2*(len(data)+4))
	for _, b := range data {
		out = append(out, minimalPairs[b][0], minimalPairs[b][1])
	}
	for _, b := range c {
		out = append(out, minimalPairs[b][0], minimalPairs[b][1])
	}
	return string(out)
}

// DecodeBytewords reverses EncodeBytewords: it accepts either case (QR codes
// carry UR in uppercase), checks every letter pair is a Byteword and that the
// trailing CRC32 matches, and returns the payload without the checksum.
func DecodeBytewords(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("bytewords: odd length %d (truncated code?)", len(s))
	}
	n := len(s) / 2
	if n < 5 {
		return nil, fmt.Errorf("bytewords: too short (%d bytes, need at least 1 byte and a 4-byte checksum)", n)
	}
	buf := make([]byte, n)
	for i := 0; i < n; i++ {
		x, okx := lowerLetter(s[2*i])
		y, oky := lowerLetter(s[2*i+1])
		if !okx || !oky {
			return nil, fmt.Errorf("bytewords: character at position %d is not a letter", 2*i+1)
		}
		v := minimalIndex[int(x-'a')*26+int(y-'a')]
		if v < 0 {
			return nil, fmt.Errorf("bytewords: %q at position %d is not a byteword", string([]byte{x, y}), 2*i+1)
		}
		buf[i] = byte(v)
	}
	body, tail := buf[:n-4], buf[n-4:]
	if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(tail) {
		return nil, ErrBytewordsChecksum
	}
	return body, nil
}

// lowerLetter folds an ASCII letter to lowercase and reports whether c was one.
func lowerLetter(c byte) (byte, bool) {
	switch {
	case c >= 'a' && c <= 'z':
		return c, true
	case c >= 'A' && c <= 'Z':
		return c + ('a' - 'A'), true
	}
	return 0, false
}
