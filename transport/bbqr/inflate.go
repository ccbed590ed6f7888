package bbqr

import (
	"errors"
	"fmt"
)

// This file is a small raw-DEFLATE (RFC 1951) decoder that enforces what
// BBQr's "Z" encoding promises a receiver: a sliding window of 1 KiB
// (zlib wbits=10), so no back-reference reaches further than 1024 bytes,
// and — our own limit — an output size cap against decompression bombs.
// Go's compress/flate accepts any 32 KiB distance, so it could neither tell
// us that our own Z output would fail on a Coldcard nor stop a stream that
// other BBQr readers reject.

// errInflateTruncated reports a DEFLATE stream that ends before its final block.
var errInflateTruncated = errors.New("deflate: stream is truncated")

type bitReader struct {
	src  []byte
	pos  int
	bits uint32
	n    uint
}

func (r *bitReader) need(n uint) error {
	for r.n < n {
		if r.pos >= len(r.src) {
			return errInflateTruncated
		}
		r.bits |= uint32(r.src[r.pos]) << r.n
		r.pos++
		r.n += 8
	}
	return nil
}

func (r *bitReader) read(n uint) (int, error) {
	if err := r.need(n); err != nil {
		return 0, err
	}
	v := int(r.bits & (1<<n - 1))
	r.bits >>= n
	r.n -= n
	return v, nil
}

// huffman is a canonical Huffman code as counts per length and the symbols
// in code order (the representation of zlib's "puff").
type huffman struct {
	count      [16]int
	symbol     []int
	incomplete bool // some bit patterns decode to nothing
}

// checkComplete applies zlib's rule: a code must use every bit pattern,
// except that a code of a single one-bit symbol (or none at all) is allowed.
func (h *huffman) checkComplete(what string) error {
	used := len(h.symbol) - h.count[0]
	if h.incomplete && !(used == 1 && h.count[1] == 1) {
		return fmt.Errorf("deflate: incomplete %s code", what)
	}
	return nil
}

func newHuffman(lengths []int) (*huffman, error) {
	h := &huffman{symbol: make([]int, len(lengths))}
	for _, l := range lengths {
		h.count[l]++
	}
	if h.count[0] == len(lengths) {
		return h, nil // no codes: only valid if never used
	}
	left := 1
	for l := 1; l < 16; l++ {
		left <<= 1
		left -= h.count[l]
		if left < 0 {
			return nil, errors.New("deflate: over-subscribed Huffman code")
		}
	}
	h.incomplete = left > 0
	var offs [16]int
	for l := 1; l < 15; l++ {
		offs[l+1] = offs[l] + h.count[l]
	}
	for sym, l := range lengths {
		if l != 0 {
			h.symbol[offs[l]] = sym
			offs[l]++
		}
	}
	return h, nil
}

func (r *bitReader) decode(h *huffman) (int, error) {
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		b, err := r.read(1)
		if err != nil {
			return 0, err
		}
		code |= b
		count := h.count[l]
		if code-count < first {
			return h.symbol[index+(code-first)], nil
		}
		index += count
		first += count
		first <<= 1
		code <<= 1
	}
	return 0, errors.New("deflate: invalid Huffman code")
}

