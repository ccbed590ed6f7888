// Command bench prints the benchmark table of `make bench`: every figure
// is a median over the same rounds of one run, and every ratio compares
// figures measured side by side in that run, so a busy machine slows both
// sides of a ratio alike.
//
//	go run ./cmd/internal/bench -offline bin/airsign-offline [-rounds 5] [-dir .cache/bench]
//
// It writes its inputs into -dir: sign1000.psbt (1,000 P2WPKH inputs, each
// with its full previous transaction and BIP32 derivation, one external
// output), small.psbt (2 inputs) and the mnemonic (the BIP39 test mnemonic
// "abandon ×11 about", BIP84 on regtest: m/84'/1'/0'/0/i). Then, each round:
//
//   - airsign in-process: psbt.Decode, psbt.Sign (analysis, policy, sign,
//     verify each signature against the coin's key), Encode;
//   - Electrum (Debian's python3-electrum) through its Python API on the
//     same PSBT and key (scripts/bench-electrum.py), timed inside Python,
//     and the whole Python process;
//   - 1,000 raw btcec ECDSA signatures over fixed hashes;
//   - `airsign-offline sign` on the same PSBT, the whole command;
//   - `airsign-offline inspect small.psbt` and `airsign-offline --version`
//     (startup), 10 each.
//
// Then, for 1,000-input P2WPKH, P2TR and 2-of-3 P2WSH PSBTs (plain.go),
// airsign against a plain btcd signer of the same PSBT, in this process
// (wall and CPU time) and as whole processes (plus peak resident memory).
//
// Both signed PSBTs are finalized and every input checked with btcd's
// script engine (psbt.Extract), so the table compares equal work done right.
// This is a developer tool, not part of the product.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// testMnemonic is the BIP39 test vector everyone's tooling knows (master
// fingerprint 73c5da0a); it guards nothing.
const testMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

var net = &chaincfg.RegressionNetParams

