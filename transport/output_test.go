package transport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckOutput: each way an output can be wrong is refused before any
// work, naming the flag at fault.
func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	taken := filepath.Join(dir, "taken.psbt")
	if err := os.WriteFile(taken, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.psbt")
	for _, c := range []struct {
		name    string
		out     string
		qr      QROptions
		sources []string
		want    string
	}{
		{"nowhere", "", QROptions{}, nil, "no output: nowhere to write the PSBT"},
		{"taken", taken, QROptions{}, nil, "taken.psbt already exists"},
		{"the input", in, QROptions{}, []string{"-", in}, "is the input file"},
		{"bad qr", "", QROptions{Term: true, Level: "X"}, nil, "--qr-level"},
		{"fine", filepath.Join(dir, "new.psbt"), QROptions{}, []string{in}, ""},
		{"qr only", "", QROptions{Term: true}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckOutput(c.out, c.qr, "the PSBT", c.sources)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	if h := Hints(CheckOutput("", QROptions{}, "the PSBT", nil)); len(h) != 1 || !strings.HasPrefix(h[0], "give --out FILE") {
		t.Fatalf("hints %q", h)
	}
}
