package parts

import (
	"errors"
	"fmt"

	"github.com/airsign/airsign/transport/bbqr"
)

// byteCaps[level][version-1] is the number of bytes one QR code holds in
// byte mode (ISO/IEC 18004:2015 Table 7).
var byteCaps = map[bbqr.ECLevel][40]int{
	bbqr.LevelL: {17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520, 586, 644, 718, 792, 858,
		929, 1003, 1091, 1171, 1273, 1367, 1465, 1528, 1628, 1732, 1840, 1952, 2068, 2188, 2303, 2431, 2563, 2699, 2809, 2953},
	bbqr.LevelM: {14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666,
		711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331},
	bbqr.LevelQ: {11, 20, 32, 46, 60, 74, 86, 108, 130, 151, 177, 203, 241, 258, 292, 322, 364, 394, 442, 482,
		509, 565, 611, 661, 715, 751, 805, 868, 908, 982, 1030, 1112, 1168, 1228, 1283, 1351, 1423, 1499, 1579, 1663},
	bbqr.LevelH: {7, 14, 24, 34, 44, 58, 64, 84, 98, 119, 137, 155, 177, 194, 220, 250, 280, 310, 338, 382,
		403, 439, 461, 511, 535, 593, 625, 658, 698, 742, 790, 842, 898, 958, 983, 1051, 1093, 1139, 1219, 1273},
}

func byteCapacity(version int, level bbqr.ECLevel) int {
	caps, ok := byteCaps[level]
	if !ok || version < 1 || version > 40 {
		return 0
	}
	return caps[version-1]
}

// isAlphanumeric reports whether s uses only the QR alphanumeric set, so a
// QR encoder will (and should) put it in the denser alphanumeric mode.
func isAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == ' ' || c == '$' || c == '%' ||
			c == '*' || c == '+' || c == '-' || c == '.' || c == '/' || c == ':') {
			return false
		}
	}
	return true
}

// QRVersion returns the smallest QR version (1..40) in which every one of
// frames fits at the given error-correction level — alphanumeric mode for
// UR and BBQr codes, byte mode otherwise — so that a renderer can draw a
// whole series at one size.
func QRVersion(frames []string, level bbqr.ECLevel) (int, error) {
	if len(frames) == 0 {
		return 0, errors.New("no codes")
	}
	if bbqr.AlphanumericCapacity(1, level) == 0 {
		return 0, fmt.Errorf("unknown error-correction level %q", string(rune(level)))
	}
	for v := 1; v <= 40; v++ {
		fits := true
		for _, f := range frames {
			limit := byteCapacity(v, level)
			if isAlphanumeric(f) {
				limit = bbqr.AlphanumericCapacity(v, level)
			}
			if len(f) > limit {
				fits = false
				break
			}
		}
		if fits {
			return v, nil
		}
	}
	return 0, fmt.Errorf("a code of this length does not fit any QR version at level %c", level)
}
