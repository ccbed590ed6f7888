package ur

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
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

// mixedPart is a received part reduced as far as possible: the XOR of the
// fragments listed in idx (sorted, at least two while it is "mixed").
type mixedPart struct {
	idx  []int
	data []byte
}

func (m *mixedPart) key() string {
	b := make([]byte, 4*len(m.idx))
	for i, v := range m.idx {
		binary.BigEndian.PutUint32(b[4*i:], uint32(v))
	}
	return string(b)
}

// fountainDecoder reassembles one message from parts in any order, with
// duplicates and gaps, reducing mixed parts by XOR as fragments arrive
// (the decoder of bcr-2024-001 §6).
type fountainDecoder struct {
	seqLen, messageLen, fragmentLen int
	checksum                        uint32
	chooser                         *fragmentChooser

	simple     [][]byte // fragment i once known, else nil
	received   int
	mixed      map[string]*mixedPart
	mixedBytes int
	queue      []*mixedPart

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
		simple:      make([][]byte, p.seqLen),
		mixed:       map[string]*mixedPart{},
	}
}

// sameMessage reports whether p belongs to the message being decoded.
func (d *fountainDecoder) sameMessage(p *fountainPart) bool {
	return p.seqLen == d.seqLen && p.messageLen == d.messageLen &&
		p.checksum == d.checksum && len(p.data) == d.fragmentLen
}

// errChecksum reports a reassembled message whose CRC32 is wrong: the parts
// were consistent but their content was not (a faulty or hostile encoder).
var errChecksum = errors.New("reassembled message fails its CRC32 checksum")

// receive adds one part of this message (sameMessage must hold). It returns
// errChecksum if the message completed but is corrupt.
func (d *fountainDecoder) receive(p *fountainPart) error {
	if d.message != nil {
		return nil
	}
	data := make([]byte, len(p.data))
	copy(data, p.data)
	d.queue = append(d.queue, &mixedPart{idx: d.chooser.choose(p.seqNum), data: data})
	for len(d.queue) > 0 && d.message == nil {
		q := d.queue[0]
		d.queue = d.queue[1:]
		var err error
		if len(q.idx) == 1 {
			err = d.processSimple(q)
		} else {
			d.processMixed(q)
		}
		if err != nil {
			return err
		}
	}
	d.queue = nil
	return nil
}

func (d *fountainDecoder) processSimple(p *mixedPart) error {
	i := p.idx[0]
	if d.simple[i] != nil {
		return nil
	}
	d.simple[i] = p.data
	d.received++
	if d.received == d.seqLen {
		msg := make([]byte, 0, d.seqLen*d.fragmentLen)
		for _, f := range d.simple {
			msg = append(msg, f...)
		}
		msg = msg[:d.messageLen]
		if crc32.ChecksumIEEE(msg) != d.checksum {
			return errChecksum
		}
		d.message = msg
		d.mixed, d.queue = nil, nil
		return nil
	}
	d.reduceMixedBy(p)
	return nil
}

func (d *fountainDecoder) processMixed(p *mixedPart) {
	if _, dup := d.mixed[p.key()]; dup {
		return
	}
	// Take out every fragment already known.
	unknown := make([]int, 0, len(p.idx))
	var data []byte
	for _, i := range p.idx {
		if d.simple[i] == nil {
			unknown = append(unknown, i)
		}
	}
	if len(unknown) == 0 {
		return // nothing new in it
	}
	if len(unknown) < len(p.idx) {
		data = make([]byte, len(p.data))
		copy(data, p.data)
		for _, i := range p.idx {
			if d.simple[i] != nil {
				xorInto(data, d.simple[i])
			}
		}
		p = &mixedPart{idx: unknown, data: data}
	}
	// Then every stored mixed part that is a strict subset of it.
	for _, m := range d.mixed {
		if len(p.idx) > 1 && isStrictSubset(m.idx, p.idx) {
			p = reduce(p, m)
		}
	}
	if len(p.idx) == 1 {
		d.queue = append(d.queue, p)
		return
	}
	d.reduceMixedBy(p)
	cost := len(p.data) + 8*len(p.idx)
	if d.mixedBytes+cost > maxMixedBytes {
		return // keep memory bounded; later parts will carry the information
	}
	d.mixed[p.key()] = p
	d.mixedBytes += cost
}

// reduceMixedBy reduces every stored mixed part that strictly contains b;
// the ones that become simple are queued.
func (d *fountainDecoder) reduceMixedBy(b *mixedPart) {
	for k, m := range d.mixed {
		if !isStrictSubset(b.idx, m.idx) {
			continue
		}
		r := reduce(m, b)
		delete(d.mixed, k)
		d.mixedBytes -= len(m.data) + 8*len(m.idx)
		if len(r.idx) == 1 {
			d.queue = append(d.queue, r)
			continue
		}
		rk := r.key()
		if _, exists := d.mixed[rk]; exists {
			continue
		}
		d.mixed[rk] = r
		d.mixedBytes += len(r.data) + 8*len(r.idx)
	}
}

// reduce returns a with b's fragments XORed out (b ⊂ a).
func reduce(a, b *mixedPart) *mixedPart {
	idx := make([]int, 0, len(a.idx)-len(b.idx))
	j := 0
	for _, v := range a.idx {
		if j < len(b.idx) && b.idx[j] == v {
			j++
			continue
		}
		idx = append(idx, v)
	}
	data := make([]byte, len(a.data))
	copy(data, a.data)
	xorInto(data, b.data)
	return &mixedPart{idx: idx, data: data}
}

// isStrictSubset reports whether sorted a is a proper subset of sorted b.
func isStrictSubset(a, b []int) bool {
	if len(a) >= len(b) {
		return false
	}
	j := 0
	for _, v := range a {
		for j < len(b) && b[j] < v {
			j++
		}
		if j == len(b) || b[j] != v {
			return false
		}
		j++
	}
	return true
}
