// Command airsign-online runs on the connected laptop. It holds only a
// watch-only wallet (an output descriptor): it finds UTXOs, prepares unsigned
// PSBTs for the offline signer and broadcasts the signed ones.
package main

import (
	"os"

	"github.com/airsign/airsign/cmd/internal/onlinecmd"
)

func main() { os.Exit(onlinecmd.Main(os.Args[1:])) }
