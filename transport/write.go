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
	count "github.com/airsign/airsign/transport/plural"
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

	// TermCols and TermRows are the terminal's size in character cells
	// (0: 80×24, the console's): --qr-term picks the density and split so
	// that every code fits with its quiet zone and caption.
	TermCols, TermRows int
	// TermKeys are the operator's keys while --qr-term shows a series
	// (space pauses, arrows step, q quits); nil animates until cancelled.
	TermKeys <-chan qrcode.Key
	// TermCycles stops the --qr-term animation after that many passes (0:
	// until q or Ctrl-C); for output that is not a terminal.
	TermCycles int

	// Details are printed at the top of the --qr-html page: what the
	// codes carry in words (for a PSBT: the confirmation digest, who is
	// paid, the fee), so the page can be checked against the screens.
	Details []string

	// planForTerm plans the codes again for the terminal's size (set by
	// WriteQR; a descriptor's codes are shown as planned).
	planForTerm func() ([]string, error)
}

// termSize is the terminal size --qr-term fits its codes to.
func (o QROptions) termSize() (cols, rows int) {
	cols, rows = o.TermCols, o.TermRows
	if cols <= 0 || rows <= 0 {
		cols, rows = 80, 24
	}
	return cols, rows
}

// termTooSmall explains that no code fits the terminal, and what to do;
// what names the code that does not fit.
func termTooSmall(cols, rows, needCols, needRows int, what string) error {
	return WithHint(fmt.Errorf("--qr-term: the terminal is %d×%d characters, and %s needs %d×%d with its quiet zone and caption", cols, rows, what, needCols, needRows),
		"make the window larger or the font smaller (most consoles: Ctrl+- or setfont), or write the codes to files with --qr DIR or --qr-gif FILE")
}

const smallestPSBTPart = "the smallest QR code that carries a PSBT part"

// termMinVersion is the QR version of the smallest UR part of a PSBT
// series: the least a terminal must fit.
func (o QROptions) termMinVersion(level bbqr.ECLevel) (int, error) {
	dummy := append([]byte("psbt\xff"), make([]byte, 4000)...)
	e, err := ur.EncodePSBT(dummy, ur.TypeCryptoPSBT, ur.MinFragmentLen)
	if err != nil {
		return 0, err
	}
	return parts.QRVersion([]string{e.Part(uint32(e.SeqLen()))}, level)
}

// planTerm lays the PSBT out for the terminal: the densest codes (at
// most the density asked for) whose QR version fits the terminal.
func (o QROptions) planTerm(psbt []byte) ([]string, error) {
	cols, rows := o.termSize()
	vmax := qrcode.TermFitVersion(cols, rows)
	po, err := o.partsOptions(psbt, false)
	if err != nil {
		return nil, err
	}
	need, err := o.termMinVersion(po.Level)
	if err != nil {
		return nil, err
	}
	if vmax < need {
		n := 17 + 4*need + 2*qrcode.QuietZone
		return nil, termTooSmall(cols, rows, n, (n+1)/2+1, smallestPSBTPart)
	}
	if po.MaxSingleVersion > vmax || po.MaxSingleVersion == 0 {
		po.MaxSingleVersion = vmax
	}
	for frag := po.FragmentLen; ; frag = max(ur.MinFragmentLen, frag*7/8) {
		e, err := ur.EncodePSBT(psbt, po.URType, frag)
		if err != nil {
			return nil, err
		}
		if v, err := parts.QRVersion([]string{e.Part(uint32(e.SeqLen()))}, po.Level); err == nil && v <= vmax || frag == ur.MinFragmentLen {
			po.FragmentLen = frag
			break
		}
	}
	return parts.Plan(psbt, po)
}

// Any reports whether any QR output was asked for.
func (o QROptions) Any() bool { return o.Dir != "" || o.GIF != "" || o.HTML != "" || o.Term }

func (o QROptions) plan(psbt []byte, paper bool) ([]string, error) {
	po, err := o.partsOptions(psbt, paper)
	if err != nil {
		return nil, err
	}
	return parts.Plan(psbt, po)
}

