package qrterm

import "github.com/airsign/airsign/transport/qrcode"

// parseKeys turns what the terminal sent into the keys --qr-term knows:
// space, q (or Q), and the arrow keys' escape sequences (ESC [ C / ESC [ D,
// or ESC O C / ESC O D in application mode). Anything else is ignored.
func parseKeys(b []byte) []qrcode.Key {
	var keys []qrcode.Key
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == ' ':
			keys = append(keys, qrcode.KeyPause)
		case c == 'q' || c == 'Q':
			keys = append(keys, qrcode.KeyQuit)
		case c == 0x1b && i+2 < len(b) && (b[i+1] == '[' || b[i+1] == 'O'):
			switch b[i+2] {
			case 'C':
				keys = append(keys, qrcode.KeyNext)
			case 'D':
				keys = append(keys, qrcode.KeyPrev)
			}
			i += 2
		}
	}
	return keys
}
