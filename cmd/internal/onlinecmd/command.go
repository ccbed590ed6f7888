package onlinecmd

import (
	"os"

	"github.com/airsign/airsign/online"
	"github.com/spf13/cobra"
)

// Command returns airsign-online's command tree as Main builds it, for
// tools that read the tree instead of running it: cmd/internal/gendocs
// writes the man pages and shell completions from it, so they cannot drift
// from the flags the binary really has.
func Command() *cobra.Command {
	return newRoot(&online.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
}
