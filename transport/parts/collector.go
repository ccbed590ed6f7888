// Package parts turns scanned QR texts into a PSBT and a PSBT into the texts
// of the QR codes to show. It is the one place that knows every form a PSBT
// travels in — UR (crypto-psbt, psbt, bytes; single or multipart; and the
// legacy bc32 form ur:bytes/MofN/…), BBQr, Specter's animated pMofN codes,
// and a single base64 or hex code — so that every reader (camera, image files,
// a handheld scanner typing into stdin) accepts them all, mixed in any
// order, and every writer checks its frames read back before showing them.
package parts

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/airsign/airsign/transport/bbqr"
	"github.com/airsign/airsign/transport/ur"
)

var psbtMagic = []byte("psbt\xff")

// Format is the form in which a PSBT arrived or is sent.
type Format int

// The forms a PSBT travels in.
const (
	FormatNone    Format = iota // nothing received yet
	FormatUR                    // Uniform Resource (crypto-psbt, psbt, bytes)
	FormatBBQr                  // Coinkite BBQr
	FormatBase64                // one code holding the base64 PSBT
	FormatHex                   // one code holding the hex PSBT
	FormatSpecter               // Specter's animated "pMofN base64" codes
)

// String names the format for progress lines and messages.
func (f Format) String() string {
	switch f {
	case FormatUR:
		return "UR"
	case FormatBBQr:
		return "BBQr"
	case FormatBase64:
		return "base64"
	case FormatHex:
		return "hex"
	case FormatSpecter:
		return "Specter pMofN"
	}
	return "none"
}

// Progress is what a reader shows while parts arrive.
type Progress struct {
	Format   Format
	Received int // parts' worth of information held (UR: independent fragments)
	Total    int // parts needed; 0 before the first part
	Complete bool
}

// Fraction is Received/Total, 1 when complete, 0 before the first part.
func (p Progress) Fraction() float64 {
	switch {
	case p.Complete:
		return 1
	case p.Total == 0:
		return 0
	}
	return float64(p.Received) / float64(p.Total)
}

// String renders the progress line, e.g. "received 17/40 parts, 42%".
func (p Progress) String() string {
	if p.Total == 0 {
		return "waiting for the first code"
	}
	unit := "parts"
	if p.Total == 1 {
		unit = "part"
	}
	s := fmt.Sprintf("received %d/%d %s, %d%%", p.Received, p.Total, unit, int(p.Fraction()*100))
	if p.Complete {
		s += " — complete"
	}
	return s
}

// ErrNotPSBT is wrapped by the error for a code that is readable but holds
// something other than a PSBT; the message says what it looks like.
var ErrNotPSBT = errors.New("this QR code is not a PSBT")

// ErrStartedOver is wrapped by the notice returned when a code belongs to a
// different PSBT (or another form) than the codes before it: the collector
// has dropped what it had and started over from this code. Readers should
// show it and keep scanning.
var ErrStartedOver = errors.New("this code belongs to a different PSBT than the codes before it: started over")

// Collector accepts scanned QR texts in any mix of forms and order, with
// duplicates and gaps, until it holds one whole PSBT.
type Collector struct {
	format  Format
	ur      *ur.Decoder
	bbqr    *bbqr.Decoder
	specter *specterState
	psbt    []byte // set when complete
}

// NewCollector returns an empty Collector.
func NewCollector() *Collector {
	return &Collector{ur: ur.NewDecoder(), bbqr: bbqr.NewDecoder()}
}

// Reset forgets everything received.
func (c *Collector) Reset() {
	c.format, c.psbt, c.specter = FormatNone, nil, nil
	c.ur.Reset()
	c.bbqr.Reset()
}

// Add takes the text of one scanned code (surrounding whitespace ignored; a
// pasted block of several UR or BBQr parts separated by whitespace is taken
// part by part; a base64 PSBT wrapped over several lines is joined).
//
// The error is nil for a useful part or a duplicate. Otherwise it explains
// why the code was not used and the state is unchanged — except for errors
// wrapping ErrStartedOver, which are notices: the code was used as the
// first of a new PSBT. The returned Progress is always current.
func (c *Collector) Add(text string) (Progress, error) {
	if ps := specterParts(text); ps != nil {
		var errs []error
		for _, m := range ps {
			if _, err := c.addSpecter(m); err != nil {
				errs = append(errs, err)
			}
		}
		return c.Progress(), errors.Join(errs...)
	}
	fields := strings.Fields(text)
	switch {
	case len(fields) == 0:
		return c.Progress(), errors.New("empty code")
	case len(fields) > 1 && allParts(fields):
		var errs []error
		for _, f := range fields {
			if _, err := c.add(f); err != nil {
				errs = append(errs, err)
			}
		}
		return c.Progress(), errors.Join(errs...)
	case len(fields) > 1:
		if what := sniffWords(fields); what != "" {
			return c.Progress(), fmt.Errorf("%w: it looks like %s", ErrNotPSBT, what)
		}
		return c.add(strings.Join(fields, ""))
	}
	return c.add(fields[0])
}

func allParts(fields []string) bool {
	for _, f := range fields {
		if !ur.IsUR(f) && !bbqr.IsPart(f) {
			return false
		}
	}
	return true
}

func (c *Collector) add(t string) (Progress, error) {
	switch {
	case ur.IsUR(t):
		return c.addUR(t)
	case bbqr.IsPart(t):
		return c.addBBQr(t)
	}
	if psbt, f := decodeSingle(t); psbt != nil {
		return c.single(psbt, f)
	}
	return c.Progress(), fmt.Errorf("%w: it looks like %s", ErrNotPSBT, sniff(t))
}