func main() {
	dir := flag.String("dir", ".cache/bench", "directory for the generated PSBTs and outputs")
	offlineBin := flag.String("offline", "bin/airsign-offline", "airsign-offline binary for the whole-command and startup figures")
	python := flag.String("python", "/usr/bin/python3", "Python with Debian's python3-electrum")
	electrumScript := flag.String("electrum-script", "scripts/bench-electrum.py", "the Electrum signing script")
	rounds := flag.Int("rounds", 5, "rounds; each figure is the median over them")
	inputs := flag.Int("inputs", 1000, "inputs of the big PSBT")
	plainIn := flag.String("plain-sign", "", "internal: sign this PSBT file with the plain btcd signer and exit (the whole-process baseline)")
	plainOut := flag.String("plain-out", "", "internal: where -plain-sign writes the signed PSBT")
	plainCheck := flag.Bool("plain-check", false, "internal: -plain-sign verifies each ECDSA signature with btcec")
	flag.Parse()
	if *plainIn != "" {
		if err := plainSignFile(*plainIn, *plainOut, *plainCheck); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*dir, *offlineBin, *python, *electrumScript, *rounds, *inputs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type figures map[string][]time.Duration

func (f figures) add(name string, d time.Duration) { f[name] = append(f[name], d) }

func (f figures) median(name string) time.Duration {
	d := slices.Clone(f[name])
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

func run(dir, offlineBin, python, electrumScript string, rounds, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	master, err := masterKey()
	if err != nil {
		return err
	}
	big, err := Generate(master, n)
	if err != nil {
		return err
	}
	small, err := Generate(master, 2)
	if err != nil {
		return err
	}
	bigPath, smallPath := filepath.Join(dir, fmt.Sprintf("sign%d.psbt", n)), filepath.Join(dir, "small.psbt")
	mnemonicPath := filepath.Join(dir, "mnemonic.txt")
	for path, data := range map[string][]byte{bigPath: big, smallPath: small, mnemonicPath: []byte(testMnemonic + "\n")} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return err
		}
	}
	p, err := psbt.Decode(big)
	if err != nil {
		return err
	}
	digest := psbt.Digest(p)

	haveElectrum := exec.Command(python, "-c", "import electrum").Run() == nil
	if !haveElectrum {
		fmt.Fprintf(os.Stderr, "bench: %s cannot import electrum (apt-get install python3-electrum); its rows are left out\n", python)
	}
	haveOffline := true
	if _, err := os.Stat(offlineBin); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v (make build); the whole-command and startup rows are left out\n", err)
		haveOffline = false
	}

	kindPSBTs := map[string][]byte{}
	for _, kind := range kinds {
		raw, err := GenerateKind(kind, master, n)
		if err != nil {
			return fmt.Errorf("generating the %s PSBT: %w", kind, err)
		}
		kindPSBTs[kind] = raw
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("sign%d-%s.psbt", n, kind)), raw, 0o600); err != nil {
			return err
		}
	}

	hashes, keys := rawInputs(n)
	fig := figures{}
	mem := map[string][]int64{}
	var electrumVersion string
	var airsignSigned, electrumSigned, commandSigned []byte
	for r := 0; r < rounds; r++ {
		fmt.Fprintf(os.Stderr, "bench: round %d/%d\n", r+1, rounds)

		t0 := time.Now()
		out, signed, err := signInProcess(big, master)
		fig.add("airsign", time.Since(t0))
		if err != nil {
			return fmt.Errorf("airsign in-process: %w", err)
		}
		if signed != n {
			return fmt.Errorf("airsign signed %d of %d inputs", signed, n)
		}
		airsignSigned = out

		t0 = time.Now()
		sigBytes := rawSign(hashes, keys)
		fig.add("raw", time.Since(t0))
		if sigBytes < 8*n {
			return fmt.Errorf("raw signing made %d bytes of signatures for %d hashes", sigBytes, n)
		}

		if err := compareSigners(fig, mem, kindPSBTs, master, dir, offlineBin, haveOffline, n); err != nil {
			return err
		}

		if haveElectrum {
			outPath := filepath.Join(dir, "electrum-signed.psbt")
			t0 = time.Now()
			res, err := runElectrum(python, electrumScript, bigPath, mnemonicPath, outPath)
			fig.add("electrum-process", time.Since(t0))
			if err != nil {
				return fmt.Errorf("electrum: %w", err)
			}
			if res.Signed != n || res.Inputs != n || len(res.Runs) != 1 {
				return fmt.Errorf("electrum signed %d of %d inputs", res.Signed, res.Inputs)
			}
			fig.add("electrum", time.Duration(res.Runs[0]*float64(time.Second)))
			electrumVersion = res.Version
			if electrumSigned, err = os.ReadFile(outPath); err != nil {
				return err
			}
		}

		if haveOffline {
			outPath := filepath.Join(dir, "airsign-signed.psbt")
			os.Remove(outPath)
			t0 = time.Now()
			err := runQuiet(offlineBin, "--network", "regtest", "sign", bigPath, "--mnemonic-file", mnemonicPath,
				"--confirm", digest, "--allow-online", "--log", filepath.Join(dir, "signing.jsonl"), "--out", outPath)
			fig.add("airsign-sign-cmd", time.Since(t0))
			if err != nil {
				return fmt.Errorf("airsign-offline sign: %w", err)
			}
			if commandSigned, err = os.ReadFile(outPath); err != nil {
				return err
			}
			for i := 0; i < 10; i++ {
				t0 = time.Now()
				if err := runQuiet(offlineBin, "--network", "regtest", "inspect", smallPath); err != nil {
					return fmt.Errorf("airsign-offline inspect: %w", err)
				}
				fig.add("inspect", time.Since(t0))
				t0 = time.Now()
				if err := runQuiet(offlineBin, "--version"); err != nil {
					return fmt.Errorf("airsign-offline --version: %w", err)
				}
				fig.add("version", time.Since(t0))
			}
		}
	}

	// Equal work, done right: every input of both results passes btcd's
	// script engine.
	if err := checkSigned("airsign", airsignSigned, n); err != nil {
		return err
	}
	if haveElectrum {
		if err := checkSigned("Electrum", electrumSigned, n); err != nil {
			return err
		}
	}
	if haveOffline {
		if err := checkSigned("airsign-offline sign", commandSigned, n); err != nil {
			return err
		}
	}

	printTable(os.Stdout, fig, rounds, n, electrumVersion, haveElectrum, haveOffline)
	printSigners(os.Stdout, fig, mem, n, haveOffline)
	return nil
}

