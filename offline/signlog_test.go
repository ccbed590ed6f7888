package offline

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/ceremony/chainlog"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// p1 is the regtest PSBT of cmd/airsign-offline/testdata/script/sign.txtar:
// 0.5 BTC out of a coin of the "abandon … about" key, change to 1/0.
const p1 = "cHNidP8BAHECAAAAAS0ntwoeWhWRAfdWbGcnRgxnf0yVQTsbhhmOHsP0v8QLAAAAAAD9////AoDR8AgAAAAAFgAU0MSj7wnpl7bpnjl+UY/j5BoRjKG/HRUhAQAAABYAFC80qhzwClOwVaKRoDp9RfCmmItSbgAAAAABAGgBAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/////xZZCCFTcgiG8V1fCy9QMlNIL2J0Y2Qv/////wEA8gUqAQAAABYAFNDEo+8J6Ze26Z45flGP4+QaEYyhAAAAAAEBHwDyBSoBAAAAFgAU0MSj7wnpl7bpnjl+UY/j5BoRjKEiBgLnqyU3tdSelwMJquBunknzbOHJ/rvUTsjg0cygtPnDGRhzxdoKVAAAgAEAAIAAAACAAAAAAAAAAAAAACICA11J7M1U0AmeQ2did8em1GJdYR2oil30m/lReneRp3elGHPF2gpUAACAAQAAgAAAAIABAAAAAAAAAAA="

// signLogFixture is a directory with the mnemonic, the PSBT and a signing
// log, and a sign that returns what it said on stderr.
type signLogFixture struct {
	dir, log string
	n        int
}

func newSignLogFixture(t *testing.T) *signLogFixture {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mnemonic.txt"), []byte(mnemonicA+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "p1.b64"), []byte(p1+"\n"), 0o644)
	return &signLogFixture{dir: dir, log: filepath.Join(dir, "signing.jsonl")}
}

func (f *signLogFixture) sign(t *testing.T, logHead string) (string, error) {
	t.Helper()
	f.n++
	var errOut bytes.Buffer
	env := &Env{Stdout: &bytes.Buffer{}, Stderr: &errOut, Net: regtest}
	err := Sign(context.Background(), env, SignOptions{
		Sources: []string{filepath.Join(f.dir, "p1.b64")}, Out: filepath.Join(f.dir, fmt.Sprintf("s%d.psbt", f.n)),
		Key: KeySource{MnemonicFile: filepath.Join(f.dir, "mnemonic.txt")}, Confirm: "isol demi expr pipe",
		Policy: psbt.DefaultPolicy(), AllowOnline: true, LogPath: f.log, LogHead: logHead,
	})
	return errOut.String(), err
}

// shownHead is the head words sign told the operator to write down.
func shownHead(t *testing.T, said string) string {
	t.Helper()
	_, rest, ok := strings.Cut(said, "Write its head on the signing sheet:\n  ")
	if !ok {
		t.Fatalf("sign showed no head:\n%s", said)
	}
	words, _, _ := strings.Cut(rest, "\n")
	return words
}

func verifyLog(path, head string) error {
	return VerifyLog(&Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}, path, head)
}

// TestSigningLogTamperDetected: after two signatures (heads written on the
// sheet), a truncation, a rewrite and a deletion of the log are each found
// by verify-log --head and by the next sign, which signs nothing.
func TestSigningLogTamperDetected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, path string)
		// withHead: the next sign is given the sheet's head (a rewrite is
		// found by the MAC even without it).
		withHead bool
		want     string
	}{
		{"truncation", func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			ls := bytes.SplitAfter(data, []byte("\n"))
			os.WriteFile(path, bytes.Join(ls[:len(ls)-2], nil), 0o600)
		}, true, "does not hold the head"},
		{"rewrite", func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			os.WriteFile(path, rechainLog(t, bytes.Replace(data, []byte(`"fee_sat":"705"`), []byte(`"fee_sat":"7"`), -1)), 0o600)
		}, false, "fails its check with this key"},
		{"deletion", func(t *testing.T, path string) { os.Remove(path) }, true, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSignLogFixture(t)
			if _, err := f.sign(t, ""); err != nil {
				t.Fatal(err)
			}
			said, err := f.sign(t, "")
			if err != nil {
				t.Fatal(err)
			}
			head := shownHead(t, said)
			if err := verifyLog(f.log, head); err != nil {
				t.Fatalf("the intact log fails verify-log --head: %v", err)
			}
			tc.tamper(t, f.log)
			if err := verifyLog(f.log, head); err == nil {
				t.Fatal("verify-log --head accepted the tampered log")
			}
			sheet := ""
			if tc.withHead {
				sheet = head
			}
			_, err = f.sign(t, sheet)
			if err == nil || !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("next sign: %v; want a refusal saying %q", err, tc.want)
			}
			if _, serr := os.Stat(filepath.Join(f.dir, fmt.Sprintf("s%d.psbt", f.n))); serr == nil {
				t.Fatal("the refused sign wrote a signed PSBT")
			}
		})
	}
}

