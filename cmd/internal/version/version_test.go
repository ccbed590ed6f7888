package version

import (
	"runtime"
	"testing"
)

func TestString(t *testing.T) {
	tail := " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	for _, tc := range []struct{ v, c, want string }{
		{"v1.2.3", "0123456789abcdef0123456789abcdef01234567", "v1.2.3 (commit 0123456789abcdef0123456789abcdef01234567)" + tail},
		// git describe on an untagged commit prints the abbreviated hash:
		// the commit is said once.
		{"0123456789ab", "0123456789ab", "0123456789ab" + tail},
		// A test binary has no VCS stamp and no module version.
		{"", "", "devel" + tail},
	} {
		Version, Commit = tc.v, tc.c
		if got := String(); got != tc.want {
			t.Errorf("Version=%q Commit=%q: String() = %q, want %q", tc.v, tc.c, got, tc.want)
		}
	}
}
