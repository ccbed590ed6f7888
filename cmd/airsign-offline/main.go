// Command airsign-offline is the air-gapped signer: it rebuilds the key from
// Shamir shares (or a typed mnemonic) for one command, shows what a PSBT
// really does, checks it against policy, signs, and runs the key ceremonies.
// It never opens a network connection; a test keeps net/http out of it.
package main

import (
	"os"

	"github.com/airsign/airsign/cmd/internal/offlinecmd"
)

func main() { os.Exit(offlinecmd.Main(os.Args[1:])) }
