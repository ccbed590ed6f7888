package offline

import (
	"errors"
	"fmt"

	"github.com/airsign/airsign/psbt/walletfile"
)

// otherWalletsFile finds the wallet in a file another wallet wrote
// (Coldcard setup file, descriptor pair, JSON exports: psbt/walletfile).
// ok is false when the file is none of those, for the caller's own reader.
func otherWalletsFile(data []byte, name string) (desc string, ok bool, err error) {
	w, err := walletfile.Read(data, "")
	switch {
	case errors.Is(err, walletfile.ErrNotWalletFile):
		return "", false, nil
	case errors.Is(err, walletfile.ErrChoose):
		return "", false, fmt.Errorf("%s: %w; on the offline side give the one wallet's descriptor (airsign-online wallet import --type picks it, and wallet show prints it)", name, err)
	case err != nil:
		return "", false, fmt.Errorf("%s: %w", name, err)
	}
	return w.Descriptor, true, nil
}