func masterKey() (*hdkeychain.ExtendedKey, error) {
	seed, err := bip39.Seed([]byte(testMnemonic), nil)
	if err != nil {
		return nil, err
	}
	return hdkeychain.NewMaster(seed, net)
}

func derive(k *hdkeychain.ExtendedKey, path ...uint32) (*hdkeychain.ExtendedKey, error) {
	for _, i := range path {
		var err error
		if k, err = k.Derive(i); err != nil {
			return nil, err
		}
	}
	return k, nil
}

const hardened = hdkeychain.HardenedKeyStart

// Generate builds an unsigned PSBT spending n P2WPKH coins of master at
// m/84'/1'/0'/0/i, 100,000 sat each, each from its own previous
// transaction, to one external P2WPKH output at 2 sat/vB.
func Generate(master *hdkeychain.ExtendedKey, n int) ([]byte, error) {
	fp, err := psbt.MasterFingerprint(master)
	if err != nil {
		return nil, err
	}
	account, err := derive(master, 84+hardened, 1+hardened, 0+hardened)
	if err != nil {
		return nil, err
	}
	external, err := derive(master, 84+hardened, 1+hardened, 1+hardened, 0, 0)
	if err != nil {
		return nil, err
	}
	const value = 100_000
	ins := make([]psbt.InputSpec, n)
	for i := range ins {
		k, err := derive(account, 0, uint32(i))
		if err != nil {
			return nil, err
		}
		pub, err := k.ECPubKey()
		if err != nil {
			return nil, err
		}
		script, err := p2wpkh(pub)
		if err != nil {
			return nil, err
		}
		prev := wire.NewMsgTx(2)
		// A made-up funding outpoint, different for every coin.
		seed := sha256.Sum256(fmt.Appendf(nil, "airsign bench funding %d", i))
		prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint((*chainhash.Hash)(&seed), 0), nil, nil))
		prev.AddTxOut(wire.NewTxOut(value, script))
		ins[i] = psbt.InputSpec{
			PrevTx:   prev,
			Vout:     0,
			Sequence: wire.MaxTxInSequenceNum - 2,
			Keys: []psbt.KeyOrigin{{
				PubKey:      pub.SerializeCompressed(),
				Fingerprint: fp,
				Path:        []uint32{84 + hardened, 1 + hardened, 0 + hardened, 0, uint32(i)},
			}},
		}
	}
	extPub, err := external.ECPubKey()
	if err != nil {
		return nil, err
	}
	extScript, err := p2wpkh(extPub)
	if err != nil {
		return nil, err
	}
	vsize := int64(11 + 31 + 68*n)
	outs := []psbt.OutputSpec{{PkScript: extScript, Amount: int64(n)*value - 2*vsize}}
	p, err := psbt.Build(2, 0, ins, outs)
	if err != nil {
		return nil, err
	}
	return p.Encode()
}

func p2wpkh(pub *btcec.PublicKey) ([]byte, error) {
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), net)
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}

// signInProcess is what the in-process figure times: decode, sign (with
// airsign's analysis, policy and script-engine check), encode.
func signInProcess(raw []byte, master *hdkeychain.ExtendedKey) ([]byte, int, error) {
	p, err := psbt.Decode(raw)
	if err != nil {
		return nil, 0, err
	}
	res, err := psbt.Sign(p, master, psbt.WithNetwork(net))
	if err != nil {
		return nil, 0, err
	}
	out, err := p.Encode()
	return out, len(res.Signed), err
}

// rawInputs are n private keys and n message hashes for the raw figure:
// the signatures alone, with no derivation, sighash or encoding.
func rawInputs(n int) ([][]byte, []*btcec.PrivateKey) {
	hashes := make([][]byte, n)
	keys := make([]*btcec.PrivateKey, n)
	for i := range hashes {
		h := sha256.Sum256(fmt.Appendf(nil, "hash %d", i))
		k := sha256.Sum256(fmt.Appendf(nil, "key %d", i))
		hashes[i] = h[:]
		keys[i], _ = btcec.PrivKeyFromBytes(k[:])
	}
	return hashes, keys
}