// partsOptions turns the flags into parts.Plan's options.
func (o QROptions) partsOptions(psbt []byte, paper bool) (parts.Options, error) {
	var po parts.Options
	switch strings.ToLower(o.Format) {
	case "", "ur":
		po.Format = parts.FormatUR
	case "bbqr":
		po.Format = parts.FormatBBQr
	case "base64":
		po.Format, po.Base64Single = parts.FormatUR, true
	default:
		return po, fmt.Errorf("--qr-format %q: use ur, bbqr or base64", o.Format)
	}
	switch o.URType {
	case "", "crypto-psbt":
		po.URType = ur.TypeCryptoPSBT
	case "psbt":
		po.URType = ur.TypePSBT
	default:
		return po, fmt.Errorf("--ur-type %q: use crypto-psbt or psbt", o.URType)
	}
	var err error
	if po.FragmentLen, err = o.fragmentLen(); err != nil {
		return po, err
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
	return po, nil
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
	return qrcode.Options{Level: level, Delay: o.Delay, Digest: digest, Title: title, Details: o.Details}, nil
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
	o.planForTerm = func() ([]string, error) { return o.planTerm(psbt) }
	return o.writeFrames(ctx, func(paper bool) ([]string, error) { return o.plan(psbt, paper) }, "airsign PSBT "+digest, digest, term)
}

// writeFrames writes the codes plan gives (for screens, then for paper)
// to every output asked for; title and digest caption them.
func (o QROptions) writeFrames(ctx context.Context, plan func(paper bool) ([]string, error), title, digest string, term io.Writer) ([]string, error) {
	var done []string
	if o.Dir != "" || o.GIF != "" || o.Term {
		qo, err := o.qrOptions(false, digest, title)
		if err != nil {
			return done, err
		}
		var frames []string
		if o.Dir != "" || o.GIF != "" || o.planForTerm == nil {
			if frames, err = plan(false); err != nil {
				return done, err
			}
		}
		if o.Dir != "" {
			files, err := qrcode.WritePNGs(o.Dir, frames, qo)
			if err != nil {
				return done, err
			}
			done = append(done, fmt.Sprintf("wrote %s to %s", plural(len(files), "QR frame"), o.Dir))
		}
		if o.GIF != "" {
			var buf bytes.Buffer
			if err := qrcode.WriteGIF(&buf, frames, qo); err != nil {
				return done, err
			}
			if err := file.WriteAtomic(o.GIF, buf.Bytes(), 0o644); err != nil {
				return done, err
			}
			done = append(done, fmt.Sprintf("wrote an animated GIF of %s to %s", plural(len(frames), "QR frame"), o.GIF))
		}
		if o.Term {
			if err := o.showTerm(ctx, term, frames, qo); err != nil {
				return done, err
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
		done = append(done, fmt.Sprintf("wrote a printable page of %s to %s (each captioned with %s)", plural(len(frames), "QR code"), o.HTML, digest))
	}
	return done, nil
}

// showTerm draws the codes in the terminal: fitted to it (a PSBT is
// planned again for its size), one code drawn once, a series animated
// under the operator's keys.
func (o QROptions) showTerm(ctx context.Context, term io.Writer, frames []string, qo qrcode.Options) error {
	if o.planForTerm != nil {
		var err error
		if frames, err = o.planForTerm(); err != nil {
			return err
		}
	}
	cols, rows := o.termSize()
	w, h, err := qrcode.TermSize(frames, qo)
	if err != nil {
		return err
	}
	if w > cols || h > rows {
		return termTooSmall(cols, rows, w, h, "each of these QR codes")
	}
	if len(frames) == 1 {
		return qrcode.RenderTerminal(term, frames[0], qo)
	}
	how := "press Ctrl-C"
	if o.TermKeys != nil {
		how = "press q"
	}
	fmt.Fprintf(term, "Showing %s; %s when the other machine has read them all.\n", plural(len(frames), "QR code"), how)
	qo.Cycles = o.TermCycles
	if err := qrcode.Play(ctx, term, frames, o.Delay, qo, o.TermKeys); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// ShowText draws text as one QR code in the terminal (an address as a
// BIP21 bitcoin: URI), at o's level and fitted to o's terminal size like
// every --qr-term code: one too large is refused with what to do instead.
func ShowText(term io.Writer, text string, o QROptions) error {
	qo, err := o.qrOptions(false, "", "")
	if err != nil {
		return err
	}
	cols, rows := o.termSize()
	w, h, err := qrcode.TermSize([]string{text}, qo)
	if err != nil {
		return err
	}
	if w > cols || h > rows {
		return termTooSmall(cols, rows, w, h, "the QR code of "+text)
	}
	return qrcode.RenderTerminal(term, text, qo)
}

// plural says "1 code" or "3 codes".
var plural = count.Of

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
	if o.Term {
		// Before any key is rebuilt: a terminal too small for any code
		// is said now, not after the signature.
		cols, rows := o.termSize()
		need, err := o.termMinVersion(bbqr.LevelL)
		if err != nil {
			return err
		}
		if qrcode.TermFitVersion(cols, rows) < need {
			n := 17 + 4*need + 2*qrcode.QuietZone
			return termTooSmall(cols, rows, n, (n+1)/2+1, smallestPSBTPart)
		}
	}
	if o.Delay != 0 && (o.Delay < qrcode.MinDelay || o.Delay > qrcode.MaxDelay) {
		return fmt.Errorf("--qr-delay %v: want %v to %v", o.Delay, qrcode.MinDelay, qrcode.MaxDelay)
	}
	return nil
}
