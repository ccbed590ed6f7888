package transport_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/ur"
)

// TestOlderQRFormats reads QR text files in Specter's pMofN animation and a
// UR whose message is not a PSBT: the second must say what it holds, not
// that the file does not start with the PSBT magic.
func TestOlderQRFormats(t *testing.T) {
	psbt := psbtOfSize(t, 900)
	b64 := base64.StdEncoding.EncodeToString(psbt)
	var lines []string
	n := 4
	size := (len(b64) + n - 1) / n
	for i := n; i >= 1; i-- { // shown in any order
		lines = append(lines, fmt.Sprintf("p%dof%d %s", i, n, b64[(i-1)*size:min(len(b64), i*size)]))
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "specter.txt")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := transport.ReadPSBT(context.Background(), []string{p}, transport.ReadOptions{Progress: io.Discard})
	if err != nil || !bytes.Equal(got, psbt) {
		t.Fatalf("Specter parts: %d bytes, %v", len(got), err)
	}

	// A ur:bytes series holding text, not a PSBT.
	enc, err := ur.NewEncoder(ur.TypeBytes, ur.EncodeCBORBytes(bytes.Repeat([]byte("not a psbt "), 40)), 100)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for i := 1; i <= enc.SeqLen(); i++ {
		parts = append(parts, enc.Part(uint32(i)))
	}
	q := filepath.Join(dir, "bytes.txt")
	if err := os.WriteFile(q, []byte(strings.Join(parts, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = transport.ReadPSBT(context.Background(), []string{q}, transport.ReadOptions{Progress: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "UR (bytes) holding 443 bytes of other data") {
		t.Fatalf("non-PSBT UR: %v", err)
	}
}
