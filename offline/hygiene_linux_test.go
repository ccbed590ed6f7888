package offline

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// lockedKB reads how much of this process' memory is locked (VmLck).
func lockedKB(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmLck:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	t.Skip("no VmLck line")
	return 0
}

// TestLockSecret: a secret buffer's pages are locked while held and
// unlocked after, within the default memlock limit (no mlockall needed).
func TestLockSecret(t *testing.T) {
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim) != nil || lim.Cur < 64<<10 {
		t.Skip("the memlock limit is below 64 KiB here")
	}
	before := lockedKB(t)
	secret := make([]byte, 32<<10)
	lockSecret(secret)
	if got := lockedKB(t); got < before+32 {
		t.Fatalf("VmLck %d kB after locking 32 KiB (was %d kB)", got, before)
	}
	wipe(secret)
	unlockSecret(secret)
	if got := lockedKB(t); got > before {
		t.Fatalf("VmLck %d kB after unlocking (was %d kB)", got, before)
	}
}
