package transport_test

import (
	"bytes"
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
		got, err := transport.ReadPSBT([]string{p}, transport.ReadOptions{Progress: io.Discard})
		if err != nil || !bytes.Equal(got, psbt) {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
		// The same through stdin, as a pipe delivers it.
		got, err = transport.ReadPSBT([]string{"-"}, transport.ReadOptions{Stdin: strings.NewReader(text), Progress: io.Discard})
		if err != nil || !bytes.Equal(got, psbt) {
			t.Errorf("%s on stdin: %d bytes, %v", name, len(got), err)
		}
	}
}
