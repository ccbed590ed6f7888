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
