//go:build !linux

package offline

// Harden does nothing on systems other than Linux; airgap-check says so.
func Harden() {}

func coreDumpsAllowed() bool { return true }

// lockSecret and unlockSecret do nothing here; airgap-check says memory is
// not locked.
func lockSecret([]byte) {}

func unlockSecret([]byte) {}
