package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airsign/airsign/transport/bbqr"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/parts"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/ur"
)

// QROptions say which QR outputs to write and how dense they are. The zero
// value writes nothing.
type QROptions struct {
	// Dir receives numbered PNG frames (frame-001.png …).
	Dir string
	// GIF is an animated GIF file.
	GIF string
	// HTML is a printable page of numbered codes.
	HTML string
	// Term animates the codes in the terminal until ctx is cancelled (one
	// code is drawn once).
	Term bool

	// Format is "ur" (default), "bbqr" or "base64" (a PSBT that fits one
	// code as plain base64, else UR).
	Format string
	// URType is "crypto-psbt" (default) or "psbt".
	URType string
	// Density is "low", "medium" (default) or "high": UR fragments of 80,
	// 200 or 400 bytes.
	Density string
	// Level is the screen error-correction level (L default); paper (the
	// HTML page) uses PaperLevel (M default).
	Level, PaperLevel string
	// Delay is the frame time of the GIF and terminal animation.
	Delay time.Duration
	// Split sends even a small PSBT as a series (for readers that only take
	// animated codes, and for tests).
	Split bool
}

// Any reports whether any QR output was asked for.
func (o QROptions) Any() bool { return o.Dir != "" || o.GIF != "" || o.HTML != "" || o.Term }

func (o QROptions) plan(psbt []byte, paper bool) ([]string, error) {
	var po parts.Options
	switch strings.ToLower(o.Format) {
	case "", "ur":
		po.Format = parts.FormatUR
	case "bbqr":
		po.Format = parts.FormatBBQr
	case "base64":
		po.Format, po.Base64Single = parts.FormatUR, true
	default:
		return nil, fmt.Errorf("--qr-format %q: use ur, bbqr or base64", o.Format)
	}
	switch o.URType {
	case "", "crypto-psbt":
		po.URType = ur.TypeCryptoPSBT
	case "psbt":
		po.URType = ur.TypePSBT
	default:
		return nil, fmt.Errorf("--ur-type %q: use crypto-psbt or psbt", o.URType)
	}
	var err error
	if po.FragmentLen, err = o.fragmentLen(); err != nil {
		return nil, err
	}
	level := o.Level
	if paper {
		level = o.PaperLevel
		if level == "" {
			level = "M"
		}
	}
	if level == "" {
		level = "L"
	}
	po.Level = bbqr.ECLevel(strings.ToUpper(level)[0])
	// A PSBT that fits one code (up to version 20, 97×97 modules) goes as
	// one; Split forces a series.
	po.MaxSingleVersion = 20
	if o.Split {
		po.MaxSingleVersion = -1
	}
	if !paper && len(psbt) > 0 {
		po.Redundancy = 0.5 // looping animations: extra fountain frames help a receiver that missed some
	}
	return parts.Plan(psbt, po)
}

// fragmentLen is the UR fragment length of o.Density.
func (o QROptions) fragmentLen() (int, error) {
	switch strings.ToLower(o.Density) {
	case "", "medium":
		return parts.DensityMedium, nil
	case "low":
		return parts.DensityLow, nil
	case "high":
		return parts.DensityHigh, nil
	}
	return 0, fmt.Errorf("--qr-density %q: use low, medium or high", o.Density)
}

func (o QROptions) qrOptions(paper bool, digest, title string) (qrcode.Options, error) {
	l := o.Level
	if paper {
		l = o.PaperLevel
		if l == "" {
			l = "M"
		}
	}
	level, err := qrcode.ParseLevel(l)
	if err != nil {
		return qrcode.Options{}, err
	}
	return qrcode.Options{Level: level, Delay: o.Delay, Digest: digest, Title: title}, nil
}

// ShortDigest names a PSBT on printed pages and in messages: the first 8
// hex digits of its SHA-256, so pages of two PSBTs cannot be mixed.
func ShortDigest(psbt []byte) string {
	s := sha256.Sum256(psbt)
	return hex.EncodeToString(s[:4])
}

// WriteQR writes psbt as QR codes in every output asked for. Every code is
// decoded back by our own reader before it is written or shown (parts.Plan
// and the qrcode writers check); a mismatch is an error and nothing is left
// half-written. It returns a line per output for the operator.
func WriteQR(ctx context.Context, psbt []byte, o QROptions, term io.Writer) ([]string, error) {
	digest := ShortDigest(psbt)
	return o.writeFrames(ctx, func(paper bool) ([]string, error) { return o.plan(psbt, paper) }, "airsign PSBT "+digest, digest, term)
}

