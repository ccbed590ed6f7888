package main

import (
	"os"

	"github.com/airsign/airsign/psbt"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdBarePSBT writes what a coordinator that leaves out the previous
// transactions, derivations and xpubs hands over: a version 2 PSBT of the
// same unsigned transaction with nothing else ("barepsbt IN OUT").
func cmdBarePSBT(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: barepsbt IN OUT")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	p, err := psbt.Decode(data)
	ts.Check(err)
	bare, err := psbt.FromUnsignedTx(p.UnsignedTx())
	ts.Check(err)
	bare.ToV2()
	out, err := bare.Encode()
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), out, 0o644))
}
