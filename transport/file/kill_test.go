package file

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The kill test re-executes this test binary as the writer. These variables
// tell the child what to do; TestMain turns the binary into the writer when
// they are set.
const (
	childPath   = "AIRSIGN_KILLTEST_PATH"   // file to write
	childSeq    = "AIRSIGN_KILLTEST_SEQ"    // first version to write
	childWriter = "AIRSIGN_KILLTEST_WRITER" // "atomic" (WriteAtomic) or "naive" (os.WriteFile, the control)
)

// versionSize is large enough that writing a version takes many pages and
// a kill can land in the middle of it.
const versionSize = 1 << 20

func TestMain(m *testing.M) {
	if path := os.Getenv(childPath); path != "" {
		killChild(path)
		return // not reached: the child runs until it is killed
	}
	os.Exit(m.Run())
}

// content is version seq of the file: a header with the sequence number and
// length, and a body derived from seq, so a reader can tell a complete
// version from a torn or mixed one.
func content(seq uint64) []byte {
	b := make([]byte, versionSize)
	binary.LittleEndian.PutUint64(b[0:], seq)
	binary.LittleEndian.PutUint64(b[8:], versionSize)
	x := seq*0x9E3779B97F4A7C15 + 1
	for i := 16; i < len(b); i += 8 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		binary.LittleEndian.PutUint64(b[i:], x)
	}
	return b
}

// complete says which version data is, if it is exactly a complete one.
func complete(data []byte) (uint64, bool) {
	if len(data) != versionSize {
		return 0, false
	}
	seq := binary.LittleEndian.Uint64(data)
	return seq, bytes.Equal(data, content(seq))
}

// killChild writes versions seq, seq+1, … to path until it is killed, and
// after each write returns reports "committed N" on stdout (a pipe: what
// the parent has read was written before the kill).
func killChild(path string) {
	seq, err := strconv.ParseUint(os.Getenv(childSeq), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kill test child:", err)
		os.Exit(2)
	}
	write := WriteAtomic
	if os.Getenv(childWriter) == "naive" {
		write = os.WriteFile
	}
	// Build the versions before saying ready, so the kill lands in the
	// writing and not in the computing.
	next := content(seq)
	os.Stdout.WriteString("ready\n")
	for ; ; seq++ {
		if err := write(path, next, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "kill test child:", err)
			os.Exit(2)
		}
		os.Stdout.WriteString("committed " + strconv.FormatUint(seq, 10) + "\n")
		next = content(seq + 1)
	}
}

type killStats struct {
	mu                    sync.Mutex
	old, new, torn, temps int
	maxTempsAfterOneKill  int
	written               int // versions the writers reported written, all kills together
}

// killOnce starts a writer on path (which holds a complete version),
// kills it with SIGKILL after a random delay in [0, maxDelay) once it is
// writing, and checks what it left: path must hold either the version
// the writer last reported as written (old) or the one after it (new: the
// rename happened, the report did not), and the only other files must be
// WriteAtomic's temporary files.
func killOnce(t *testing.T, writer, path string, maxDelay time.Duration, rng *rand.Rand, st *killStats) error {
	cur, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	last, ok := complete(cur)
	if !ok {
		return fmt.Errorf("%s is not a complete version before the writer starts", path)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childPath+"="+path, childSeq+"="+strconv.FormatUint(last+1, 10), childWriter+"="+writer)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || sc.Text() != "ready" {
		cmd.Process.Kill()
		cmd.Wait()
		return fmt.Errorf("writer did not start: %q %s", sc.Text(), stderr.Bytes())
	}
	time.Sleep(time.Duration(rng.Int64N(int64(maxDelay))))
	cmd.Process.Signal(syscall.SIGKILL)
	committed := last
	n := 0
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			committed, err = strconv.ParseUint(s, 10, 64)
			if err != nil {
				return fmt.Errorf("writer said %q", sc.Text())
			}
			n++
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		return fmt.Errorf("writer ended by itself, not by SIGKILL: %v %s", err, stderr.Bytes())
	}

	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("after the kill: %w", err)
	}
	seq, ok := complete(data)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.written += n
	switch {
	case !ok:
		st.torn++
		return fmt.Errorf("after the kill %s is torn: %d bytes, not a complete version (last written: %d)", path, len(data), committed)
	case seq == committed:
		st.old++
	case seq == committed+1:
		st.new++
	default:
		return fmt.Errorf("after the kill %s holds version %d; the writer had written %d, so want %d or %d", path, seq, committed, committed, committed+1)
	}

	// Leftovers: only WriteAtomic's own temporary files (".NAME.tmp-DIGITS",
	// hidden, next to NAME), at most the one the killed writer had open. A
	// killed writer cannot remove its temporary file and a later write does
	// not look for stale ones: they stay until someone deletes them. They
	// never hold a file under its real name, so no reader mistakes them for
	// the output. The test removes them to count each kill's own.
	tempName := regexp.MustCompile(`^\.` + regexp.QuoteMeta(filepath.Base(path)) + `\.tmp-[0-9]+$`)
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return err
	}
	temps := 0
	for _, e := range ents {
		switch {
		case e.Name() == filepath.Base(path):
		case tempName.MatchString(e.Name()):
			temps++
			os.Remove(filepath.Join(filepath.Dir(path), e.Name()))
		default:
			return fmt.Errorf("after the kill, unexpected file %s next to %s", e.Name(), path)
		}
	}
	if writer == "atomic" && temps > 1 {
		return fmt.Errorf("after one kill, %d temporary files; a writer has at most one open", temps)
	}
	st.temps += temps
	st.maxTempsAfterOneKill = max(st.maxTempsAfterOneKill, temps)
	return nil
}