var (
	lengthBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clOrder     = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// inflateWindow decodes a raw DEFLATE stream, failing if any distance
// exceeds window or the output would exceed maxOut bytes. Bytes after the
// final block are an error too: a BBQr Z body is exactly one stream.
func inflateWindow(src []byte, window, maxOut int) ([]byte, error) {
	r := &bitReader{src: src}
	var out []byte
	for {
		final, err := r.read(1)
		if err != nil {
			return nil, err
		}
		typ, err := r.read(2)
		if err != nil {
			return nil, err
		}
		switch typ {
		case 0:
			out, err = inflateStored(r, out, maxOut)
		case 1:
			out, err = inflateCodes(r, out, fixedLit, fixedDist, window, maxOut)
		case 2:
			var lit, dist *huffman
			if lit, dist, err = readDynamic(r); err == nil {
				out, err = inflateCodes(r, out, lit, dist, window, maxOut)
			}
		default:
			err = errors.New("deflate: invalid block type 3")
		}
		if err != nil {
			return nil, err
		}
		if final == 1 {
			break
		}
	}
	// Only the padding bits of the last byte may follow.
	if r.pos != len(src) {
		return nil, errors.New("deflate: data after the end of the stream")
	}
	return out, nil
}

func inflateStored(r *bitReader, out []byte, maxOut int) ([]byte, error) {
	r.bits, r.n = 0, 0 // skip to a byte boundary
	if r.pos+4 > len(r.src) {
		return nil, errInflateTruncated
	}
	n := int(r.src[r.pos]) | int(r.src[r.pos+1])<<8
	nc := int(r.src[r.pos+2]) | int(r.src[r.pos+3])<<8
	r.pos += 4
	if n != ^nc&0xffff {
		return nil, errors.New("deflate: stored block length check failed")
	}
	if r.pos+n > len(r.src) {
		return nil, errInflateTruncated
	}
	if len(out)+n > maxOut {
		return nil, errTooLarge(maxOut)
	}
	out = append(out, r.src[r.pos:r.pos+n]...)
	r.pos += n
	return out, nil
}

func errTooLarge(maxOut int) error {
	return fmt.Errorf("deflate: decompressed data exceeds the %d-byte limit", maxOut)
}

var fixedLit, fixedDist = func() (*huffman, *huffman) {
	l := make([]int, 288)
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	d := make([]int, 30)
	for i := range d {
		d[i] = 5
	}
	lit, _ := newHuffman(l)
	dist, _ := newHuffman(d)
	return lit, dist
}()

func readDynamic(r *bitReader) (*huffman, *huffman, error) {
	nlen, err := r.read(5)
	if err != nil {
		return nil, nil, err
	}
	ndist, err := r.read(5)
	if err != nil {
		return nil, nil, err
	}
	ncode, err := r.read(4)
	if err != nil {
		return nil, nil, err
	}
	nlen, ndist, ncode = nlen+257, ndist+1, ncode+4
	if nlen > 286 || ndist > 30 {
		return nil, nil, errors.New("deflate: bad code counts")
	}
	var cl [19]int
	for i := 0; i < ncode; i++ {
		if cl[clOrder[i]], err = r.read(3); err != nil {
			return nil, nil, err
		}
	}
	lencode, err := newHuffman(cl[:])
	if err != nil {
		return nil, nil, err
	}
	if lencode.incomplete || lencode.count[0] == len(cl) {
		return nil, nil, errors.New("deflate: incomplete code-length code")
	}
	lengths := make([]int, nlen+ndist)
	for i := 0; i < len(lengths); {
		sym, err := r.decode(lencode)
		if err != nil {
			return nil, nil, err
		}
		if sym < 16 {
			lengths[i] = sym
			i++
			continue
		}
		prev, rep := 0, 0
		switch sym {
		case 16:
			if i == 0 {
				return nil, nil, errors.New("deflate: repeat with no previous length")
			}
			prev = lengths[i-1]
			rep, err = r.read(2)
			rep += 3
		case 17:
			rep, err = r.read(3)
			rep += 3
		default:
			rep, err = r.read(7)
			rep += 11
		}
		if err != nil {
			return nil, nil, err
		}
		if i+rep > len(lengths) {
			return nil, nil, errors.New("deflate: too many code lengths")
		}
		for ; rep > 0; rep-- {
			lengths[i] = prev
			i++
		}
	}
	if lengths[256] == 0 {
		return nil, nil, errors.New("deflate: no end-of-block code")
	}
	lit, err := newHuffman(lengths[:nlen])
	if err == nil {
		err = lit.checkComplete("literal/length")
	}
	if err != nil {
		return nil, nil, err
	}
	dist, err := newHuffman(lengths[nlen:])
	if err == nil {
		err = dist.checkComplete("distance")
	}
	if err != nil {
		return nil, nil, err
	}
	return lit, dist, nil
}

func inflateCodes(r *bitReader, out []byte, lit, dist *huffman, window, maxOut int) ([]byte, error) {
	for {
		sym, err := r.decode(lit)
		if err != nil {
			return nil, err
		}
		switch {
		case sym < 256:
			if len(out) >= maxOut {
				return nil, errTooLarge(maxOut)
			}
			out = append(out, byte(sym))
			continue
		case sym == 256:
			return out, nil
		case sym > 285:
			return nil, errors.New("deflate: invalid length symbol")
		}
		sym -= 257
		extra, err := r.read(lengthExtra[sym])
		if err != nil {
			return nil, err
		}
		length := lengthBase[sym] + extra
		dsym, err := r.decode(dist)
		if err != nil {
			return nil, err
		}
		if dsym > 29 {
			return nil, errors.New("deflate: invalid distance symbol")
		}
		if extra, err = r.read(distExtra[dsym]); err != nil {
			return nil, err
		}
		d := distBase[dsym] + extra
		if d > window {
			return nil, fmt.Errorf("deflate: distance %d is beyond the %d-byte window", d, window)
		}
		if d > len(out) {
			return nil, errors.New("deflate: distance reaches before the start of the data")
		}
		if len(out)+length > maxOut {
			return nil, errTooLarge(maxOut)
		}
		for i := 0; i < length; i++ {
			out = append(out, out[len(out)-d])
		}
	}
}