// rawSign signs every hash and returns the total length of the DER
// signatures, so the work cannot be optimized away.
func rawSign(hashes [][]byte, keys []*btcec.PrivateKey) int {
	n := 0
	for i := range hashes {
		n += len(ecdsa.Sign(keys[i], hashes[i]).Serialize())
	}
	return n
}

type electrumResult struct {
	Version string    `json:"electrum"`
	Runs    []float64 `json:"runs_s"`
	Signed  int       `json:"signed"`
	Inputs  int       `json:"inputs"`
}

func runElectrum(python, script, psbtPath, mnemonicPath, outPath string) (*electrumResult, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(python, script, psbtPath, mnemonicPath, outPath, "1")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr.Bytes())
	}
	var res electrumResult
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("reading its result %q: %w", out, err)
	}
	return &res, nil
}

func runQuiet(bin string, args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "AIRSIGN_ALLOW_ONLINE=1")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %s", err, stderr.Bytes())
	}
	return nil
}

// checkSigned finalizes a signed PSBT and runs every input through btcd's
// script engine (psbt.Extract does).
func checkSigned(who string, raw []byte, n int) error {
	if raw == nil {
		return fmt.Errorf("%s produced no signed PSBT", who)
	}
	p, err := psbt.Decode(raw)
	if err != nil {
		return fmt.Errorf("%s's signed PSBT: %w", who, err)
	}
	if err := psbt.Finalize(p); err != nil {
		return fmt.Errorf("%s's signed PSBT: %w", who, err)
	}
	tx, err := psbt.Extract(p)
	if err != nil {
		return fmt.Errorf("%s's signed PSBT: %w", who, err)
	}
	if len(tx.TxIn) != n {
		return errors.New(who + "'s transaction lost inputs")
	}
	return nil
}

func printTable(w io.Writer, fig figures, rounds, n int, electrumVersion string, haveElectrum, haveOffline bool) {
	ms := func(d time.Duration) string {
		switch {
		case d >= 10*time.Second:
			return fmt.Sprintf("%.1f s", d.Seconds())
		case d >= time.Second:
			return fmt.Sprintf("%.2f s", d.Seconds())
		case d >= 10*time.Millisecond:
			return fmt.Sprintf("%.0f ms", float64(d)/1e6)
		}
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	ratio := func(a, b string) string {
		if fig.median(b) == 0 {
			return ""
		}
		return fmt.Sprintf("%.2f×", float64(fig.median(a))/float64(fig.median(b)))
	}
	row := func(label, name, r string) {
		fmt.Fprintf(w, "  %-48s %10s   %s\n", label, ms(fig.median(name)), r)
	}
	fmt.Fprintf(w, "airsign benchmarks: %s %s/%s, %d CPUs; medians of %d rounds, all measured in this run\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), rounds)
	fmt.Fprintf(w, "Sign a %s-input P2WPKH PSBT, in-process (decode, sign, encode; key derived once)\n", thousands(n))
	fmt.Fprintf(w, "  %-48s %10s   %s\n", "", "median", "ratio")
	row("airsign (psbt.Decode/Sign/Encode)", "airsign", "1.00 (reference)")
	if haveElectrum {
		row("Electrum "+electrumVersion+" (Python API, timed in Python)", "electrum", ratio("electrum", "airsign")+" airsign")
	}
	row(thousands(n)+" raw btcec ECDSA signatures", "raw", ratio("raw", "airsign")+" airsign (airsign = "+ratio("airsign", "raw")+" raw)")
	if haveOffline || haveElectrum {
		fmt.Fprintf(w, "\nThe same, whole processes (start, read mnemonic, derive, sign, write)\n")
		if haveOffline {
			row("airsign-offline sign (whole command)", "airsign-sign-cmd", "1.00 (reference)")
		}
		if haveElectrum {
			r := ""
			if haveOffline {
				r = ratio("electrum-process", "airsign-sign-cmd") + " airsign-offline sign"
			}
			row("python3 bench-electrum.py (whole process)", "electrum-process", r)
		}
	}
	if haveOffline {
		fmt.Fprintf(w, "\nStartup (%d runs each)\n", len(fig["inspect"]))
		row("airsign-offline inspect small.psbt (2 inputs)", "inspect", "1.00 (reference)")
		row("airsign-offline --version", "version", ratio("version", "inspect")+" inspect")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every signed PSBT above was finalized and each input verified with btcd's script engine.")
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