// writeFrames writes the codes plan gives (for screens, then for paper)
// to every output asked for; title and digest caption them.
func (o QROptions) writeFrames(ctx context.Context, plan func(paper bool) ([]string, error), title, digest string, term io.Writer) ([]string, error) {
	var done []string
	if o.Dir != "" || o.GIF != "" || o.Term {
		frames, err := plan(false)
		if err != nil {
			return done, err
		}
		qo, err := o.qrOptions(false, digest, title)
		if err != nil {
			return done, err
		}
		if o.Dir != "" {
			files, err := qrcode.WritePNGs(o.Dir, frames, qo)
			if err != nil {
				return done, err
			}
			done = append(done, fmt.Sprintf("wrote %d QR frame(s) to %s", len(files), o.Dir))
		}
		if o.GIF != "" {
			var buf bytes.Buffer
			if err := qrcode.WriteGIF(&buf, frames, qo); err != nil {
				return done, err
			}
			if err := file.WriteAtomic(o.GIF, buf.Bytes(), 0o644); err != nil {
				return done, err
			}
			done = append(done, fmt.Sprintf("wrote an animated GIF of %d QR frame(s) to %s", len(frames), o.GIF))
		}
		if o.Term {
			if len(frames) == 1 {
				if err := qrcode.RenderTerminal(term, frames[0], qo); err != nil {
					return done, err
				}
			} else {
				fmt.Fprintf(term, "Showing %d QR frames; press Ctrl-C when the other machine has read them all.\n", len(frames))
				if err := qrcode.Animate(ctx, term, frames, o.Delay, qo); err != nil && ctx.Err() == nil {
					return done, err
				}
			}
		}
	}
	if o.HTML != "" {
		frames, err := plan(true)
		if err != nil {
			return done, err
		}
		qo, err := o.qrOptions(true, digest, title)
		if err != nil {
			return done, err
		}
		var buf bytes.Buffer
		if err := qrcode.WriteHTML(&buf, frames, qo); err != nil {
			return done, err
		}
		if err := file.WriteAtomic(o.HTML, buf.Bytes(), 0o644); err != nil {
			return done, err
		}
		done = append(done, fmt.Sprintf("wrote a printable page of %d QR code(s) to %s (each captioned with %s)", len(frames), o.HTML, digest))
	}
	return done, nil
}

// FlagError marks a bad QR option: a mistake in the command line, which
// the CLIs report with their usage exit code.
type FlagError struct{ Err error }

func (e FlagError) Error() string { return e.Err.Error() }
func (e FlagError) Unwrap() error { return e.Err }

func flagError(err error) error {
	if err == nil {
		return nil
	}
	return FlagError{err}
}

// CheckPSBT reports a bad QR option of a PSBT before any work is done, so
// an operator who typed a wrong flag learns it before typing shares.
func (o QROptions) CheckPSBT() error {
	return flagError(o.checkPSBT())
}

func (o QROptions) checkPSBT() error {
	if !o.Any() {
		return nil
	}
	switch strings.ToLower(o.Format) {
	case "", "ur", "bbqr", "base64":
	default:
		return fmt.Errorf("--qr-format %q: use ur, bbqr or base64", o.Format)
	}
	switch o.URType {
	case "", "crypto-psbt", "psbt":
	default:
		return fmt.Errorf("--ur-type %q: use crypto-psbt or psbt", o.URType)
	}
	return o.checkCommon()
}

// CheckDescriptor is CheckPSBT for WriteDescriptorQR's options.
func (o QROptions) CheckDescriptor() error {
	return flagError(o.checkDescriptor())
}

func (o QROptions) checkDescriptor() error {
	if !o.Any() {
		return nil
	}
	switch strings.ToLower(o.Format) {
	case "", "ur", "text":
	default:
		return fmt.Errorf("--qr-format %q: use ur (crypto-output) or text", o.Format)
	}
	return o.checkCommon()
}

func (o QROptions) checkCommon() error {
	// Where the codes go: checked before the work (and, when signing,
	// before the key is rebuilt), so a late failure cannot leave a signed
	// PSBT nowhere.
	if o.Dir != "" {
		if err := qrcode.CheckFrameDir(o.Dir); err != nil {
			return fmt.Errorf("--qr: %w", err)
		}
	}
	for _, f := range []struct{ flag, path string }{{"--qr-gif", o.GIF}, {"--qr-html", o.HTML}} {
		if f.path == "" {
			continue
		}
		if st, err := os.Stat(filepath.Dir(f.path)); err != nil || !st.IsDir() {
			return fmt.Errorf("%s %s: the directory %s does not exist", f.flag, f.path, filepath.Dir(f.path))
		}
	}
	if _, err := o.fragmentLen(); err != nil {
		return err
	}
	for _, paper := range []bool{false, true} {
		if _, err := o.qrOptions(paper, "", ""); err != nil {
			flag := "--qr-level"
			if paper {
				flag = "--qr-paper-level"
			}
			return fmt.Errorf("%s: %w", flag, err)
		}
	}
	if o.Delay != 0 && (o.Delay < qrcode.MinDelay || o.Delay > qrcode.MaxDelay) {
		return fmt.Errorf("--qr-delay %v: want %v to %v", o.Delay, qrcode.MinDelay, qrcode.MaxDelay)
	}
	return nil
}
