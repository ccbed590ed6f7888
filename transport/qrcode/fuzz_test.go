package qrcode

import (
	"bytes"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// FuzzDecodeImage feeds arbitrary bytes to the file decoder as if they were
// a PNG, JPEG or GIF: it must return texts or an error, never panic, and
// never allocate without bound.
func FuzzDecodeImage(f *testing.F) {
	m, err := Encode("UR:BYTES/HDCXAYAXAXAXAX", LevelL, false)
	if err != nil {
		f.Fatal(err)
	}
	img := m.Image(2)
	var p, j, g bytes.Buffer
	png.Encode(&p, img)
	jpeg.Encode(&j, img, &jpeg.Options{Quality: 80})
	gif.Encode(&g, img, nil)
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add(g.Bytes())
	f.Add(pngHeader(20000, 20000))
	f.Add(bombGIF(2))
	f.Add([]byte("GIF89a"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		texts, err := DecodeBytes("fuzz", data)
		if err == nil && len(texts) == 0 {
			t.Fatal("no error and no text")
		}
	})
}

// FuzzParseSegments: any data codewords, any version, parse without panic.
func FuzzParseSegments(f *testing.F) {
	f.Add([]byte{0x20, 0x5b, 0x0b, 0x78, 0xd1, 0x72, 0xdc, 0x4d, 0x43, 0x40, 0xec, 0x11, 0xec}, 1)
	f.Add([]byte{0x40, 0x3f, 0xf0}, 10)
	f.Add([]byte{0x71, 0xa0, 0x00}, 27)
	f.Fuzz(func(t *testing.T, cw []byte, version int) {
		if version < 1 || version > 40 {
			return
		}
		segs, err := parseSegments(cw, version)
		if err != nil {
			return
		}
		for _, s := range segs {
			if s.mode == modeAlphanumeric {
				for _, c := range s.data {
					if bytes.IndexByte([]byte(alphanumericChars), c) < 0 {
						t.Fatalf("alphanumeric segment holds %q", c)
					}
				}
			}
		}
	})
}
