package ur

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"slices"
)

// This file is the "consensus stack" of bcr-2024-001: the pseudo-random
// machinery that encoder and decoder must run bit-for-bit alike so that both
// agree which fragments are mixed into a part without sending the list.
// None of it is cryptographic; it only has to be deterministic.

// xoshiro256 is Xoshiro256** seeded, as in bc-ur, from SHA-256(seed) read as
// four big-endian uint64 words.
type xoshiro256 struct{ s [4]uint64 }

func newXoshiro256(seed []byte) *xoshiro256 {
	d := sha256.Sum256(seed)
	var x xoshiro256
	for i := range x.s {
		x.s[i] = binary.BigEndian.Uint64(d[8*i:])
	}
	return &x
}

func (x *xoshiro256) next() uint64 {
	s := &x.s
	result := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return result
}

// nextDouble is next()/2^64 computed in float64 exactly as the reference
// (the uint64 is first rounded to a double), giving a value in [0, 1].
func (x *xoshiro256) nextDouble() float64 {
	return float64(x.next()) / 18446744073709551616.0
}

// nextInt returns an integer in [low, high] the way bc-ur does: by scaling
// nextDouble, not by taking next() modulo the range.
func (x *xoshiro256) nextInt(low, high uint64) uint64 {
	v := uint64(x.nextDouble()*float64(high-low+1)) + low
	if v > high { // only if nextDouble rounded up to exactly 1.0
		v = high
	}
	return v
}

// nextData returns n bytes, each nextInt(0, 255); the "Wolf" test messages
// of the reference test vectors are made this way.
func (x *xoshiro256) nextData(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(x.nextInt(0, 255))
	}
	return out
}

// aliasSampler picks index i with probability weights[i]/sum(weights) using
// the Walker–Vose alias method in the exact variant of bc-ur (index lists
// built in reverse order), so that draws match the reference.
type aliasSampler struct {
	probs   []float64
	aliases []int
}

func newAliasSampler(weights []float64) *aliasSampler {
	n := len(weights)
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	p := make([]float64, n)
	for i, w := range weights {
		p[i] = w * float64(n) / sum
	}
	small := make([]int, 0, n)
	large := make([]int, 0, n)
	for i := n - 1; i >= 0; i-- {
		if p[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	s := &aliasSampler{probs: make([]float64, n), aliases: make([]int, n)}
	for len(small) > 0 && len(large) > 0 {
		a := small[len(small)-1]
		small = small[:len(small)-1]
		g := large[len(large)-1]
		large = large[:len(large)-1]
		s.probs[a] = p[a]
		s.aliases[a] = g
		p[g] += p[a] - 1
		if p[g] < 1 {
			small = append(small, g)
		} else {
			large = append(large, g)
		}
	}
	for _, g := range large {
		s.probs[g] = 1
	}
	for _, a := range small { // only through numeric instability
		s.probs[a] = 1
	}
	return s
}

// next draws one index using two doubles from rnd.
func (s *aliasSampler) next(rnd func() float64) int {
	r1 := rnd()
	r2 := rnd()
	n := len(s.probs)
	i := int(float64(n) * r1)
	if i >= n { // r1 == 1.0 after rounding; unreachable in practice
		i = n - 1
	}
	if r2 < s.probs[i] {
		return i
	}
	return s.aliases[i]
}

// fragmentChooser decides which fragments are XORed into the part with a
// given sequence number, for one message (seqLen fragments, CRC32 checksum).
type fragmentChooser struct {
	seqLen   int
	checksum uint32
	degrees  *aliasSampler // built on first use: parts 1..seqLen never need it
}

func newFragmentChooser(seqLen int, checksum uint32) *fragmentChooser {
	return &fragmentChooser{seqLen: seqLen, checksum: checksum}
}

// choose returns the sorted fragment indexes (0-based) mixed into part seqNum.
// Parts 1..seqLen are the plain fragments in order; beyond that the degree is
// drawn from a harmonic distribution and the fragments by a partial
// Fisher–Yates shuffle, both from Xoshiro256** seeded with seqNum‖checksum.
func (c *fragmentChooser) choose(seqNum uint32) []int {
	if uint64(seqNum) <= uint64(c.seqLen) && seqNum >= 1 {
		return []int{int(seqNum) - 1}
	}
	var seed [8]byte
	binary.BigEndian.PutUint32(seed[0:], seqNum)
	binary.BigEndian.PutUint32(seed[4:], c.checksum)
	rng := newXoshiro256(seed[:])
	if c.degrees == nil {
		w := make([]float64, c.seqLen)
		for i := range w {
			w[i] = 1 / float64(i+1)
		}
		c.degrees = newAliasSampler(w)
	}
	degree := c.degrees.next(rng.nextDouble) + 1
	out := shuffledPrefix(c.seqLen, degree, rng)
	slices.Sort(out)
	return out
}

// shuffledPrefix returns the first count items of bc-ur's shuffle of
// [0, n): repeatedly take the item at position nextInt(0, remaining-1) out of
// the remaining list, order preserved. A Fenwick tree over "still present"
// finds the k-th remaining item in O(log n), so large sequences stay cheap.
func shuffledPrefix(n, count int, rng *xoshiro256) []int {
	tree := make([]int, n+1) // 1-based; all items present: tree[i] = lowbit(i)
	for i := 1; i <= n; i++ {
		tree[i] = i & -i
	}
	top := 1
	for top*2 <= n {
		top *= 2
	}
	out := make([]int, 0, count)
	for remaining := n; len(out) < count && remaining > 0; remaining-- {
		k := int(rng.nextInt(0, uint64(remaining-1))) + 1 // 1-based rank
		pos := 0
		for step := top; step > 0; step >>= 1 {
			if next := pos + step; next <= n && tree[next] < k {
				pos = next
				k -= tree[next]
			}
		}
		// pos+1 is the 1-based position of the k-th present item.
		for i := pos + 1; i <= n; i += i & -i {
			tree[i]--
		}
		out = append(out, pos)
	}
	return out
}
