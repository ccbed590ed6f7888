package bbqr

import (
	"errors"
	"fmt"
)

// ECLevel is a QR error-correction level; more correction, less capacity.
type ECLevel byte

// The four QR error-correction levels (ISO/IEC 18004): L recovers about 7 %
// of the symbol, M 15 %, Q 25 %, H 30 %.
const (
	LevelL ECLevel = 'L'
	LevelM ECLevel = 'M'
	LevelQ ECLevel = 'Q'
	LevelH ECLevel = 'H'
)

// alnumCapacity[level][version-1] is the number of alphanumeric-mode
// characters one QR code holds (ISO/IEC 18004:2015 Table 7; the same figures
// as the BBQr reference's table).
var alnumCapacity = map[ECLevel][40]int{
	LevelL: {25, 47, 77, 114, 154, 195, 224, 279, 335, 395, 468, 535, 619, 667, 758, 854, 938, 1046, 1153, 1249,
		1352, 1460, 1588, 1704, 1853, 1990, 2132, 2223, 2369, 2520, 2677, 2840, 3009, 3183, 3351, 3537, 3729, 3927, 4087, 4296},
	LevelM: {20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600, 656, 734, 816, 909, 970,
		1035, 1134, 1248, 1326, 1451, 1542, 1637, 1732, 1839, 1994, 2113, 2238, 2369, 2506, 2632, 2780, 2894, 3054, 3220, 3391},
	LevelQ: {16, 29, 47, 67, 87, 108, 125, 157, 189, 221, 259, 296, 352, 376, 426, 470, 531, 574, 644, 702,
		742, 823, 890, 963, 1041, 1094, 1172, 1263, 1322, 1429, 1499, 1618, 1700, 1787, 1867, 1966, 2071, 2181, 2298, 2420},
	LevelH: {10, 20, 35, 50, 64, 84, 93, 122, 143, 174, 200, 227, 259, 283, 321, 365, 408, 452, 493, 557,
		587, 640, 672, 744, 779, 864, 910, 958, 1016, 1080, 1150, 1226, 1307, 1394, 1431, 1530, 1591, 1658, 1774, 1852},
}

// AlphanumericCapacity is how many characters of the QR alphanumeric set
// (0-9 A-Z space $%*+-./:) fit in one code of the given version (1..40) at
// the given level, or 0 for an invalid version or level.
func AlphanumericCapacity(version int, level ECLevel) int {
	caps, ok := alnumCapacity[level]
	if !ok || version < 1 || version > 40 {
		return 0
	}
	return caps[version-1]
}

// SplitOptions choose the QR codes a series is laid out for.
type SplitOptions struct {
	Encoding   Encoding // Zlib (default, falls back to Base32), Base32 or Hex
	Level      ECLevel  // error correction of the codes; default LevelL
	MinVersion int      // smallest QR version to consider; default 1
	MaxVersion int      // largest QR version to consider; default 40
	MaxParts   int      // most codes acceptable; default 1 (a single code if it fits)
}

// SplitQR lays a file out as the fewest-module series that fits: it picks the
// smallest QR version in [MinVersion, MaxVersion] at which the series needs
// at most MaxParts codes, and splits for that version's capacity, so every
// code of the series has the same version. It returns that version.
//
// The BBQr reference instead minimises the number of codes first; with
// MaxParts set to that minimum this gives the same layout.
func SplitQR(data []byte, ft FileType, opts SplitOptions) (version int, parts []string, err error) {
	if opts.Encoding == 0 {
		opts.Encoding = Zlib
	}
	if opts.Level == 0 {
		opts.Level = LevelL
	}
	if opts.MinVersion == 0 {
		opts.MinVersion = 1
	}
	if opts.MaxVersion == 0 {
		opts.MaxVersion = 40
	}
	if opts.MaxParts == 0 {
		opts.MaxParts = 1
	}
	if _, ok := alnumCapacity[opts.Level]; !ok {
		return 0, nil, fmt.Errorf("bbqr: unknown error-correction level %q", string(rune(opts.Level)))
	}
	if opts.MinVersion < 1 || opts.MaxVersion > 40 || opts.MinVersion > opts.MaxVersion {
		return 0, nil, fmt.Errorf("bbqr: QR versions %d..%d out of range 1..40", opts.MinVersion, opts.MaxVersion)
	}
	if opts.MaxParts < 1 || opts.MaxParts > MaxParts {
		return 0, nil, fmt.Errorf("bbqr: maximum part count %d out of range 1..%d", opts.MaxParts, MaxParts)
	}
	enc, body, err := Encode(data, opts.Encoding)
	if err != nil {
		return 0, nil, err
	}
	for v := opts.MinVersion; v <= opts.MaxVersion; v++ {
		count, _, err := partLayout(len(body), splitMod(enc), AlphanumericCapacity(v, opts.Level))
		if err != nil || count > opts.MaxParts {
			continue
		}
		parts, err := Split(data, ft, enc, AlphanumericCapacity(v, opts.Level))
		return v, parts, err
	}
	return 0, nil, errors.New("bbqr: the file does not fit in that many codes at these QR versions")
}
