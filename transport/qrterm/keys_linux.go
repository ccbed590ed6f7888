package qrterm

import (
	"os"
	"time"

	"github.com/airsign/airsign/transport/qrcode"
	"golang.org/x/sys/unix"
)

// readKeys reads keys from /dev/tty without waiting for Enter (echo and
// line editing off, signals and output processing left on, so Ctrl-C still
// interrupts and lines still end where they should): space, the arrows,
// q. stop puts the terminal back as it was.
func readKeys() (<-chan qrcode.Key, func(), error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(tty.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		tty.Close()
		return nil, nil, err
	}
	cbreak := *old
	cbreak.Lflag &^= unix.ICANON | unix.ECHO
	cbreak.Cc[unix.VMIN], cbreak.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &cbreak); err != nil {
		tty.Close()
		return nil, nil, err
	}
	keys := make(chan qrcode.Key, 8)
	done := make(chan struct{})
	go func() {
		defer close(keys)
		buf := make([]byte, 16)
		for {
			n, err := tty.Read(buf)
			if err != nil {
				return
			}
			for _, k := range parseKeys(buf[:n]) {
				select {
				case keys <- k:
				case <-done:
					return
				}
			}
		}
	}()
	stop := func() {
		close(done)
		unix.IoctlSetTermios(fd, unix.TCSETS, old)
		tty.SetReadDeadline(time.Now())
		tty.Close()
	}
	return keys, stop, nil
}
