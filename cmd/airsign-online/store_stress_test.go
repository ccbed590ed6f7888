package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	regtestnode "github.com/airsign/airsign/online/backend/regtest"
	"github.com/airsign/airsign/online/store"
)

// The store's promises, checked with real processes of the built
// airsign-online: commands run together all keep their changes, and a
// command killed at any moment leaves a store that opens and holds every
// change that was reported done. `make test` (-short) runs a short form;
// `make stress` the long one: 50 processes, 500 writes.

// stressTestDescriptor is the regtest wallet of the "abandon … about" key.
const stressTestDescriptor = "wpkh([73c5da0a/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/<0;1>/*)#lxek0ef2"

// stressTestAddress is its first receive address.
const stressTestAddress = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"

func stressLong() bool { return !testing.Short() }

// onlineBinary builds airsign-online once per test into a temporary
// directory: the processes are the real command, not the test binary.
func onlineBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "airsign-online")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building airsign-online: %v\n%s", err, out)
	}
	return bin
}

// stressEnv runs airsign-online on one data directory.
type stressEnv struct {
	bin, dir string
	env      []string
}

func newStressEnv(t *testing.T, node *regtestnode.Node) *stressEnv {
	base := os.Environ()
	if node != nil {
		base = node.Environ()
	}
	e := &stressEnv{bin: onlineBinary(t), dir: t.TempDir()}
	e.env = append(base, "AIRSIGN_DATADIR="+filepath.Join(e.dir, "data"), "AIRSIGN_NETWORK=regtest", "AIRSIGN_WALLET=w")
	if out, err := e.run("wallet", "import", stressTestDescriptor); err != nil {
		t.Fatalf("wallet import: %v\n%s", err, out)
	}
	return e
}

func (e *stressEnv) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env, cmd.Dir = e.env, e.dir
	return cmd
}

func (e *stressEnv) run(args ...string) (string, error) {
	out, err := e.command(context.Background(), args...).CombinedOutput()
	return string(out), err
}

