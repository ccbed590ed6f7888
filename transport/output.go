package transport

import (
	"fmt"
	"path/filepath"

	"github.com/airsign/airsign/transport/file"
)

// CheckOutput checks, before any work is done, where a command that writes a
// PSBT will put it: it was told somewhere (--out or a QR output), the QR
// options are valid, and --out is a new file that is none of the sources
// read. what names the PSBT in the message ("the signed PSBT"). prepare,
// bump and sign all check their outputs here, so an operator learns of a
// taken file name before typing shares or waiting for a node.
func CheckOutput(out string, qr QROptions, what string, sources []string) error {
	if out == "" && !qr.Any() {
		return WithHint(fmt.Errorf("no output: nowhere to write %s", what),
			"give --out FILE, or a QR output (--qr DIR, --qr-gif FILE, --qr-html FILE, --qr-term)")
	}
	if err := qr.CheckPSBT(); err != nil {
		return err
	}
	if out == "" {
		return nil
	}
	for _, src := range sources {
		if src != "-" && samePath(src, out) {
			return fmt.Errorf("--out %s is the input file; airsign never overwrites the PSBT it reads", out)
		}
	}
	return file.CheckNew(out)
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
