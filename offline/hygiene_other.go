//go:build !linux

package offline

// Harden does nothing on systems other than Linux; airgap-check says so.
func Harden() {}

func coreDumpsAllowed() bool { return true }
