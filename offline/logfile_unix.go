//go:build unix

package offline

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock (flock) on the log, waiting for
// another airsign process to finish its append.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
