//go:build !linux

package qrterm

import (
	"errors"

	"github.com/airsign/airsign/transport/qrcode"
)

// readKeys is not available here: --qr-term animates until Ctrl-C.
func readKeys() (<-chan qrcode.Key, func(), error) {
	return nil, nil, errors.New("keys are read on Linux only")
}
