// Package cbor is the small, strict subset of CBOR (RFC 8949) that the UR
// types airsign reads need: unsigned and negative integers, byte and text
// strings, arrays, maps, tags and the two booleans.
//
// It exists because the registry types that describe wallets (crypto-output,
// output-descriptor, crypto-hdkey) are nested CBOR, and a QR code from
// another machine is outside input. Indefinite lengths, non-shortest heads,
// reserved additional information, floats, undefined and null, duplicate
// map keys and trailing bytes are refused. Map keys may come in any order:
// Sparrow and Keystone write them in insertion order. No input makes the
// decoder hold more than MaxItems items or recurse deeper than MaxDepth.
package cbor

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// Major types (RFC 8949 section 3.1).
const (
	MajorUint   byte = 0
	MajorNegInt byte = 1
	MajorBytes  byte = 2
	MajorText   byte = 3
	MajorArray  byte = 4
	MajorMap    byte = 5
	MajorTag    byte = 6
	MajorSimple byte = 7
)

// MaxItems bounds the data items of one message: a 20-key multisig
// wallet has about 400; the bound keeps a hostile message from costing
// more than a few hundred kilobytes of Items.
const MaxItems = 4096

// MaxMapPairs bounds the pairs of one map: registry types have about ten
// keys, and the bound keeps the duplicate-key check cheap.
const MaxMapPairs = 256

// MaxDepth bounds how deeply arrays, maps and tags may nest. The deepest
// wallet description airsign reads (sh(wsh(sortedmulti)) with key paths)
// nests about 9 levels.
const MaxDepth = 32

// ErrTruncated reports input that ends in the middle of a CBOR item.
var ErrTruncated = errors.New("cbor: truncated")

// Kind says what an Item holds.
type Kind uint8

// The kinds of item Decode returns.
const (
	Uint   Kind = iota + 1 // N is the value
	NegInt                 // the value is -1 - N
	Bytes                  // Bytes
	Text                   // Text (valid UTF-8)
	Array                  // Items are the elements
	Map                    // Items are key, value, key, value, …
	Tag                    // N is the tag number, Items[0] the content
	Bool                   // Bool
)

