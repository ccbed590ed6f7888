package parts

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/airsign/airsign/transport/bbqr"
	"github.com/airsign/airsign/transport/ur"
)

// Density presets: the UR fragment length in bytes, which sets how dense
// (how many modules) each animated or printed code is.
const (
	DensityLow    = 80  // small codes for poor cameras or small screens
	DensityMedium = 200 // the default
	DensityHigh   = 400 // fewer, denser codes
)

// Options choose how Plan lays a PSBT out as QR codes. The zero value means
// the defaults: UR crypto-psbt, 200-byte fragments, level L, one code when
// the PSBT fits a code of that density, no extra fountain frames.
type Options struct {
	// Format of a multi-code series: FormatUR (default) or FormatBBQr. It
	// also decides the single-code form, unless Base64Single is set.
	Format Format
	// URType is ur.TypeCryptoPSBT (default; what most wallets read) or ur.TypePSBT.
	URType string
	// FragmentLen is the density: bytes of PSBT per UR code (DensityLow,
	// DensityMedium or DensityHigh, or any value from 10). A BBQr series
	// uses codes of the same QR version as a UR code of this density.
	FragmentLen int
	// Level is the error-correction level the codes will be drawn at
	// (L for screens, M or Q for paper); capacities depend on it.
	Level bbqr.ECLevel
	// MaxSingleVersion is the largest QR version (1..40) a PSBT may use as a
	// single code. 0 means the version of one code of the chosen density
	// (a UR code of FragmentLen bytes), so a single code is never denser
	// than the frames of a series would be; -1 always makes a series.
	MaxSingleVersion int
	// Base64Single sends a PSBT that fits one code as plain base64 (what
	// every wallet reads) instead of a single-part UR or BBQr code.
	Base64Single bool
	// Redundancy adds fountain-coded UR frames after the plain ones, as a
	// fraction of the part count (0.5 adds half as many again): in a looping
	// animation they let a receiver that missed frames finish sooner. 0 for
	// a printed page, where every code is scanned.
	Redundancy float64
}

func (o *Options) defaults() error {
	if o.Format == FormatNone {
		o.Format = FormatUR
	}
	if o.Format != FormatUR && o.Format != FormatBBQr {
		return fmt.Errorf("plan: a series is written as UR or BBQr, not %s", o.Format)
	}
	if o.URType == "" {
		o.URType = ur.TypeCryptoPSBT
	}
	if o.URType != ur.TypeCryptoPSBT && o.URType != ur.TypePSBT {
		return fmt.Errorf("plan: UR type %q (want %s or %s)", o.URType, ur.TypeCryptoPSBT, ur.TypePSBT)
	}
	if o.FragmentLen == 0 {
		o.FragmentLen = DensityMedium
	}
	if o.FragmentLen < ur.MinFragmentLen || o.FragmentLen > 2000 {
		return fmt.Errorf("plan: fragment length %d out of range %d..2000", o.FragmentLen, ur.MinFragmentLen)
	}
	if o.Level == 0 {
		o.Level = bbqr.LevelL
	}
	if bbqr.AlphanumericCapacity(1, o.Level) == 0 {
		return fmt.Errorf("plan: unknown error-correction level %q", string(rune(o.Level)))
	}
	if o.MaxSingleVersion < -1 || o.MaxSingleVersion > 40 {
		return fmt.Errorf("plan: single-code QR version %d out of range 1..40", o.MaxSingleVersion)
	}
	if o.Redundancy < 0 || o.Redundancy > 10 || math.IsNaN(o.Redundancy) {
		return fmt.Errorf("plan: redundancy %v out of range 0..10", o.Redundancy)
	}
	return nil
}

// Plan returns the text of every QR code to show for a PSBT, in order: one
// code if it fits (see Options), else a UR or BBQr series. Every code is
// then read back through a Collector (in reverse order, so fountain frames
// are exercised) and must yield the identical PSBT, or Plan fails: nothing
// is shown that our own reader cannot decode.
func Plan(psbt []byte, opts Options) ([]string, error) {
	if !bytes.HasPrefix(psbt, psbtMagic) {
		return nil, errors.New("plan: data is not a PSBT (no psbt\\xff magic)")
	}
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	frames, err := plan(psbt, opts)
	if err != nil {
		return nil, err
	}
	if err := readBack(frames, psbt); err != nil {
		return nil, fmt.Errorf("plan: read-back of the %d codes failed: %w", len(frames), err)
	}
	return frames, nil
}

func plan(psbt []byte, o Options) ([]string, error) {
	e, err := ur.EncodePSBT(psbt, o.URType, o.FragmentLen)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	// The density as a QR version: that of the longest UR code of the series.
	density, err := QRVersion([]string{e.Part(uint32(e.SeqLen()))}, o.Level)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	single := o.MaxSingleVersion
	if single == 0 {
		single = density
	}
	if single > 0 {
		switch {
		case o.Base64Single:
			if s := base64.StdEncoding.EncodeToString(psbt); len(s) <= byteCapacity(single, o.Level) {
				return []string{s}, nil
			}
		case o.Format == FormatUR:
			s, err := ur.Encode(o.URType, ur.EncodeCBORBytes(psbt))
			if err != nil {
				return nil, fmt.Errorf("plan: %w", err)
			}
			if len(s) <= bbqr.AlphanumericCapacity(single, o.Level) {
				return []string{s}, nil
			}
		case o.Format == FormatBBQr:
			_, p, err := bbqr.SplitQR(psbt, bbqr.PSBT, bbqr.SplitOptions{Level: o.Level, MaxVersion: single, MaxParts: 1})
			if err == nil {
				return p, nil
			}
		}
	}
	if o.Format == FormatBBQr {
		// Codes of the QR version a UR code of this density needs.
		p, err := bbqr.Split(psbt, bbqr.PSBT, bbqr.Zlib, bbqr.AlphanumericCapacity(density, o.Level))
		if err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		return p, nil
	}
	if e.IsSinglePart() {
		return []string{e.NextPart()}, nil
	}
	n := e.SeqLen() + int(math.Ceil(float64(e.SeqLen())*o.Redundancy))
	if n > ur.MaxSeqLen*2 {
		return nil, fmt.Errorf("plan: %d frames is too many; use a higher density", n)
	}
	frames := make([]string, n)
	for i := range frames {
		frames[i] = e.Part(uint32(i + 1))
	}
	return frames, nil
}

// readBack decodes frames with a fresh Collector, last frame first.
func readBack(frames []string, psbt []byte) error {
	if len(frames) == 0 {
		return errors.New("no codes")
	}
	c := NewCollector()
	for i, f := range slices.Backward(frames) {
		if f == "" {
			return fmt.Errorf("code %d is empty", i+1)
		}
		if _, err := c.Add(f); err != nil {
			return fmt.Errorf("code %d: %w", i+1, err)
		}
	}
	got, err := c.PSBT()
	if err != nil {
		return err
	}
	if !bytes.Equal(got, psbt) {
		return errors.New("the codes decode to a different PSBT")
	}
	return nil
}
