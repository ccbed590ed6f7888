package transport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/transport/ur"
)

// TestProgressIsPrintable feeds scanner text with terminal escapes after
// a good part: the progress lines must report the bad line without them.
func TestProgressIsPrintable(t *testing.T) {
	enc, err := ur.EncodePSBT(append([]byte("psbt\xff"), make([]byte, 300)...), ur.TypeCryptoPSBT, 100)
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	in := enc.Part(1) + "\nur:crypto-psbt/\x1b]0;o\x07\u009b/abcd\n"
	_, _ = ReadPSBT(context.Background(), []string{"-"}, ReadOptions{Stdin: strings.NewReader(in), Progress: &progress})
	out := progress.String()
	if !strings.Contains(out, "line 2:") {
		t.Fatalf("the bad line is not reported: %q", out)
	}
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Fatalf("progress passes escapes through: %q", out)
	}
}

// TestCheckOutputsFirst: QR outputs that would fail after the work (frames
// already in the directory, a page in a missing directory) are refused by
// the early check, before sign rebuilds a key.
func TestCheckOutputsFirst(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "frame-001.png"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		o    QROptions
		want string
	}{
		{QROptions{Dir: dir}, "already holds 1 frame-*.png"},
		{QROptions{HTML: filepath.Join(dir, "nope", "p.html")}, "--qr-html"},
		{QROptions{GIF: filepath.Join(dir, "nope", "p.gif")}, "--qr-gif"},
	} {
		for _, check := range []func() error{c.o.CheckPSBT, c.o.CheckDescriptor} {
			if err := check(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
			}
		}
	}
	if err := (QROptions{Dir: filepath.Join(dir, "fresh"), HTML: filepath.Join(dir, "p.html")}).CheckPSBT(); err != nil {
		t.Errorf("good outputs refused: %v", err)
	}
}