// exported reads the wallet's labels and freezes back through the CLI.
func (e *stressEnv) exported(t *testing.T) (labels map[string]string, frozen map[string]bool) {
	t.Helper()
	cmd := e.command(context.Background(), "labels", "export", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("labels export: %v\n%s", err, stderr.String())
	}
	labels, frozen = map[string]string{}, map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct {
			Ref       string  `json:"ref"`
			Label     *string `json:"label"`
			Spendable *bool   `json:"spendable"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		if r.Label != nil {
			labels[r.Ref] = *r.Label
		}
		if r.Spendable != nil && !*r.Spendable {
			frozen[r.Ref] = true
		}
	}
	return labels, frozen
}

// checkIntact backs the store up through the CLI and checks the copy
// whole (SQLite's integrity_check).
func (e *stressEnv) checkIntact(t *testing.T) {
	t.Helper()
	bk := filepath.Join(e.dir, fmt.Sprintf("check-%d.db", time.Now().UnixNano()))
	if out, err := e.run("wallet", "backup", bk); err != nil {
		t.Fatalf("wallet backup: %v\n%s", err, out)
	}
	if _, err := store.CheckBackup(context.Background(), bk); err != nil {
		t.Fatalf("the store is not intact: %v", err)
	}
}

func outpoint(i int) string { return fmt.Sprintf("%064x:%d", i+1, i%7) }

// TestStressConcurrentCommands starts label, freeze, prepare, utxos (a
// scan) processes all at once on one data directory, and checks every one
// that said it was done left its change: no lost update, no lie.
func TestStressConcurrentCommands(t *testing.T) {
	n := 10
	if stressLong() {
		n = 50
	}
	var node *regtestnode.Node
	if ok, _ := regtestnode.Enabled(); ok {
		// Coinbases to the wallet: 10 mature coins to prepare from.
		node = regtestnode.Start(t, stressTestAddress)
		node.Mine(t, 110)
	}
	e := newStressEnv(t, node)
	type proc struct {
		kind string
		args []string
		out  bytes.Buffer
		err  error
	}
	procs := make([]*proc, n)
	for i := range procs {
		p := &proc{}
		kinds := []string{"label", "freeze", "prepare", "utxos", "label"}
		p.kind = kinds[i%len(kinds)]
		if node == nil && (p.kind == "prepare" || p.kind == "utxos") {
			p.kind = []string{"label", "freeze"}[i%2]
		}
		switch p.kind {
		case "label":
			p.args = []string{"label", outpoint(i), fmt.Sprintf("note %d", i)}
		case "freeze":
			p.args = []string{"freeze", outpoint(i)}
		case "prepare":
			p.args = []string{"prepare", "--to", stressTestAddress + ":0.001", "--fee-rate", "2", "--out", fmt.Sprintf("p%d.psbt", i)}
		case "utxos":
			p.args = []string{"utxos", "--json"}
		}
		procs[i] = p
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := e.command(context.Background(), p.args...)
			cmd.Stdout, cmd.Stderr = &p.out, &p.out
			<-start
			p.err = cmd.Run()
		}()
	}
	close(start)
	wg.Wait()
	labels, frozen := e.exported(t)
	counts := map[string]int{}
	for i, p := range procs {
		if p.err != nil {
			t.Errorf("%s: %v\n%s", strings.Join(p.args, " "), p.err, p.out.String())
			continue
		}
		counts[p.kind]++
		op := outpoint(i)
		switch p.kind {
		case "label":
			if labels[op] != fmt.Sprintf("note %d", i) {
				t.Errorf("process %d reported %q but the label of %s is %q", i, strings.TrimSpace(p.out.String()), op, labels[op])
			}
		case "freeze":
			if !frozen[op] {
				t.Errorf("process %d reported %q but %s is not frozen", i, strings.TrimSpace(p.out.String()), op)
			}
		case "prepare":
			if _, err := os.Stat(filepath.Join(e.dir, fmt.Sprintf("p%d.psbt", i))); err != nil {
				t.Errorf("process %d reported done but wrote no PSBT: %v", i, err)
			}
		case "utxos":
			if !strings.Contains(p.out.String(), `"coins"`) {
				t.Errorf("process %d: utxos printed no coins:\n%s", i, p.out.String())
			}
		}
	}
	t.Logf("%d processes at once: %v", n, counts)
	e.checkIntact(t)
}

// TestStressKilledWrites kills label processes at random moments (while
// opening the store, inside a transaction, while committing) and checks
// the store still opens and holds every label a process reported done.
func TestStressKilledWrites(t *testing.T) {
	writes := 24
	if stressLong() {
		writes = 500
	}
	e := newStressEnv(t, nil)
	const workers = 3
	var mu sync.Mutex
	done := map[int]bool{}
	killed := 0
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var out bytes.Buffer
				cmd := e.command(context.Background(), "label", outpoint(i), fmt.Sprintf("note %d", i))
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				kill := rand.IntN(2) == 0
				if kill {
					// A process lives some tens of milliseconds: kill it
					// somewhere in that span.
					time.AfterFunc(time.Duration(rand.IntN(60_000))*time.Microsecond, func() {
						cmd.Process.Signal(syscall.SIGKILL)
					})
				}
				err := cmd.Wait()
				mu.Lock()
				switch {
				case err == nil && strings.Contains(out.String(), "labelled coin"):
					done[i] = true
				case err == nil:
					t.Errorf("write %d exited 0 without saying it was done: %s", i, out.String())
				case !kill:
					t.Errorf("write %d failed without being killed: %v\n%s", i, err, out.String())
				default:
					killed++
				}
				mu.Unlock()
			}
		}()
	}
	for i := range writes {
		next <- i
	}
	close(next)
	wg.Wait()
	labels, _ := e.exported(t)
	for i := range done {
		if labels[outpoint(i)] != fmt.Sprintf("note %d", i) {
			t.Errorf("write %d was reported done but its label is %q", i, labels[outpoint(i)])
		}
	}
	t.Logf("%d writes: %d reported done, %d killed first, %d labels in the store", writes, len(done), killed, len(labels))
	if len(done) == 0 || killed == 0 {
		t.Fatalf("the test did not exercise both outcomes: %d done, %d killed", len(done), killed)
	}
	e.checkIntact(t)
}
