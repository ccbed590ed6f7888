//go:build !unix

package offline

import "os"

// lockFile does nothing where flock does not exist: concurrent appends are
// not serialized there, and a forked chain is found by the next
// verification. The offline machine airsign documents is Linux.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}