// TestSigningLogHeadOnTheSheet: the next sign accepts the head from the
// sheet, also when refusals were logged after it.
func TestSigningLogHeadOnTheSheet(t *testing.T) {
	f := newSignLogFixture(t)
	said, err := f.sign(t, "")
	if err != nil {
		t.Fatal(err)
	}
	head := shownHead(t, said)
	if _, err := f.sign(t, head); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sign(t, head); err != nil {
		t.Fatalf("a head followed by later records was refused: %v", err)
	}
	sum, err := chainlog.Verify(mustOpen(t, f.log), chainlog.Options{})
	if err != nil || sum.Records != 3 {
		t.Fatalf("%d records, %v", sum.Records, err)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// rechainLog recomputes every prev of an edited log, as someone who
// rewrites it without the key would, so that its chain verifies again.
func rechainLog(t *testing.T, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	head := chainlog.GenesisHead()
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		line = []byte(strings.Replace(string(line), `"prev":"`+prevOf(line)+`"`, `"prev":"`+head.Hex()+`"`, 1))
		out.Write(append(line, '\n'))
		sum, err := chainlog.Verify(bytes.NewReader(out.Bytes()), chainlog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		head = sum.Head
	}
	return out.Bytes()
}

func prevOf(line []byte) string {
	_, rest, _ := strings.Cut(string(line), `"prev":"`)
	return rest[:64]
}

// TestSignErrorsAreLoggedRefusals: what psbt.Sign itself will not do — here
// an input naming our fingerprint and path with a key that is not ours
// there, which the analysis cannot see without the key — is a refusal
// (exit 3) with a record, not an unlogged exit 1.
func TestSignErrorsAreLoggedRefusals(t *testing.T) {
	f := newSignLogFixture(t)
	a := keyOfMnemonic(t, mnemonicA)
	x := keyOfMnemonic(t, mnemonicX)
	d, err := x.Descriptor(descriptor.WPKH, 0, regtest)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := d.Derive(0, 0)
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{9}, 0), nil, nil))
	prev.AddTxOut(wire.NewTxOut(10_000_000, der.Script))
	keys := origins(der)
	keys[0].Fingerprint = a.Fingerprint // our fingerprint, someone else's key
	p, err := psbt.Build(2, 0, []psbt.InputSpec{{PrevTx: prev, Sequence: 0xfffffffd, Keys: keys}}, []psbt.OutputSpec{{PkScript: der.Script, Amount: 9_990_000}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := p.Encode()
	os.WriteFile(filepath.Join(f.dir, "p1.b64"), []byte(base64.StdEncoding.EncodeToString(raw)), 0o644)
	var errOut bytes.Buffer
	env := &Env{Stdout: &bytes.Buffer{}, Stderr: &errOut, Net: regtest}
	err = Sign(context.Background(), env, SignOptions{
		Sources: []string{filepath.Join(f.dir, "p1.b64")}, Out: filepath.Join(f.dir, "s.psbt"),
		Key: KeySource{MnemonicFile: filepath.Join(f.dir, "mnemonic.txt")}, Confirm: psbt.Digest(p),
		Policy: psbt.DefaultPolicy(), AllowOnline: true, LogPath: f.log,
	})
	if !errors.Is(err, ErrRefused) || strings.Count(err.Error(), "refused") != 1 {
		t.Fatalf("sign: %v; want one refusal", err)
	}
	data, _ := os.ReadFile(f.log)
	if !bytes.Contains(data, []byte(`"event":"refused"`)) || !bytes.Contains(data, []byte(`"reason":"sign-refused"`)) {
		t.Fatalf("no refusal record:\n%s", data)
	}
}
