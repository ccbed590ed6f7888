package transport

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/bbqr"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
)

// WriteDescriptorQR shows a watch-only descriptor as QR codes for the
// online machine or another wallet. o.Format "ur" (the default) writes a
// UR crypto-output — what Sparrow, Keystone and airsign-online import —
// as one code when it fits and as an animated series otherwise; "text"
// writes the descriptor text in one code. Every series is read back
// through our own decoder to the same descriptor before anything is
// written. Captions carry the descriptor ID the operator compares.
func WriteDescriptorQR(ctx context.Context, d *descriptor.Descriptor, o QROptions, term io.Writer) ([]string, error) {
	readBack := func(frames []string) ([]string, error) {
		if !isTextFormat(o.Format) {
			got, err := urdescriptor.DecodeParts(frames)
			if err != nil {
				return nil, fmt.Errorf("read-back of the descriptor's %s failed: %v", plural(len(frames), "UR code"), err)
			}
			if got.Text != d.String() {
				return nil, fmt.Errorf("the descriptor's %s read back as a different descriptor; use --qr-format text", plural(len(frames), "UR code"))
			}
		}
		return frames, nil
	}
	plan := func(paper bool) ([]string, error) {
		frames, err := o.planDescriptor(d, paper, 20, 0)
		if err != nil {
			return nil, err
		}
		return readBack(frames)
	}
	o.planForTerm = func() ([]string, error) {
		// The densest codes that fit the terminal, as for a PSBT.
		cols, rows := o.termSize()
		vmax := qrcode.TermFitVersion(cols, rows)
		frag, err := o.fragmentLen()
		if err != nil {
			return nil, err
		}
		for {
			frames, err := o.planDescriptor(d, false, vmax, frag)
			if err != nil {
				return nil, err
			}
			w, h, err := qrcode.TermSize(frames, qrcode.Options{})
			if err == nil && w <= cols && h <= rows || frag <= ur.MinFragmentLen || isTextFormat(o.Format) {
				return readBack(frames)
			}
			frag = max(ur.MinFragmentLen, frag*7/8)
		}
	}
	return o.writeFrames(ctx, plan, "airsign wallet "+d.ID(), d.ID(), term)
}

func isTextFormat(f string) bool { return strings.EqualFold(f, "text") }

// planDescriptor lays the descriptor out as codes: one code up to QR
// version maxSingle, else a series of fragLen-byte parts (0: the density
// flag's).
func (o QROptions) planDescriptor(d *descriptor.Descriptor, paper bool, maxSingle, fragLen int) ([]string, error) {
	level := o.Level
	if paper {
		level = o.PaperLevel
	}
	if level == "" {
		level = "L"
		if paper {
			level = "M"
		}
	}
	ec := bbqr.ECLevel(strings.ToUpper(level)[0])
	switch strings.ToLower(o.Format) {
	case "text":
		// Byte mode: a descriptor has lowercase letters.
		return []string{d.String()}, nil
	case "", "ur":
	default:
		return nil, fmt.Errorf("--qr-format %q: use ur (crypto-output) or text", o.Format)
	}
	msg, err := urdescriptor.Encode(d)
	if err != nil {
		return nil, err
	}
	single, err := ur.Encode(urdescriptor.TypeCryptoOutput, msg)
	if err != nil {
		return nil, err
	}
	if !o.Split && len(single) <= bbqr.AlphanumericCapacity(maxSingle, ec) {
		return []string{single}, nil
	}
	if fragLen == 0 {
		if fragLen, err = o.fragmentLen(); err != nil {
			return nil, err
		}
	}
	enc, err := ur.NewEncoder(urdescriptor.TypeCryptoOutput, msg, fragLen)
	if err != nil {
		return nil, err
	}
	if enc.IsSinglePart() {
		return []string{enc.NextPart()}, nil
	}
	n := enc.SeqLen()
	if !paper {
		n += (n + 1) / 2 // looping animation: fountain frames help a reader that missed some
	}
	frames := make([]string, n)
	for i := range frames {
		frames[i] = enc.Part(uint32(i + 1))
	}
	return frames, nil
}
