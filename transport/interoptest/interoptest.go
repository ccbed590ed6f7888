// Package interoptest runs other people's implementations of the formats
// airsign writes (scripts/interop: node packages and Electrum) for the
// interop tests of several packages, so they find the tools, skip or fail,
// and talk JSON to them the same way. It is for tests only.
package interoptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Unavailable skips the test when a tool is missing, or fails it when
// AIRSIGN_INTEROP=1 (make interop) says the tools must be there.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("AIRSIGN_INTEROP") == "1" {
		t.Fatalf("AIRSIGN_INTEROP=1 but %s (run make interop)", msg)
	}
	t.Skipf("%s; make interop installs it", msg)
}

// RepoRoot is the directory holding go.mod above the test's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// RunJSON runs c with req as JSON on stdin and decodes its answer into
// ans; a failure returns the command's error output.
func RunJSON(c *exec.Cmd, req, ans any) error {
	in, err := json.Marshal(req)
	if err != nil {
		return err
	}
	c.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(c.Args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), ans); err != nil {
		return fmt.Errorf("%s answered %q: %v", strings.Join(c.Args, " "), stdout.String(), err)
	}
	return nil
}

// Node runs scripts/interop/ref.mjs against the npm packages make interop
// installs into .cache/interop (AIRSIGN_INTEROP_NODE_DIR overrides).
type Node struct{ dir string }

// FindNode lays out a directory where ref.mjs resolves the packages, or
// says why it cannot (node or a package missing).
func FindNode(t testing.TB, pkgs ...string) (*Node, string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, "node is not installed"
	}
	root := RepoRoot(t)
	modDir := os.Getenv("AIRSIGN_INTEROP_NODE_DIR")
	if modDir == "" {
		modDir = filepath.Join(root, ".cache", "interop")
	}
	modules := filepath.Join(modDir, "node_modules")
	out, _ := exec.Command(node, "--version").Output()
	versions := []string{"node " + strings.TrimSpace(string(out))}
	for _, pkg := range pkgs {
		b, err := os.ReadFile(filepath.Join(modules, pkg, "package.json"))
		if err != nil {
			return nil, fmt.Sprintf("npm package %s is not installed in %s", pkg, modules)
		}
		var pj struct{ Version string }
		_ = json.Unmarshal(b, &pj)
		versions = append(versions, pkg+" "+pj.Version)
	}
	t.Log(strings.Join(versions, ", "))
	dir := t.TempDir()
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	// ref.mjs and the modules it loads (bip127_verify.mjs).
	scripts, err := filepath.Glob(filepath.Join(root, "scripts", "interop", "*.mjs"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts/interop/*.mjs (%v)", err)
	}
	for _, s := range scripts {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(s)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &Node{dir: dir}, ""
}

// NewNode is FindNode for a test that needs node: it skips (or fails under
// make interop) when node or a package is missing.
func NewNode(t testing.TB, pkgs ...string) *Node {
	t.Helper()
	n, why := FindNode(t, pkgs...)
	if n == nil {
		Unavailable(t, "%s", why)
	}
	return n
}

// Call runs one ref.mjs command with req as JSON and decodes the answer.
func (n *Node) Call(cmd string, req, ans any) error {
	c := exec.Command("node", "ref.mjs", cmd)
	c.Dir = n.dir
	for _, kv := range os.Environ() {
		// No network here: not loading an extra CA bundle saves start-up
		// time on every call.
		if !strings.HasPrefix(kv, "NODE_EXTRA_CA_CERTS=") {
			c.Env = append(c.Env, kv)
		}
	}
	return RunJSON(c, req, ans)
}

// MustCall is Call failing the test on error.
func (n *Node) MustCall(t testing.TB, cmd string, req, ans any) {
	t.Helper()
	if err := n.Call(cmd, req, ans); err != nil {
		t.Fatal(err)
	}
}
