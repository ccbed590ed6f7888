// Package regtest starts a real btcd regtest node for tests, through
// scripts/regtest.sh, each test in its own directory with its own ports, so tests
// of several packages can run at the same time without sharing coins.
//
// The tests run only when AIRSIGN_REGTEST=1 (`make test` sets it after
// `scripts/regtest.sh install`) or when someone started the default node by hand
// (<repo>/.cache/regtest/env exists); otherwise Start skips the test and says why.
// AIRSIGN_REGTEST=0 always skips.
package regtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/online/backend"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Node is one running btcd regtest node.
type Node struct {
	// Dir is the node's AIRSIGN_REGTEST_DIR.
	Dir string
	// Env holds the env file's assignments: AIRSIGN_RPC_URL, AIRSIGN_RPC_USER,
	// AIRSIGN_RPC_PASS, AIRSIGN_REGTEST_MINING_ADDR, … (see scripts/regtest.sh).
	Env    map[string]string
	script string
}

// Enabled reports whether regtest tests should run, and if not, why.
func Enabled() (bool, string) {
	switch os.Getenv("AIRSIGN_REGTEST") {
	case "1":
		return true, ""
	case "0":
		return false, "AIRSIGN_REGTEST=0"
	}
	root, err := RepoRoot()
	if err == nil {
		if _, err := os.Stat(filepath.Join(root, ".cache", "regtest", "env")); err == nil {
			return true, ""
		}
	}
	return false, "no regtest node: set AIRSIGN_REGTEST=1 (make test does) to run against a real btcd"
}

// RepoRoot finds the repository root (the directory holding scripts/regtest.sh)
// from the working directory upwards.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "scripts", "regtest.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("scripts/regtest.sh not found above the working directory")
		}
		dir = parent
	}
}

// Start starts a fresh node mining to miningAddr in a temporary directory and
// stops it (deleting its data) when the test ends. It skips the test when
// regtest tests are not enabled.
func Start(t testing.TB, miningAddr string) *Node {
	t.Helper()
	if ok, why := Enabled(); !ok {
		t.Skip(why)
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	n := &Node{Dir: t.TempDir(), script: filepath.Join(root, "scripts", "regtest.sh")}
	if _, err := n.run("start", miningAddr); err != nil {
		t.Fatalf("starting regtest node: %v", err)
	}
	t.Cleanup(func() {
		if _, err := n.run("stop"); err != nil {
			t.Errorf("stopping regtest node: %v", err)
		}
	})
	env, err := readEnv(filepath.Join(n.Dir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	n.Env = env
	return n
}

// Config is the backend configuration for this node.
func (n *Node) Config() backend.Config {
	return backend.Config{
		URL:      n.Env["AIRSIGN_RPC_URL"],
		User:     n.Env["AIRSIGN_RPC_USER"],
		Password: n.Env["AIRSIGN_RPC_PASS"],
	}
}

// Environ is os.Environ() plus the node's env file, for running airsign-online
// (or the script) as a subprocess against this node.
func (n *Node) Environ() []string {
	env := append(os.Environ(), "AIRSIGN_REGTEST_DIR="+n.Dir)
	for k, v := range n.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// Mine mines blocks to the node's mining address and returns their hashes.
func (n *Node) Mine(t testing.TB, blocks int) []chainhash.Hash {
	t.Helper()
	out, err := n.run("mine", fmt.Sprint(blocks))
	if err != nil {
		t.Fatalf("mining %d blocks: %v", blocks, err)
	}
	var strs []string
	if err := json.Unmarshal(out, &strs); err != nil {
		t.Fatalf("mining %d blocks: reply %q: %v", blocks, out, err)
	}
	hashes := make([]chainhash.Hash, len(strs))
	for i, s := range strs {
		h, err := chainhash.NewHashFromStr(s)
		if err != nil {
			t.Fatalf("mining: block hash %q: %v", s, err)
		}
		hashes[i] = *h
	}
	if len(hashes) != blocks {
		t.Fatalf("asked to mine %d blocks, node mined %d", blocks, len(hashes))
	}
	return hashes
}

// RPC calls any node RPC through btcctl and returns its output.
func (n *Node) RPC(t testing.TB, method string, args ...string) []byte {
	t.Helper()
	out, err := n.run(append([]string{"rpc", method}, args...)...)
	if err != nil {
		t.Fatalf("rpc %s: %v", method, err)
	}
	return out
}

func (n *Node) run(args ...string) ([]byte, error) {
	cmd := exec.Command("bash", append([]string{n.script}, args...)...)
	cmd.Env = append(os.Environ(), "AIRSIGN_REGTEST_DIR="+n.Dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("regtest.sh %s: %v\n%s", args[0], err, stderr.Bytes())
	}
	return bytes.TrimSpace(stdout.Bytes()), nil
}

// readEnv parses the script's env file (NAME=value lines).
func readEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := make(map[string]string)
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("%s line %d: not NAME=value", path, line)
		}
		env[k] = v
	}
	return env, sc.Err()
}
