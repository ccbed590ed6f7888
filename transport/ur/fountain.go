package ur

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
)

// Limits on what a multipart UR may claim, so that a hostile or corrupted
// series cannot make the reader allocate or compute without bound.
const (
	// MaxMessageLen is the largest message (CBOR bytes) a UR may carry.
	MaxMessageLen = 16 << 20
	// MaxSeqLen is the largest number of fragments a multipart UR may have.
	MaxSeqLen = 100000
	// MinFragmentLen is the smallest fragment the encoder makes (bc-ur's default).
	MinFragmentLen = 10
	// maxMixedBytes bounds the memory held in not-yet-reducible mixed parts.
	maxMixedBytes = 64 << 20
)

// findNominalFragmentLength is bc-ur's choice of fragment length: the
// smallest fragment count whose fragments, ceil(messageLen/count) bytes each,
// fit in maxFragmentLen, with at most messageLen/minFragmentLen fragments.
// Computed in closed form; the reference's linear search gives the same value.
func findNominalFragmentLength(messageLen, minFragmentLen, maxFragmentLen int) int {
	maxCount := max(messageLen/minFragmentLen, 1)
	count := min((messageLen+maxFragmentLen-1)/maxFragmentLen, maxCount)
	return (messageLen + count - 1) / count
}

// partitionMessage splits message into fragmentLen-byte fragments, the last
// one zero-padded.
func partitionMessage(message []byte, fragmentLen int) [][]byte {
	n := (len(message) + fragmentLen - 1) / fragmentLen
	frags := make([][]byte, n)
	for i := range frags {
		f := make([]byte, fragmentLen)
		copy(f, message[i*fragmentLen:])
		frags[i] = f
	}
	return frags
}

// fountainEncoder produces the parts of one message: parts 1..seqLen carry
// one fragment each, later parts XOR a pseudo-random set of fragments.
type fountainEncoder struct {
	messageLen  int
	checksum    uint32
	fragmentLen int
	fragments   [][]byte
	chooser     *fragmentChooser
	seqNum      uint32
}

func newFountainEncoder(message []byte, maxFragmentLen int) *fountainEncoder {
	fl := findNominalFragmentLength(len(message), MinFragmentLen, maxFragmentLen)
	frags := partitionMessage(message, fl)
	sum := crc32.ChecksumIEEE(message)
	return &fountainEncoder{
		messageLen:  len(message),
		checksum:    sum,
		fragmentLen: fl,
		fragments:   frags,
		chooser:     newFragmentChooser(len(frags), sum),
	}
}

func (e *fountainEncoder) seqLen() int { return len(e.fragments) }

// part builds the part with the given sequence number.
func (e *fountainEncoder) part(seqNum uint32) *fountainPart {
	idx := e.chooser.choose(seqNum)
	data := make([]byte, e.fragmentLen)
	for _, i := range idx {
		xorInto(data, e.fragments[i])
	}
	return &fountainPart{seqNum: seqNum, seqLen: e.seqLen(), messageLen: e.messageLen, checksum: e.checksum, data: data}
}

// nextPart advances the sequence number (wrapping at 2^32 like the
// reference) and returns that part.
func (e *fountainEncoder) nextPart() *fountainPart {
	e.seqNum++
	return e.part(e.seqNum)
}

func xorInto(dst, src []byte) {
	for i := range dst {
		dst[i] ^= src[i]
	}
}

// checkPartShape applies the limits and the internal consistency rules to a
// part on its own: positive sizes within the caps, and seqLen equal to the
// number of fragmentLen-byte fragments a messageLen-byte message splits into.
func checkPartShape(p *fountainPart) error {
	switch {
	case p.seqNum == 0:
		return errors.New("part number 0 (parts count from 1)")
	case p.seqLen < 1:
		return errors.New("part claims zero parts in the sequence")
	case p.seqLen > MaxSeqLen:
		return fmt.Errorf("part claims %d parts in the sequence (limit %d)", p.seqLen, MaxSeqLen)
	case p.messageLen < 1:
		return errors.New("part claims an empty message")
	case p.messageLen > MaxMessageLen:
		return fmt.Errorf("part claims a %d-byte message (limit %d)", p.messageLen, MaxMessageLen)
	case len(p.data) < 1:
		return errors.New("part carries an empty fragment")
	}
	if want := (p.messageLen + len(p.data) - 1) / len(p.data); want != p.seqLen {
		return fmt.Errorf("fragment length %d does not fit a %d-byte message in %d parts", len(p.data), p.messageLen, p.seqLen)
	}
	return nil
}

// equation is what one received part says: the XOR of the fragments listed
// in idx (sorted, distinct) is data.
type equation struct {
	idx  []int
	data []byte
}

// cost is what an equation held in memory counts against maxMixedBytes.
func (e *equation) cost() int { return len(e.data) + 8*len(e.idx) }

