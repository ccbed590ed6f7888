package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/cmd/internal/offlinecmd"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"airsign-offline": func() { os.Exit(offlinecmd.Main(os.Args[1:])) },
	})
}

// TestScripts pins down what the operator sees: every .txtar file under
// testdata/script is a session at the air-gapped machine.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("AIRSIGN_NETWORK", "regtest")
			// The test machine has a network; the airgap refusal has its own test.
			e.Setenv("AIRSIGN_ALLOW_ONLINE", "1")
			e.Setenv("XDG_DATA_HOME", filepath.Join(e.WorkDir, "data"))
			return nil
		},
	})
}

// TestNoNetworkInOfflineBinary keeps the air-gapped binary free of network
// code: no HTTP or TLS client can be linked into it, and it cannot reach the
// online package.
func TestNoNetworkInOfflineBinary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned too few packages to be a real dependency list: %v", deps)
	}
	for _, d := range deps {
		switch {
		case d == "net/http", d == "crypto/tls", strings.HasPrefix(d, "net/http/"),
			strings.HasPrefix(d, "github.com/airsign/airsign/online"):
			t.Errorf("airsign-offline links %s; the air-gapped binary must not contain network clients", d)
		}
	}
}
