package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/airsign/airsign/cmd/internal/offlinecmd"
	"github.com/airsign/airsign/cmd/internal/onlinecmd"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"airsign-online":  func() { os.Exit(onlinecmd.Main(os.Args[1:])) },
		"airsign-offline": func() { os.Exit(offlinecmd.Main(os.Args[1:])) },
	})
}

// TestScripts covers airsign-online's command line without a node.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup:         setupEnv,
		Cmds:          commands(),
	})
}

// TestEndToEnd runs the whole path on a real btcd regtest node started by
// scripts/regtest.sh: the node, not our code, judges the signatures. It runs
// when AIRSIGN_REGTEST=1 (make test sets it); the node's binaries are built
// by the script at a pinned version.
func TestEndToEnd(t *testing.T) {
	if os.Getenv("AIRSIGN_REGTEST") != "1" {
		t.Skip("set AIRSIGN_REGTEST=1 to run against a real btcd regtest node (make test does)")
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/e2e",
		UpdateScripts: *update,
		Setup:         setupEnv,
		Cmds:          commands(),
	})
}

func setupEnv(e *testscript.Env) error {
	e.Setenv("AIRSIGN_NETWORK", "regtest")
	// The test machine has a network; the airgap refusal has its own test.
	e.Setenv("AIRSIGN_ALLOW_ONLINE", "1")
	e.Setenv("XDG_DATA_HOME", filepath.Join(e.WorkDir, "data"))
	e.Setenv("AIRSIGN_DATADIR", filepath.Join(e.WorkDir, "datadir"))
	for _, k := range []string{"AIRSIGN_RPC_URL", "AIRSIGN_RPC_USER", "AIRSIGN_RPC_PASS", "AIRSIGN_WALLET"} {
		e.Setenv(k, "")
	}
	return nil
}

func commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"regtest":   cmdRegtest,
		"envfrom":   cmdEnvFrom,
		"multisig":  cmdMultisig,
		"hangnode":  cmdHangNode,
		"qrpng":     cmdQRPNG,
		"payeescsv": cmdPayeesCSV,
		"barepsbt":  cmdBarePSBT,
	}
}

// cmdRegtest drives scripts/regtest.sh for one script: "regtest start
// MINING_ADDR" starts a node in $WORK/node and loads its env file (RPC URL,
// user, password) into the script's environment; "regtest mine N" mines;
// the node is stopped when the script ends.
func cmdRegtest(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: regtest start ADDR | mine N | rpc ARGS…")
	}
	script, err := filepath.Abs("../../scripts/regtest.sh")
	ts.Check(err)
	dir := ts.MkAbs("node")
	run := func(a ...string) string {
		cmd := exec.Command("bash", append([]string{script}, a...)...)
		cmd.Env = append(os.Environ(), "AIRSIGN_REGTEST_DIR="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			ts.Fatalf("regtest.sh %s: %v\n%s", strings.Join(a, " "), err, out)
		}
		return string(out)
	}
	switch args[0] {
	case "start":
		if len(args) != 2 {
			ts.Fatalf("usage: regtest start MINING_ADDR")
		}
		run("start", args[1])
		ts.Defer(func() { run("stop") })
		f, err := os.Open(filepath.Join(dir, "env"))
		ts.Check(err)
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				ts.Setenv(k, v)
			}
		}
	case "mine", "rpc":
		fmt.Fprint(ts.Stdout(), run(args...))
	default:
		ts.Fatalf("unknown regtest subcommand %q", args[0])
	}
}

// cmdEnvFrom sets an environment variable from a file's content, or from the
// first group of a regular expression matched against it: testscript has
// no command substitution, and the scripts need a descriptor, an address or
// a digest printed by one command as the argument of the next.
func cmdEnvFrom(ts *testscript.TestScript, neg bool, args []string) {
	if neg || (len(args) != 2 && len(args) != 3) {
		ts.Fatalf("usage: envfrom VAR FILE [REGEXP]")
	}
	data := ts.ReadFile(args[1])
	val := strings.TrimSpace(data)
	if len(args) == 3 {
		m := regexp.MustCompile(args[2]).FindStringSubmatch(data)
		if len(m) < 2 {
			ts.Fatalf("envfrom: %q does not match in %s", args[2], args[1])
		}
		val = m[1]
	}
	ts.Setenv(args[0], val)
}

// cmdMultisig writes the descriptor of a K-of-N sortedmulti wallet whose
// cosigners are the mnemonic files given, at their BIP48 account 0 keys:
// "multisig OUT wsh|sh-wsh K MNEMONIC-FILE…". It stands in for the
// cosigners each exporting an xpub and someone assembling the descriptor
// (airsign-offline exports single-key descriptors only).
func cmdMultisig(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 4 {
		ts.Fatalf("usage: multisig OUT wsh|sh-wsh K MNEMONIC-FILE…")
	}
	kind := descriptor.WSHSortedMulti
	if args[1] == "sh-wsh" {
		kind = descriptor.SHWSHSortedMulti
	}
	k, err := strconv.Atoi(args[2])
	ts.Check(err)
	net := &chaincfg.RegressionNetParams
	var keys []descriptor.Key
	for _, f := range args[3:] {
		seed, err := bip39.Seed([]byte(strings.TrimSpace(ts.ReadFile(f))), nil)
		ts.Check(err)
		master, err := hdkeychain.NewMaster(seed, net)
		ts.Check(err)
		key, err := descriptor.AccountKey(kind, master, 0, net)
		ts.Check(err)
		keys = append(keys, key)
	}
	d, err := descriptor.NewSortedMulti(kind, k, keys, net)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(d.String()+"\n"), 0o644))
}

// cmdHangNode listens on a loopback port that accepts connections and never
// answers, and sets HANG_URL to it: a node that hangs.
func cmdHangNode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: hangnode")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read or answered
			mu.Unlock()
		}
	}()
	ts.Defer(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	ts.Setenv("HANG_URL", "http://"+l.Addr().String())
}

// cmdQRPNG draws the content of a file as one QR code in DIR/frame-001.png.
func cmdQRPNG(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: qrpng FILE DIR")
	}
	_, err := qrcode.WritePNGs(ts.MkAbs(args[1]), []string{strings.TrimSpace(ts.ReadFile(args[0]))}, qrcode.Options{})
	ts.Check(err)
}

// cmdPayeesCSV turns the output of `wallet addresses` into a payout CSV,
// paying AMOUNT_SAT + i sat to the i-th address: "payeescsv IN OUT AMOUNT_SAT".
func cmdPayeesCSV(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: payeescsv ADDRESSES-FILE OUT AMOUNT_SAT")
	}
	base, err := strconv.Atoi(args[2])
	ts.Check(err)
	var b strings.Builder
	b.WriteString("address,amount\n")
	for i, line := range strings.Split(strings.TrimSpace(ts.ReadFile(args[0])), "\n") {
		f := strings.Fields(line)
		fmt.Fprintf(&b, "%s,%dsat\n", f[len(f)-1], base+i)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
}
