package offline

import "golang.org/x/sys/unix"

// Harden is called first thing by airsign-offline: no core dumps (a crash
// must not write the key to disk), not ptrace-able by other users' processes,
// and memory locked so it is not swapped out, where the OS allows. Every
// step is best effort; airgap-check shows what is still open.
func Harden() {
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	// MCL_FUTURE makes every later allocation fail once the lock limit is
	// reached, which would crash the Go runtime: lock only when the limit
	// is generous (root, or a raised memlock limit).
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim) == nil && lim.Cur >= 4<<30 {
		_ = unix.Mlockall(unix.MCL_CURRENT | unix.MCL_FUTURE)
	}
}

func coreDumpsAllowed() bool {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		return true
	}
	dumpable, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	return lim.Cur != 0 && (err != nil || dumpable != 0)
}

// lockSecret keeps the pages holding b out of swap (mlock), best effort.
// Locking the few buffers that hold a secret fits the default memlock limit
// (64 KiB to 8 MiB), where locking the whole process (Harden's mlockall)
// needs a limit defaults do not give. The Go heap does not move objects, so
// the pages stay the buffer's; unlockSecret after wiping it.
func lockSecret(b []byte) {
	if len(b) > 0 {
		_ = unix.Mlock(b)
	}
}

// unlockSecret undoes lockSecret. A page shared with another locked secret
// is unlocked with it: the lock is a help against swap, not a guarantee.
func unlockSecret(b []byte) {
	if len(b) > 0 {
		_ = unix.Munlock(b)
	}
}
