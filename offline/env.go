// Package offline is the logic of airsign-offline, the air-gapped signer:
// it rebuilds the key for one command, shows what a PSBT really does, checks
// it against policy, signs, and runs the key ceremonies. cmd/airsign-offline
// only wires flags to these functions.
package offline

import (
	"fmt"
	"io"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	count "github.com/airsign/airsign/transport/plural"
	"github.com/btcsuite/btcd/chaincfg"
)

// Env is what a command may touch of the outside world. Tests fill it with
// buffers; the binary with the process's streams and the terminal.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Prompter reads what a person types: secrets without echo and
	// confirmations.
	Prompter Prompter
	// Net is the network the operator works on.
	Net *chaincfg.Params
	// Sats shows amounts in satoshis instead of BTC (--sats, AIRSIGN_SATS).
	Sats bool
	// Camera is a video device to read PSBT QR codes from (--camera).
	Camera string
}

// readOptions say where transport.ReadPacket may look and talk.
func (e *Env) readOptions() transport.ReadOptions {
	return transport.ReadOptions{Stdin: e.Stdin, Progress: e.Stderr, Camera: e.Camera}
}

// Prompter reads input typed by a person at the air-gapped machine.
type Prompter interface {
	// ReadSecret shows prompt and reads a line without echo. The caller
	// wipes the returned bytes.
	ReadSecret(prompt string) ([]byte, error)
	// ReadLine shows prompt and reads a visible line.
	ReadLine(prompt string) (string, error)
}

// Warnf prints a warning line on stderr.
func (e *Env) Warnf(format string, args ...any) {
	fmt.Fprintf(e.Stderr, "warning: "+format+"\n", args...)
}

// Printf prints to stdout.
func (e *Env) Printf(format string, args ...any) {
	fmt.Fprintf(e.Stdout, format, args...)
}

// Network returns the chain parameters for a network name as the operator
// types it.
func Network(name string) (*chaincfg.Params, error) { return psbt.ParseNetwork(name) }

// wipe zeroes a secret buffer.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// plural says "1 input" or "2 inputs": the screens count things in words,
// with the one helper both binaries use.
var plural = count.Of