// calibrate measures how long the writer takes per version on this
// machine, so the kills spread over a few whole write cycles.
func calibrate(t *testing.T, writer, path string) time.Duration {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childPath+"="+path, childSeq+"=1", childWriter+"="+writer)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	const cycles = 10
	var start time.Time
	for i := 0; i <= cycles && sc.Scan(); i++ {
		if i == 0 {
			start = time.Now() // "ready"
		}
	}
	return time.Since(start) / cycles
}

func runKills(t *testing.T, writer string, kills int) *killStats {
	workers := 2
	dirs := make([]string, workers)
	for i := range dirs {
		dirs[i] = t.TempDir()
		if err := WriteAtomic(filepath.Join(dirs[i], "out.psbt"), content(1), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cycle := calibrate(t, writer, filepath.Join(dirs[0], "out.psbt"))
	maxDelay := min(max(3*cycle, time.Millisecond), 100*time.Millisecond)
	// The calibration writer was killed too: remove its temporary file so
	// the first kill's count is its own.
	tmps, _ := filepath.Glob(filepath.Join(dirs[0], ".out.psbt.tmp-*"))
	for _, f := range tmps {
		os.Remove(f)
	}
	st := &killStats{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
			path := filepath.Join(dirs[w], "out.psbt")
			for i := w; i < kills; i += workers {
				if err := killOnce(t, writer, path, maxDelay, rng, st); err != nil {
					errs <- fmt.Errorf("kill %d: %w", i+1, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%s writer, %d kills (delays up to %v; one write cycle ≈ %v): old version %d, new version %d, torn %d; %d versions written in all; %d temporary files left behind (at most %d per kill)",
		writer, kills, maxDelay, cycle, st.old, st.new, st.torn, st.written, st.temps, st.maxTempsAfterOneKill)
	return st
}

// TestWriteAtomicSurvivesKill is the proof behind "a pulled USB stick or
// a killed process never leaves half a file": a writer rewriting a 1 MiB
// file in a loop is killed with SIGKILL at a random moment 1,000 times
// (100 with -short, 20 with -race), and every time the file is exactly the last version
// it finished or the one it was renaming into place, never a mix or a
// prefix. Killing the process tests what rename gives us; surviving power
// loss also rests on the fsyncs, which a kill cannot test.
func TestWriteAtomicSurvivesKill(t *testing.T) {
	kills := 1000
	switch {
	case raceEnabled:
		// Every kill starts an instrumented writer; the detector only
		// watches the two workers' shared counters here.
		kills = 20
	case testing.Short():
		kills = 100
	}
	runKills(t, "atomic", kills)
}

// TestKillTestCatchesNaiveWriter shows that the kill test can fail: the
// same kills against os.WriteFile (truncate, then write in place) leave a
// torn file.
func TestKillTestCatchesNaiveWriter(t *testing.T) {
	st := &killStats{}
	dir := t.TempDir()
	path := filepath.Join(dir, "out.psbt")
	if err := os.WriteFile(path, content(1), 0o600); err != nil {
		t.Fatal(err)
	}
	cycle := calibrate(t, "naive", path)
	if _, ok := complete(mustRead(t, path)); !ok {
		st.torn++ // the calibration kill already tore it
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	tries := 0
	for i := 0; i < 200 && st.torn == 0; i++ {
		tries++
		os.WriteFile(path, content(1), 0o600)
		if err := killOnce(t, "naive", path, max(3*cycle, time.Millisecond), rng, st); err == nil {
			continue
		}
		if st.torn == 0 {
			t.Fatalf("kill %d failed for another reason than a torn file", i+1)
		}
	}
	if st.torn == 0 {
		t.Fatalf("200 kills of a writer that truncates in place never left a torn file: the kill test cannot see what it is meant to catch (write cycle ≈ %v)", cycle)
	}
	t.Logf("os.WriteFile left a torn file after %d kill(s)", tries)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
