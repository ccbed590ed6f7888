package version_test

import (
	"strings"
	"testing"

	"github.com/airsign/airsign/cmd/internal/offlinecmd"
	"github.com/airsign/airsign/cmd/internal/onlinecmd"
	"github.com/airsign/airsign/cmd/internal/version"
	"github.com/spf13/cobra"
)

// TestBothBinariesHaveVersion keeps --version on both binaries: the release
// checklist and verify-release.sh tell the operator to compare it.
func TestBothBinariesHaveVersion(t *testing.T) {
	for _, root := range []*cobra.Command{offlinecmd.Command(), onlinecmd.Command()} {
		if root.Version != version.String() {
			t.Errorf("%s: Version = %q, want version.String() = %q (set root.Version in its newRoot)", root.Name(), root.Version, version.String())
		}
		var out strings.Builder
		root.SetOut(&out)
		root.SetArgs([]string{"--version"})
		if err := root.Execute(); err != nil {
			t.Errorf("%s --version: %v", root.Name(), err)
		}
		if want := root.Name() + " version " + version.String() + "\n"; out.String() != want {
			t.Errorf("%s --version printed %q, want %q", root.Name(), out.String(), want)
		}
	}
}
