package transport

import "strings"

// Printable makes one line of a message safe for a terminal. Errors and
// progress lines quote outside input (a QR code's text, a node's reply, a
// file's line), and an ESC or CSI sequence in it must not move the cursor,
// rewrite what the operator reads or change the window title. Control
// characters (C0 but tab, DEL, C1) and invalid UTF-8 become '?'.
func Printable(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			return '?'
		}
		return r
	}, s)
}
