package transport_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/transport"
)

// TestWrappedTextPSBT: coreutils base64 wraps at 76 columns and xxd -p at
// 60; the first line alone starts with the PSBT magic, and was taken for a
// whole (truncated) PSBT.
func TestWrappedTextPSBT(t *testing.T) {
	psbt := psbtOfSize(t, 3000)
	wrap := func(s string, n int) string {
		var b strings.Builder
		for len(s) > n {
			b.WriteString(s[:n] + "\n")
			s = s[n:]
		}
		return b.String() + s + "\n"
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"b64-76.txt": wrap(base64.StdEncoding.EncodeToString(psbt), 76),
		"b64-64.txt": wrap(base64.StdEncoding.EncodeToString(psbt), 64),
		"hex-60.txt": wrap(hex.EncodeToString(psbt), 60),
		"b64-crlf":   strings.ReplaceAll(wrap(base64.StdEncoding.EncodeToString(psbt), 76), "\n", "\r\n"),
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := transport.ReadPSBT(context.Background(), []string{p}, transport.ReadOptions{Progress: io.Discard})
		if err != nil || !bytes.Equal(got, psbt) {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
		// The same through stdin, as a pipe delivers it.
		got, err = transport.ReadPSBT(context.Background(), []string{"-"}, transport.ReadOptions{Stdin: strings.NewReader(text), Progress: io.Discard})
		if err != nil || !bytes.Equal(got, psbt) {
			t.Errorf("%s on stdin: %d bytes, %v", name, len(got), err)
		}
	}
}

// TestExtraSourcesRefused: 'inspect p1.psbt p2.psbt' showed p1 alone and
// dropped p2 without a word.
func TestExtraSourcesRefused(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, size := range []int{500, 700} {
		p := filepath.Join(dir, []string{"a.psbt", "b.psbt"}[i])
		if err := os.WriteFile(p, psbtOfSize(t, size), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	_, err := transport.ReadPSBT(context.Background(), paths, transport.ReadOptions{Progress: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "a.psbt holds a whole PSBT, but 1 other source given too") {
		t.Fatalf("error %v", err)
	}
	if got, err := transport.ReadPSBT(context.Background(), paths[:1], transport.ReadOptions{Progress: io.Discard}); err != nil || len(got) == 0 {
		t.Fatalf("one source: %v", err)
	}
}