// switchTo prepares the collector for a code of format f and returns a
// notice if that abandons a PSBT in another format.
func (c *Collector) switchTo(f Format) error {
	if c.format == f || c.format == FormatNone {
		c.format = f
		return nil
	}
	was := c.format
	c.Reset()
	c.format = f
	return fmt.Errorf("%w (a %s code arrived while reading %s)", ErrStartedOver, f, was)
}

func (c *Collector) addUR(t string) (Progress, error) {
	typ := urType(t)
	switch typ {
	case ur.TypeCryptoPSBT, ur.TypePSBT, ur.TypeBytes:
	default:
		return c.Progress(), fmt.Errorf("%w: it looks like %s", ErrNotPSBT, describeURType(typ))
	}
	if c.format != FormatUR && c.format != FormatNone {
		// Validate before abandoning another format's progress.
		if err := ur.NewDecoder().Receive(t); err != nil {
			return c.Progress(), fmt.Errorf("UR part not used: %w", err)
		}
	}
	notice := c.switchTo(FormatUR)
	err := c.ur.Receive(t)
	switch {
	case errors.Is(err, ur.ErrMessageChanged):
		c.psbt = nil
		notice = fmt.Errorf("%w (%v)", ErrStartedOver, err)
	case err != nil:
		return c.Progress(), fmt.Errorf("UR part not used: %w", err)
	}
	if c.ur.Complete() && c.psbt == nil {
		utype, cbor, _ := c.ur.Result()
		psbt, err := ur.DecodePSBTPayload(utype, cbor)
		if err != nil {
			c.Reset()
			return c.Progress(), fmt.Errorf("%w: it looks like a UR (%s) holding %d bytes of other data", ErrNotPSBT, utype, len(cbor))
		}
		c.psbt = psbt
	}
	return c.Progress(), notice
}

// urType extracts the lowercase type of a UR text, "" if malformed.
func urType(t string) string {
	rest := strings.ToLower(t[3:])
	typ, _, ok := strings.Cut(rest, "/")
	if !ok || len(typ) > 64 {
		return ""
	}
	return typ
}

func (c *Collector) addBBQr(t string) (Progress, error) {
	t = strings.ToUpper(t)
	if len(t) >= 4 && t[3] != byte(bbqr.PSBT) {
		return c.Progress(), fmt.Errorf("%w: it looks like %s", ErrNotPSBT, describeBBQrType(t[3]))
	}
	if c.format != FormatBBQr && c.format != FormatNone {
		if err := bbqr.NewDecoder().Add(t); err != nil {
			return c.Progress(), fmt.Errorf("BBQr part not used: %w", err)
		}
	}
	notice := c.switchTo(FormatBBQr)
	err := c.bbqr.Add(t)
	switch {
	case errors.Is(err, bbqr.ErrMessageChanged):
		c.psbt = nil
		notice = fmt.Errorf("%w (%v)", ErrStartedOver, err)
	case err != nil:
		return c.Progress(), fmt.Errorf("BBQr part not used: %w", err)
	}
	if c.bbqr.Complete() && c.psbt == nil {
		_, data, _ := c.bbqr.Result()
		if !bytes.HasPrefix(data, psbtMagic) {
			c.Reset()
			return c.Progress(), fmt.Errorf("%w: it looks like a BBQr series of type P holding %d bytes without the psbt\\xff magic", ErrNotPSBT, len(data))
		}
		c.psbt = data
	}
	return c.Progress(), notice
}

func (c *Collector) single(psbt []byte, f Format) (Progress, error) {
	if c.psbt != nil && bytes.Equal(c.psbt, psbt) {
		return c.Progress(), nil
	}
	var notice error
	if c.format != FormatNone {
		notice = fmt.Errorf("%w (a single %s code arrived while reading %s)", ErrStartedOver, f, c.format)
	}
	c.Reset()
	c.format, c.psbt = f, psbt
	return c.Progress(), notice
}

// decodeSingle recognises a whole PSBT in one code, as base64 or hex.
func decodeSingle(t string) ([]byte, Format) {
	if strings.HasPrefix(t, "cHNidP8") {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
			if b, err := enc.DecodeString(t); err == nil && bytes.HasPrefix(b, psbtMagic) {
				return b, FormatBase64
			}
		}
		return nil, FormatNone
	}
	if len(t) >= 10 && strings.EqualFold(t[:10], "70736274ff") {
		if b, err := hex.DecodeString(t); err == nil {
			return b, FormatHex
		}
	}
	return nil, FormatNone
}

// Progress reports the state of collection.
func (c *Collector) Progress() Progress {
	p := Progress{Format: c.format, Complete: c.psbt != nil}
	switch c.format {
	case FormatUR:
		p.Received, p.Total, _ = c.ur.Progress()
	case FormatBBQr:
		p.Received, p.Total = c.bbqr.Progress()
	case FormatBase64, FormatHex:
		p.Received, p.Total = 1, 1
	case FormatSpecter:
		if c.specter != nil {
			p.Received, p.Total = len(c.specter.pieces), c.specter.total
		}
	}
	return p
}

// Complete reports whether a whole PSBT has been received.
func (c *Collector) Complete() bool { return c.psbt != nil }

// PSBT returns the received PSBT (starting with the psbt\xff magic; not
// otherwise parsed) once Complete.
func (c *Collector) PSBT() ([]byte, error) {
	if c.psbt == nil {
		return nil, fmt.Errorf("PSBT incomplete: %s", c.Progress())
	}
	return bytes.Clone(c.psbt), nil
}