func (k Kind) String() string {
	switch k {
	case Uint:
		return "unsigned integer"
	case NegInt:
		return "negative integer"
	case Bytes:
		return "byte string"
	case Text:
		return "text string"
	case Array:
		return "array"
	case Map:
		return "map"
	case Tag:
		return "tagged item"
	case Bool:
		return "boolean"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Item is one decoded CBOR data item. Byte strings alias the input.
type Item struct {
	Kind  Kind
	N     uint64 // Uint, NegInt (-1-N), Tag number
	Bytes []byte
	Text  string
	Items []Item
	Bool  bool
}

// Lookup returns the value stored under the unsigned integer key k of a map.
func (it Item) Lookup(k uint64) (Item, bool) {
	if it.Kind != Map {
		return Item{}, false
	}
	for i := 0; i+1 < len(it.Items); i += 2 {
		if key := it.Items[i]; key.Kind == Uint && key.N == k {
			return it.Items[i+1], true
		}
	}
	return Item{}, false
}

// Untag returns the content of a tagged item and its tag; an untagged item
// comes back as itself with tag 0 and ok false.
func (it Item) Untag() (content Item, tag uint64, ok bool) {
	if it.Kind != Tag {
		return it, 0, false
	}
	return it.Items[0], it.N, true
}

// Decode parses exactly one CBOR data item; bytes after it are an error.
func Decode(b []byte) (Item, error) {
	budget := MaxItems
	it, rest, err := decode(b, 0, &budget)
	if err != nil {
		return Item{}, err
	}
	if len(rest) != 0 {
		return Item{}, fmt.Errorf("cbor: %d trailing bytes after the item", len(rest))
	}
	return it, nil
}

func decode(b []byte, depth int, budget *int) (Item, []byte, error) {
	if depth > MaxDepth {
		return Item{}, nil, fmt.Errorf("cbor: nested deeper than %d levels", MaxDepth)
	}
	if *budget--; *budget < 0 {
		return Item{}, nil, fmt.Errorf("cbor: more than %d data items", MaxItems)
	}
	if len(b) > 0 && b[0]>>5 == MajorSimple {
		switch b[0] {
		case 0xf4:
			return Item{Kind: Bool}, b[1:], nil
		case 0xf5:
			return Item{Kind: Bool, Bool: true}, b[1:], nil
		}
		return Item{}, nil, fmt.Errorf("cbor: simple value or float 0x%02x is not allowed here", b[0])
	}
	major, n, rest, err := ReadHead(b)
	if err != nil {
		return Item{}, nil, err
	}
	switch major {
	case MajorUint:
		return Item{Kind: Uint, N: n}, rest, nil
	case MajorNegInt:
		return Item{Kind: NegInt, N: n}, rest, nil
	case MajorBytes, MajorText:
		if n > uint64(len(rest)) {
			return Item{}, nil, ErrTruncated
		}
		data := rest[:n]
		if major == MajorBytes {
			return Item{Kind: Bytes, Bytes: data}, rest[n:], nil
		}
		if !utf8.Valid(data) {
			return Item{}, nil, errors.New("cbor: text string is not valid UTF-8")
		}
		return Item{Kind: Text, Text: string(data)}, rest[n:], nil
	case MajorArray, MajorMap:
		count := n
		if major == MajorMap {
			if n > MaxMapPairs {
				return Item{}, nil, fmt.Errorf("cbor: a map of %d pairs is more than the %d allowed", n, MaxMapPairs)
			}
			count = 2 * n
		}
		// Every item takes at least one byte: a count beyond the bytes
		// left, or beyond the items still allowed, must not size an
		// allocation.
		if count > uint64(len(rest)) {
			return Item{}, nil, ErrTruncated
		}
		if count > uint64(*budget) {
			return Item{}, nil, fmt.Errorf("cbor: more than %d data items", MaxItems)
		}
		it := Item{Kind: Array, Items: make([]Item, 0, count)}
		if major == MajorMap {
			it.Kind = Map
		}
		for i := uint64(0); i < count; i++ {
			var el Item
			if el, rest, err = decode(rest, depth+1, budget); err != nil {
				return Item{}, nil, err
			}
			if major == MajorMap && i%2 == 0 {
				if err := checkKey(el, it.Items); err != nil {
					return Item{}, nil, err
				}
			}
			it.Items = append(it.Items, el)
		}
		return it, rest, nil
	case MajorTag:
		content, rest, err := decode(rest, depth+1, budget)
		if err != nil {
			return Item{}, nil, err
		}
		return Item{Kind: Tag, N: n, Items: []Item{content}}, rest, nil
	}
	return Item{}, nil, fmt.Errorf("cbor: major type %d is not allowed here", major)
}

// checkKey allows integer and text map keys, each at most once.
func checkKey(k Item, prev []Item) error {
	if k.Kind != Uint && k.Kind != NegInt && k.Kind != Text {
		return fmt.Errorf("cbor: a map key is a %s; only integer and text keys are allowed", k.Kind)
	}
	for i := 0; i < len(prev); i += 2 {
		p := prev[i]
		if p.Kind == k.Kind && p.N == k.N && p.Text == k.Text {
			return errors.New("cbor: duplicate map key")
		}
	}
	return nil
}

// ReadHead parses one CBOR head, insisting on the shortest form, and
// returns the major type, its argument and the rest of the input.
func ReadHead(b []byte) (major byte, n uint64, rest []byte, err error) {
	if len(b) == 0 {
		return 0, 0, nil, ErrTruncated
	}
	major, info := b[0]>>5, b[0]&0x1f
	b = b[1:]
	var size int
	switch {
	case info < 24:
		return major, uint64(info), b, nil
	case info == 24:
		size = 1
	case info == 25:
		size = 2
	case info == 26:
		size = 4
	case info == 27:
		size = 8
	case info == 31:
		return 0, 0, nil, errors.New("cbor: indefinite length is not allowed")
	default:
		return 0, 0, nil, fmt.Errorf("cbor: reserved additional information %d", info)
	}
	if len(b) < size {
		return 0, 0, nil, ErrTruncated
	}
	for _, c := range b[:size] {
		n = n<<8 | uint64(c)
	}
	// Shortest form: each head size must be needed for its value.
	var least uint64
	switch size {
	case 1:
		least = 24
	case 2:
		least = math.MaxUint8 + 1
	case 4:
		least = math.MaxUint16 + 1
	case 8:
		least = math.MaxUint32 + 1
	}
	if n < least {
		return 0, 0, nil, errors.New("cbor: non-shortest (overlong) integer encoding")
	}
	return major, n, b[size:], nil
}

// AppendHead appends the shortest CBOR head for major type major and
// argument n.
func AppendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return append(b, m|25, byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return append(b, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32),
		byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// AppendUint appends an unsigned integer.
func AppendUint(b []byte, n uint64) []byte { return AppendHead(b, MajorUint, n) }

// AppendBytes appends a byte string.
func AppendBytes(b, data []byte) []byte {
	return append(AppendHead(b, MajorBytes, uint64(len(data))), data...)
}

// AppendText appends a text string.
func AppendText(b []byte, s string) []byte {
	return append(AppendHead(b, MajorText, uint64(len(s))), s...)
}

// AppendArray appends the head of an array of n elements; the caller
// appends the elements.
func AppendArray(b []byte, n int) []byte { return AppendHead(b, MajorArray, uint64(n)) }

// AppendMap appends the head of a map of n pairs; the caller appends the
// keys and values, keys in ascending order for deterministic encoding.
func AppendMap(b []byte, n int) []byte { return AppendHead(b, MajorMap, uint64(n)) }

// AppendTag appends a tag; the caller appends the tagged item.
func AppendTag(b []byte, tag uint64) []byte { return AppendHead(b, MajorTag, tag) }

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xf5)
	}
	return append(b, 0xf4)
}
