package offline

import (
	"fmt"

	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
)

// QREncode shows or writes a PSBT file as QR codes.
func QREncode(env *Env, sources []string, o transport.QROptions) error {
	data, p, err := readPSBTBytes(env, sources)
	if err != nil {
		return err
	}
	_ = p
	if !o.Any() {
		o.Term = true
	}
	lines, err := transport.WriteQR(env.Context(), data, o, env.Stdout)
	for _, l := range lines {
		fmt.Fprintln(env.Stderr, l)
	}
	return err
}

// QRDecode reads a PSBT from QR images, a directory of frames, or QR texts
// on stdin, and writes it as a binary PSBT file.
func QRDecode(env *Env, sources []string, out string) error {
	data, p, err := readPSBTBytes(env, sources)
	if err != nil {
		return err
	}
	bin, err := p.Encode()
	if err != nil {
		return err
	}
	if out == "" {
		b64, err := p.Base64()
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, b64)
	} else if err := file.WriteNewAtomic(out, bin, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "read PSBT %s (%d bytes, txid %s)\n", transport.ShortDigest(data), len(data), p.TxID())
	return nil
}
