// Package online is the logic of airsign-online, the connected machine's
// tool: a watch-only wallet (an output descriptor, no key), UTXO discovery,
// preparing unsigned PSBTs and broadcasting signed ones. cmd/airsign-online
// only wires flags to these functions.
package online

import (
	"context"
	"errors"
	"fmt"
	"github.com/airsign/airsign/transport"
	"io"
	"os"
	"path/filepath"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt"
	"github.com/btcsuite/btcd/chaincfg"
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// DataDir holds the wallets (watch-only, nothing secret).
	DataDir string
	// Connect opens the chain backend for a network. It is a function so
	// commands that need no node (wallet show) never dial one.
	Connect func(ctx context.Context, net *chaincfg.Params) (backend.Backend, error)
	// Sats shows amounts in satoshis instead of BTC (--sats, AIRSIGN_SATS).
	Sats bool
	// Ask asks the operator at the terminal; nil when there is none (a
	// script): commands that would ask then need their flag (--yes).
	Ask AskFunc
	// GapLimit, when not 0, overrides the wallet's stored gap limit for this
	// run (--gap-limit): a wallet that handed out many addresses can be
	// scanned further without re-importing it.
	GapLimit int
	// Width, when not 0, is the console's width (at most 80) that stderr's
	// messages are wrapped to; 0 when stderr is not a console.
	Width int
	// OutWidth is the same for stdout: on a console, listings are laid out
	// to fit it; piped, they keep one record a line for scripts.
	OutWidth int
}

// Printf prints to stdout.
func (e *Env) Printf(format string, args ...any) { fmt.Fprintf(e.Stdout, format, args...) }

// Linef prints a line of prose to stdout, wrapped to a console (OutWidth).
func (e *Env) Linef(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if e.OutWidth > 0 {
		msg = psbt.WrapText(msg, e.OutWidth)
	}
	fmt.Fprintln(e.Stdout, msg)
}

// Infof prints a progress or result line on stderr, keeping stdout for
// data a script may capture. On a console (Width) it is wrapped between
// words to the 80 columns the offline screens fit, or a narrower console's
// width, so the console never cuts an address, a txid or a command in
// two; a script reading stderr gets each message on one line, to search
// as it is.
func (e *Env) Infof(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if e.Width > 0 {
		msg = psbt.WrapText(msg, e.Width)
	}
	fmt.Fprintln(e.Stderr, msg)
}

// Warnf prints a warning on stderr, wrapped as Infof.
func (e *Env) Warnf(format string, args ...any) {
	e.Infof("warning: "+format, args...)
}

// DefaultDataDir is where wallets live unless --datadir says otherwise.
func DefaultDataDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "airsign")
	}
	return ".airsign"
}

// backendFor connects and checks the node is on the wallet's network.
func (e *Env) backendFor(ctx context.Context, net *chaincfg.Params) (backend.Backend, error) {
	if e.Connect == nil {
		return nil, transport.WithHint(errors.New("no chain backend configured"), "give --rpc-url (or set AIRSIGN_RPC_URL)")
	}
	b, err := e.Connect(ctx, net)
	if err != nil {
		return nil, err
	}
	if err := backend.CheckNetwork(ctx, b, net); err != nil {
		return nil, err
	}
	return b, nil
}

// Network returns the chain parameters for a network name.
func Network(name string) (*chaincfg.Params, error) { return psbt.ParseNetwork(name) }
