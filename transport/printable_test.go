package transport

import (
	"bytes"
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
	_, _ = ReadPSBT([]string{"-"}, ReadOptions{Stdin: strings.NewReader(in), Progress: &progress})
	out := progress.String()
	if !strings.Contains(out, "line 2:") {
		t.Fatalf("the bad line is not reported: %q", out)
	}
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Fatalf("progress passes escapes through: %q", out)
	}
}
