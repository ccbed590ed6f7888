// Package version says which build of airsign is running, so an operator
// can match the binary on the air-gapped laptop against the release notes
// and SHA256SUMS before trusting it with a key.
//
// A release gets its version from the release script, not from the
// environment: scripts/release.sh builds a commit exported with `git
// archive` (no .git directory, so no VCS stamping) and passes
//
//	-ldflags=-X github.com/airsign/airsign/cmd/internal/version.Version=$(git describe --tags --always --abbrev=12)
//	        -X github.com/airsign/airsign/cmd/internal/version.Commit=<full commit hash>
//
// Both values depend only on the commit (and its tags), so two builds of
// the same commit are byte-identical. A developer build (`make build`,
// `go build`, `go install`) has neither and falls back to the module
// version in the build info (a `go install …@v1.2.3` build) or the VCS
// revision when the go command stamped one (GOFLAGS=-buildvcs=true in a
// git checkout); otherwise it says "devel".
package version

import (
	"runtime"
	"runtime/debug"
)

// Version is set by the release build with -ldflags=-X. Empty in developer
// builds.
var Version string

// Commit is the full commit hash of a release build, set with -ldflags=-X.
var Commit string

// String is what --version prints after the program name: the version,
// then the commit and the Go release that compiled the binary (a second
// Go release would give a different SHA-256 for the same commit).
func String() string {
	v, c := Version, Commit
	if v == "" || c == "" {
		bv, bc := fromBuildInfo()
		if v == "" {
			v = bv
		}
		if c == "" {
			c = bc
		}
	}
	s := v
	if c != "" && c != v {
		s += " (commit " + c + ")"
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// fromBuildInfo reads what the go command recorded: the main module's
// version for `go install module@version`, and vcs.revision/vcs.modified
// when VCS stamping was on.
func fromBuildInfo() (ver, commit string) {
	ver = "devel"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ver, ""
	}
	if mv := info.Main.Version; mv != "" && mv != "(devel)" {
		ver = mv
	}
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if commit != "" && modified {
		commit += "-dirty"
	}
	return ver, commit
}
