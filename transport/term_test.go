package transport_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/parts"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/btcsuite/btcd/chaincfg"
)

// TestQRTermFits80x24: a PSBT far too big for one code is shown as a
// series whose every frame, quiet zone and caption included, fits an
// 80×24 console, and each frame drawn decodes back; together they give the
// PSBT.
func TestQRTermFits80x24(t *testing.T) {
	psbt := psbtOfSize(t, 600)
	var out bytes.Buffer
	_, err := transport.WriteQR(context.Background(), psbt, transport.QROptions{Term: true, TermCols: 80, TermRows: 24, TermCycles: 1}, &out)
	if err != nil {
		t.Fatal(err)
	}
	frames := qrcode.TerminalFrames(out.String())
	if len(frames) < 2 {
		t.Fatalf("want a series, got %d frame(s):\n%s", len(frames), out.String())
	}
	c := parts.NewCollector()
	for i, f := range frames {
		lines := strings.Split(f, "\n")
		if len(lines)+1 > 24 {
			t.Errorf("frame %d: %d lines and its caption, more than 24", i+1, len(lines))
		}
		for _, l := range lines {
			if n := len([]rune(l)); n > 80 {
				t.Fatalf("frame %d: a line of %d characters, more than 80", i+1, n)
			}
		}
		texts, err := qrcode.DecodeTerminal(f, false)
		if err != nil || len(texts) != 1 {
			t.Fatalf("frame %d does not decode: %v", i+1, err)
		}
		if _, err := c.Add(texts[0]); err != nil {
			t.Fatalf("frame %d: %v", i+1, err)
		}
	}
	got, err := c.PSBT()
	if err != nil || !bytes.Equal(got, psbt) {
		t.Fatalf("the frames shown do not give the PSBT back: %v", err)
	}
	if !strings.Contains(out.String(), "code 1 of ") {
		t.Errorf("no 'code i of n' caption:\n%s", out.String())
	}
}

// TestQRTermTooSmall: a terminal in which no code fits is told so, with
// what to do, before anything is drawn.
func TestQRTermTooSmall(t *testing.T) {
	o := transport.QROptions{Term: true, TermCols: 40, TermRows: 12}
	err := o.CheckPSBT()
	if err == nil || !strings.Contains(err.Error(), "the terminal is 40×12 characters") {
		t.Fatalf("want the terminal named too small, got %v", err)
	}
	var h interface{ Hint() string }
	if !errors.As(err, &h) || !strings.Contains(h.Hint(), "--qr DIR") {
		t.Fatalf("want a hint naming the font size and --qr files, got %v", err)
	}
}

// TestDescriptorQRTermFits80x24: a watch-only descriptor shown with
// --qr-term fits an 80×24 console too (it used to be one large code).
func TestDescriptorQRTermFits80x24(t *testing.T) {
	d, err := descriptor.Parse("wpkh([73c5da0a/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/<0;1>/*)", &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := transport.WriteDescriptorQR(context.Background(), d, transport.QROptions{Term: true, TermCycles: 1}, &out); err != nil {
		t.Fatal(err)
	}
	frames := qrcode.TerminalFrames(out.String())
	if len(frames) == 0 {
		t.Fatalf("no code drawn:\n%s", out.String())
	}
	for i, f := range frames {
		lines := strings.Split(f, "\n")
		if len(lines)+1 > 24 || len([]rune(lines[0])) > 80 {
			t.Errorf("code %d is %d×%d, more than 80×24 with its caption", i+1, len([]rune(lines[0])), len(lines)+1)
		}
	}
}
