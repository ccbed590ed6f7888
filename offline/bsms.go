package offline

import (
	"fmt"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/descriptor/bsms"
	"github.com/airsign/airsign/psbt/walletfile"
	"github.com/airsign/airsign/transport/file"
)

// isBSMS reports whether a file's text is a BIP129 descriptor record.
func isBSMS(data []byte) bool { return walletfile.IsBSMS(data) }

// bsmsDescriptor returns the descriptor of a BSMS record after checking the
// record's first address against it (psbt/walletfile, shared with the
// online side's wallet import).
func bsmsDescriptor(data []byte) (string, error) {
	w, err := walletfile.ReadBSMS(data)
	if err != nil {
		return "", err
	}
	return w.Descriptor, nil
}

// writeBSMS writes d's BIP129 descriptor record (Coldcard, Nunchuk and
// other coordinators import it to re-enroll a cosigner), and reads it back.
func writeBSMS(env *Env, path string, d *descriptor.Descriptor) error {
	rec, err := bsms.Format(d)
	if err != nil {
		return err
	}
	if err := file.WriteAtomic(path, rec, 0o644); err != nil {
		return err
	}
	back, err := bsmsDescriptor(rec)
	if err != nil || back != d.String() {
		return fmt.Errorf("the BSMS record %s does not read back as the wallet (%v); do not use it", path, err)
	}
	fmt.Fprintf(env.Stderr, "wrote the BSMS (BIP129) descriptor record %s\n", path)
	return nil
}
