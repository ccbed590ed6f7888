package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/offline"
	"github.com/airsign/airsign/online"
	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/online/backend/regtest"
	"github.com/btcsuite/btcd/chaincfg"
)

// keyOnNode is the start of every ceremony e2e test: a key made by the demo's
// keygen answers (shares kept in dir/shares-TAG), its watch-only wallet
// imported online under a name, and 101 blocks mined to its first address
// on a real btcd regtest node.
type keyOnNode struct {
	dir, log         string
	screen, onScreen *bytes.Buffer
	off              *offline.Env
	on               *online.Env
	made             ceremony.Result
	node             *regtest.Node
}

func keygenOnNode(t *testing.T, tag, wallet string) *keyOnNode {
	t.Helper()
	return keygenOnNodeWith(t, tag, wallet, "../../scripts/demo/keygen.answers")
}

// keygenOnNodeWith is keygenOnNode with another keygen answers file.
func keygenOnNodeWith(t *testing.T, tag, wallet, answers string) *keyOnNode {
	t.Helper()
	if os.Getenv("AIRSIGN_REGTEST") != "1" {
		t.Skip("set AIRSIGN_REGTEST=1 to run against a real btcd regtest node (make test does)")
	}
	k := &keyOnNode{dir: t.TempDir(), screen: &bytes.Buffer{}, onScreen: &bytes.Buffer{}}
	k.log = filepath.Join(k.dir, "ceremony.jsonl")
	k.off = &offline.Env{Stdout: k.screen, Stderr: k.screen, Net: &chaincfg.RegressionNetParams}
	var err error
	k.made, err = offline.RunCeremony(context.Background(), k.off, offline.CeremonyOptions{Name: "keygen", Answers: answers, Log: k.log,
		ExportDir: filepath.Join(k.dir, "usb-"+tag), ShareDir: filepath.Join(k.dir, "shares-"+tag), AllowOnline: true}, nil)
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, k.screen.String())
	}
	k.node = regtest.Start(t, k.made.Made.Addresses[0])
	k.on = &online.Env{Stdout: k.onScreen, Stderr: k.onScreen, DataDir: filepath.Join(k.dir, "online"),
		Connect: func(context.Context, *chaincfg.Params) (backend.Backend, error) {
			return backend.NewBtcd(k.node.Config())
		}}
	if _, err := online.ImportWallet(k.on, online.ImportOptions{Name: wallet, Source: filepath.Join(k.dir, "usb-"+tag, "descriptor.txt"), Network: "regtest"}); err != nil {
		t.Fatal(err)
	}
	k.node.Mine(t, 101)
	return k
}
