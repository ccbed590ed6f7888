// Package scripts holds only tests: they run the shell scripts in this
// directory the way an operator would.
package scripts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// coreutilsPath makes a directory holding only what verify-release.sh may
// use on the offline laptop (a shell, coreutils, sed), so that the tests
// fail if the script ever calls anything else.
func coreutilsPath(t *testing.T, shell string) string {
	t.Helper()
	bin := t.TempDir()
	for _, name := range []string{shell, "sha256sum", "cut", "tr", "uname", "dirname", "sed"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Skipf("%s not installed: %v", name, err)
		}
		if err := os.Symlink(p, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

type release struct {
	dir   string
	files map[string][]byte
}

// newRelease writes a release directory as scripts/release.sh lays it out,
// with SHA256SUMS computed here (not by sha256sum) in its text format.
func newRelease(t *testing.T) *release {
	t.Helper()
	r := &release{dir: t.TempDir(), files: map[string][]byte{}}
	names := []string{"airsign-offline-linux-amd64", "airsign-offline-linux-arm64", "airsign-online-linux-amd64", "airsign-docs.tar.gz"}
	var sums bytes.Buffer
	for i, name := range names {
		data := bytes.Repeat([]byte{byte(i), 0x7f, 'E', 'L', 'F'}, 1000+i)
		r.files[name] = data
		if err := os.WriteFile(filepath.Join(r.dir, name), data, 0o755); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sums, "%s  %s\n", hexSum(data), name)
	}
	r.writeSums(t, sums.Bytes())
	return r
}

func (r *release) writeSums(t *testing.T, b []byte) {
	t.Helper()
	r.files["SHA256SUMS"] = b
	if err := os.WriteFile(filepath.Join(r.dir, "SHA256SUMS"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func hexSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// grouped is how the script prints a hash for reading aloud.
func grouped(h string) string {
	var g []string
	for i := 0; i < len(h); i += 4 {
		g = append(g, h[i:i+4])
	}
	return strings.Join(g, " ")
}

func runVerify(t *testing.T, shell, script string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(coreutilsPath(t, shell), shell), append([]string{script}, args...)...)
	cmd.Env = []string{"PATH=" + filepath.Dir(cmd.Path), "LC_ALL=C"}
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("running %s: %v\n%s", script, err, out)
	return "", -1
}

func script(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("verify-release.sh")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyReleasePasses(t *testing.T) {
	for _, shell := range []string{"sh", "bash"} {
		t.Run(shell, func(t *testing.T) {
			r := newRelease(t)
			out, code := runVerify(t, shell, script(t), r.dir)
			if code != 0 {
				t.Fatalf("exit %d, want 0:\n%s", code, out)
			}
			// What the operator compares by eye: the hash of SHA256SUMS and
			// of every file, in groups of four.
			want := []string{"SHA256SUMS itself:\n    " + grouped(hexSum(r.files["SHA256SUMS"])) + "\n", "PASS: all 4 file(s) match SHA256SUMS."}
			for name, data := range r.files {
				if name != "SHA256SUMS" {
					want = append(want, "OK         "+name+"\n           "+grouped(hexSum(data))+"\n")
				}
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "FAIL") {
				t.Errorf("a passing check prints FAIL:\n%s", out)
			}
		})
	}
}

// TestVerifyReleaseDefaultDir runs the copy of the script that ships in the
// release directory, from elsewhere, with no argument.
func TestVerifyReleaseDefaultDir(t *testing.T) {
	r := newRelease(t)
	data, err := os.ReadFile(script(t))
	if err != nil {
		t.Fatal(err)
	}
	self := filepath.Join(r.dir, "verify-release.sh")
	if err := os.WriteFile(self, data, 0o755); err != nil {
		t.Fatal(err)
	}
	sums := append(r.files["SHA256SUMS"], fmt.Sprintf("%s  verify-release.sh\n", hexSum(data))...)
	r.writeSums(t, sums)
	out, code := runVerify(t, "sh", self)
	if code != 0 || !strings.Contains(out, "PASS: all 5 file(s)") || !strings.Contains(out, "check in "+r.dir+"\n") {
		t.Fatalf("exit %d, want 0 and 5 files checked in %s:\n%s", code, r.dir, out)
	}
}

func TestVerifyReleaseFails(t *testing.T) {
	const bin = "airsign-offline-linux-amd64"
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, r *release)
		args   []string
		code   int
		want   []string
	}{
		{
			name: "tampered binary",
			change: func(t *testing.T, r *release) {
				b := append([]byte(nil), r.files[bin]...)
				b[len(b)/2] ^= 1
				os.WriteFile(filepath.Join(r.dir, bin), b, 0o755)
			},
			code: 1,
			want: []string{"FAILED     " + bin + ": its SHA-256 is not the one in SHA256SUMS", "FAIL: 1 problem(s) above", "OK         airsign-online-linux-amd64"},
		},
		{
			name: "appended bytes",
			change: func(t *testing.T, r *release) {
				f, _ := os.OpenFile(filepath.Join(r.dir, "airsign-docs.tar.gz"), os.O_APPEND|os.O_WRONLY, 0)
				f.Write([]byte{0})
				f.Close()
			},
			code: 1,
			want: []string{"FAILED     airsign-docs.tar.gz", "FAIL: 1 problem(s)"},
		},
		{
			name:   "missing binary",
			change: func(t *testing.T, r *release) { os.Remove(filepath.Join(r.dir, bin)) },
			code:   1,
			want:   []string{"MISSING    " + bin + ": listed in SHA256SUMS but not in ", "FAIL: 1 problem(s)"},
		},
		{
			name:   "missing binary ignored",
			change: func(t *testing.T, r *release) { os.Remove(filepath.Join(r.dir, bin)) },
			args:   []string{"--ignore-missing"},
			code:   0,
			want:   []string{"missing    " + bin + " (ignored: --ignore-missing)", "PASS: 3 file(s) match SHA256SUMS (1 listed file(s) not here, ignored)."},
		},
		{
			name: "missing and tampered with --ignore-missing",
			change: func(t *testing.T, r *release) {
				os.Remove(filepath.Join(r.dir, bin))
				os.WriteFile(filepath.Join(r.dir, "airsign-online-linux-amd64"), []byte("evil"), 0o755)
			},
			args: []string{"--ignore-missing"},
			code: 1,
			want: []string{"FAILED     airsign-online-linux-amd64", "FAIL: 1 problem(s)"},
		},
		{
			name: "nothing present",
			change: func(t *testing.T, r *release) {
				for name := range r.files {
					if name != "SHA256SUMS" {
						os.Remove(filepath.Join(r.dir, name))
					}
				}
			},
			args: []string{"--ignore-missing"},
			code: 1,
			want: []string{"FAIL: SHA256SUMS lists no file that is here"},
		},
		{
			name: "unlisted binary",
			change: func(t *testing.T, r *release) {
				os.WriteFile(filepath.Join(r.dir, "airsign-offline-linux-386"), []byte("x"), 0o755)
			},
			code: 1,
			want: []string{"NOT LISTED airsign-offline-linux-386: in ", "FAIL: 1 problem(s)"},
		},
		{
			name: "hash line tampered",
			change: func(t *testing.T, r *release) {
				r.writeSums(t, bytes.Replace(r.files["SHA256SUMS"], []byte(hexSum(r.files[bin])), []byte(hexSum([]byte("evil"))), 1))
			},
			code: 1,
			want: []string{"FAILED     " + bin, "SHA256SUMS: " + grouped(hexSum([]byte("evil")))},
		},
		{
			name: "malformed line",
			change: func(t *testing.T, r *release) {
				r.writeSums(t, append(r.files["SHA256SUMS"], "deadbeef  airsign-x\n"...))
			},
			code: 1,
			want: []string{"MALFORMED  SHA256SUMS line 5: not \"<64 hex digits>  <file name>\""},
		},
		{
			name: "path in file name",
			change: func(t *testing.T, r *release) {
				r.writeSums(t, append(r.files["SHA256SUMS"], hexSum(nil)+"  ../etc/passwd\n"...))
			},
			code: 1,
			want: []string{"MALFORMED  SHA256SUMS line 5: file name \"../etc/passwd\" is not a plain name"},
		},
		{
			name:   "no SHA256SUMS",
			change: func(t *testing.T, r *release) { os.Remove(filepath.Join(r.dir, "SHA256SUMS")) },
			code:   2,
			want:   []string{"verify-release: no SHA256SUMS in "},
		},
		{
			name: "unknown option",
			args: []string{"--fast"},
			code: 2,
			want: []string{"verify-release: unknown option --fast"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRelease(t)
			if tc.change != nil {
				tc.change(t, r)
			}
			out, code := runVerify(t, "sh", script(t), append(tc.args, r.dir)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if tc.code != 0 && strings.Contains(out, "PASS") {
				t.Errorf("a failing check prints PASS")
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// TestVerifyReleaseAcceptsSha256sumOutput checks the script reads what
// coreutils' own sha256sum writes, in text and binary mode, CRLF line ends
// and a last line without a newline.
func TestVerifyReleaseAcceptsSha256sumOutput(t *testing.T) {
	r := newRelease(t)
	for _, args := range [][]string{{}, {"-b"}} {
		cmd := exec.Command("sha256sum", append(args, "airsign-offline-linux-amd64", "airsign-docs.tar.gz")...)
		cmd.Dir = r.dir
		out, err := cmd.Output()
		if err != nil {
			t.Skipf("sha256sum: %v", err)
		}
		for _, sums := range [][]byte{out, bytes.TrimSuffix(out, []byte("\n")), bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))} {
			r.writeSums(t, sums)
			os.Remove(filepath.Join(r.dir, "airsign-offline-linux-arm64"))
			os.Remove(filepath.Join(r.dir, "airsign-online-linux-amd64"))
			got, code := runVerify(t, "sh", script(t), r.dir)
			if code != 0 || !strings.Contains(got, "PASS: all 2 file(s)") {
				t.Errorf("sha256sum %v, SHA256SUMS %q: exit %d:\n%s", args, sums, code, got)
			}
		}
	}
}
