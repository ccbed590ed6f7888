package ur

import (
	"errors"
	"fmt"
	"math"

	"github.com/airsign/airsign/transport/ur/cbor"
)

// This file reads and writes the two CBOR shapes UR itself uses, on the
// strict heads of package cbor: the byte string that wraps a PSBT and the
// five-element array of a multipart part. Registry types with nested
// structure (crypto-output) are decoded with cbor.Decode by their own
// packages.

const (
	cborUint  = cbor.MajorUint
	cborBytes = cbor.MajorBytes
	cborArray = cbor.MajorArray
)

// errCBORTruncated reports input that ends in the middle of a CBOR item.
var errCBORTruncated = cbor.ErrTruncated

var (
	appendHead = cbor.AppendHead
	readHead   = cbor.ReadHead
)

// readUint parses an unsigned integer item no larger than max.
func readUint(b []byte, max uint64, what string) (uint64, []byte, error) {
	major, n, rest, err := readHead(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", what, err)
	}
	if major != cborUint {
		return 0, nil, fmt.Errorf("%s: cbor major type %d, want unsigned integer", what, major)
	}
	if n > max {
		return 0, nil, fmt.Errorf("%s: %d is out of range", what, n)
	}
	return n, rest, nil
}

// readByteString parses a definite-length byte string item.
func readByteString(b []byte) ([]byte, []byte, error) {
	major, n, rest, err := readHead(b)
	if err != nil {
		return nil, nil, err
	}
	if major != cborBytes {
		return nil, nil, fmt.Errorf("cbor: major type %d, want byte string", major)
	}
	if n > uint64(len(rest)) {
		return nil, nil, errCBORTruncated
	}
	return rest[:n], rest[n:], nil
}

// EncodeCBORBytes wraps data as a single CBOR byte string: the UR message
// for the bytes, psbt and crypto-psbt types.
func EncodeCBORBytes(data []byte) []byte {
	out := appendHead(make([]byte, 0, len(data)+9), cborBytes, uint64(len(data)))
	return append(out, data...)
}

// DecodeCBORBytes returns the contents of a CBOR message that must be exactly
// one definite-length byte string (no tag, nothing after it).
func DecodeCBORBytes(cbor []byte) ([]byte, error) {
	data, rest, err := readByteString(cbor)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("cbor: %d trailing bytes after the byte string", len(rest))
	}
	return data, nil
}

// fountainPart is one multipart UR part as bcr-2024-001 serializes it:
// [seqNum, seqLen, messageLen, checksum, data].
type fountainPart struct {
	seqNum     uint32
	seqLen     int
	messageLen int
	checksum   uint32
	data       []byte
}

// cbor serializes the part as the five-element CBOR array.
func (p *fountainPart) cbor() []byte {
	b := make([]byte, 0, len(p.data)+32)
	b = appendHead(b, cborArray, 5)
	b = appendHead(b, cborUint, uint64(p.seqNum))
	b = appendHead(b, cborUint, uint64(p.seqLen))
	b = appendHead(b, cborUint, uint64(p.messageLen))
	b = appendHead(b, cborUint, uint64(p.checksum))
	b = appendHead(b, cborBytes, uint64(len(p.data)))
	return append(b, p.data...)
}

// decodeFountainPart parses the CBOR array of a multipart part. It checks
// only the encoding and the integer ranges; limits that depend on policy
// (message size, part count, fragment length) are checked by the decoder.
func decodeFountainPart(b []byte) (*fountainPart, error) {
	major, n, rest, err := readHead(b)
	if err != nil {
		return nil, fmt.Errorf("part: %w", err)
	}
	if major != cborArray || n != 5 {
		return nil, errors.New("part: not a five-element cbor array")
	}
	var p fountainPart
	var v uint64
	if v, rest, err = readUint(rest, math.MaxUint32, "part seqNum"); err != nil {
		return nil, err
	}
	p.seqNum = uint32(v)
	if v, rest, err = readUint(rest, math.MaxInt32, "part seqLen"); err != nil {
		return nil, err
	}
	p.seqLen = int(v)
	if v, rest, err = readUint(rest, math.MaxInt32, "part messageLen"); err != nil {
		return nil, err
	}
	p.messageLen = int(v)
	if v, rest, err = readUint(rest, math.MaxUint32, "part checksum"); err != nil {
		return nil, err
	}
	p.checksum = uint32(v)
	if p.data, rest, err = readByteString(rest); err != nil {
		return nil, fmt.Errorf("part data: %w", err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("part: %d trailing bytes after the cbor array", len(rest))
	}
	return &p, nil
}