// fountainDecoder reassembles one message from parts in any order, with
// duplicates and gaps.
//
// Every part is a linear equation over GF(2) in the unknown fragments. The
// reference decoder of bcr-2024-001 only "peels" (reduces a mixed part by
// parts that are strict subsets of it), which can leave information unused;
// this one keeps the mixed parts in row-echelon form (each stored row is
// keyed by its smallest fragment index, its pivot) and so finishes as soon
// as the parts received determine the message — with the same result
// whenever peeling would have finished, and often a few frames earlier.
type fountainDecoder struct {
	seqLen, messageLen, fragmentLen int
	checksum                        uint32
	chooser                         *fragmentChooser

	known    [][]byte          // fragment i once solved, else nil
	nKnown   int               // number of non-nil entries in known
	rows     map[int]*equation // pivot → row; pivots are never known
	rowBytes int

	message []byte // set when complete
}

// newFountainDecoder starts a decoder whose expectations are taken from p,
// which must already have passed checkPartShape.
func newFountainDecoder(p *fountainPart) *fountainDecoder {
	return &fountainDecoder{
		seqLen:      p.seqLen,
		messageLen:  p.messageLen,
		fragmentLen: len(p.data),
		checksum:    p.checksum,
		chooser:     newFragmentChooser(p.seqLen, p.checksum),
		known:       make([][]byte, p.seqLen),
		rows:        map[int]*equation{},
	}
}

// sameMessage reports whether p belongs to the message being decoded.
func (d *fountainDecoder) sameMessage(p *fountainPart) bool {
	return p.seqLen == d.seqLen && p.messageLen == d.messageLen &&
		p.checksum == d.checksum && len(p.data) == d.fragmentLen
}

// rank is how many fragments' worth of independent information has been
// received: the message is determined when it reaches seqLen.
func (d *fountainDecoder) rank() int { return d.nKnown + len(d.rows) }

// errChecksum reports a reassembled message whose CRC32 is wrong: the parts
// were consistent but their content was not (a faulty or hostile encoder).
var errChecksum = errors.New("reassembled message fails its CRC32 checksum")

// receive adds one part of this message (sameMessage must hold). It returns
// errChecksum if the message completed but is corrupt.
func (d *fountainDecoder) receive(p *fountainPart) error {
	if d.message != nil {
		return nil
	}
	e := &equation{idx: d.chooser.choose(p.seqNum), data: bytes.Clone(p.data)}
	d.stripKnown(e)
	for len(e.idx) > 0 {
		r := d.rows[e.idx[0]]
		if r == nil {
			break
		}
		e = d.eliminate(e, r)
		d.stripKnown(e)
	}
	switch {
	case len(e.idx) == 0:
		return nil // nothing new: a duplicate or a combination of earlier parts
	case len(e.idx) == 1:
		d.known[e.idx[0]] = e.data
		d.nKnown++
	case d.rowBytes+e.cost() > maxMixedBytes:
		return nil // keep memory bounded; later parts carry the information again
	default:
		d.rows[e.idx[0]] = e
		d.rowBytes += e.cost()
	}
	if d.rank() == d.seqLen {
		return d.finish()
	}
	return nil
}

// stripKnown XORs the already solved fragments out of e.
func (d *fountainDecoder) stripKnown(e *equation) {
	out := e.idx[:0]
	for _, i := range e.idx {
		if k := d.known[i]; k != nil {
			xorInto(e.data, k)
			continue
		}
		out = append(out, i)
	}
	e.idx = out
}

// eliminate returns e XOR r (symmetric difference of the index sets), where
// both start with the same pivot; the result's indexes are all above it.
func (d *fountainDecoder) eliminate(e, r *equation) *equation {
	idx := make([]int, 0, len(e.idx)+len(r.idx))
	i, j := 0, 0
	for i < len(e.idx) || j < len(r.idx) {
		switch {
		case j == len(r.idx) || i < len(e.idx) && e.idx[i] < r.idx[j]:
			idx = append(idx, e.idx[i])
			i++
		case i == len(e.idx) || r.idx[j] < e.idx[i]:
			idx = append(idx, r.idx[j])
			j++
		default: // equal: cancels
			i++
			j++
		}
	}
	xorInto(e.data, r.data)
	return &equation{idx: idx, data: e.data}
}

// finish solves the remaining rows by back-substitution (highest pivot
// first: every other index of a row is above its pivot, hence already
// solved) and checks the message checksum.
func (d *fountainDecoder) finish() error {
	pivots := make([]int, 0, len(d.rows))
	for p := range d.rows {
		pivots = append(pivots, p)
	}
	slices.Sort(pivots)
	for _, p := range slices.Backward(pivots) {
		r := d.rows[p]
		for _, i := range r.idx[1:] {
			xorInto(r.data, d.known[i])
		}
		d.known[p] = r.data
	}
	d.rows, d.nKnown = nil, d.seqLen
	msg := make([]byte, 0, d.seqLen*d.fragmentLen)
	for _, f := range d.known {
		msg = append(msg, f...)
	}
	msg = msg[:d.messageLen]
	if crc32.ChecksumIEEE(msg) != d.checksum {
		return errChecksum
	}
	d.message = msg
	return nil
}
