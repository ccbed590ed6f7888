package offline

import (
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/qrterm"
)

// fitQRTerm fits --qr-term to the terminal of env.Stdout, where offline
// commands draw their codes (see qrterm.Fit; airsign-online shares it).
func fitQRTerm(env *Env, q *transport.QROptions) { qrterm.Fit(env.Stdout, q) }

// qrTermKeys gives --qr-term the operator's keys from the terminal (see
// qrterm.Keys); stop restores the terminal.
func qrTermKeys(_ *Env, q *transport.QROptions) (stop func()) { return qrterm.Keys(q) }
