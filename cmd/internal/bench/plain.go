package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// The signing comparison of issue 18: airsign's psbt.Sign against a plain
// btcd signer of the same PSBT, for three kinds of 1,000-input PSBT.

// kinds are the PSBTs of the comparison: single-key P2WPKH (BIP84) and
// P2TR key path (BIP86), and a 2-of-3 P2WSH sortedmulti (BIP48) of which
// the test key is one cosigner.
var kinds = []string{"wpkh", "tr", "wsh"}

// cosigners are the masters of the 2-of-3: the test key first, then two
// fixed others (their seeds guard nothing).
func cosigners(master *hdkeychain.ExtendedKey) ([]*hdkeychain.ExtendedKey, error) {
	out := []*hdkeychain.ExtendedKey{master}
	for _, b := range []byte{2, 3} {
		m, err := hdkeychain.NewMaster(bytes.Repeat([]byte{b}, 32), net)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// GenerateKind builds an unsigned PSBT of n coins of kind ("wpkh", "tr" or
// "wsh"), 100,000 sat each from its own previous transaction, paying one
// external output at about 2 sat/vB. wpkh is Generate's PSBT.
func GenerateKind(kind string, master *hdkeychain.ExtendedKey, n int) ([]byte, error) {
	var d *descriptor.Descriptor
	var err error
	switch kind {
	case "wpkh":
		return Generate(master, n)
	case "tr":
		d, err = descriptor.New(descriptor.TR, master, 0, net)
	case "wsh":
		var ms []*hdkeychain.ExtendedKey
		if ms, err = cosigners(master); err != nil {
			return nil, err
		}
		var keys []descriptor.Key
		for _, m := range ms {
			k, err := descriptor.AccountKey(descriptor.WSHSortedMulti, m, 0, net)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
		d, err = descriptor.NewSortedMulti(descriptor.WSHSortedMulti, 2, keys, net)
	default:
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	if err != nil {
		return nil, err
	}
	const value = 100_000
	ins := make([]psbt.InputSpec, n)
	for i := range ins {
		der, err := d.Derive(0, uint32(i))
		if err != nil {
			return nil, err
		}
		prev := wire.NewMsgTx(2)
		seed := sha256.Sum256(fmt.Appendf(nil, "airsign bench %s funding %d", kind, i))
		prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint((*chainhash.Hash)(&seed), 0), nil, nil))
		prev.AddTxOut(wire.NewTxOut(value, der.Script))
		var keys []psbt.KeyOrigin
		for _, k := range der.Keys {
			keys = append(keys, psbt.KeyOrigin{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path})
		}
		ins[i] = psbt.InputSpec{PrevTx: prev, Sequence: wire.MaxTxInSequenceNum - 2, Keys: keys,
			WitnessScript: der.WitnessScript, Taproot: kind == "tr"}
	}
	ext, err := d.Derive(0, uint32(n)) // an address nobody spends from here
	if err != nil {
		return nil, err
	}
	vsize := int64(11 + 43 + 105*n) // generous for the 2-of-3
	p, err := psbt.Build(2, 0, ins, []psbt.OutputSpec{{PkScript: ext.Script, Amount: int64(n)*value - 2*vsize}})
	if err != nil {
		return nil, err
	}
	return p.Encode()
}

// plainSign is the baseline: what any btcd-based signer must do and
// nothing more. Decode, derive each key (each parent once), compute the
// sighash midstates once, sign every input whose derivation is ours,
// encode. No analysis, no policy, no checks of scripts or signatures, one
// core. (btcd's schnorr.Sign verifies each Schnorr signature itself, BIP340
// step 14, so the taproot baseline does include a check.)
func plainSign(raw []byte, master *hdkeychain.ExtendedKey) ([]byte, int, error) {
	return plainSigner(raw, master, false)
}

// plainChecked is plainSign plus a btcec verification of every ECDSA
// signature against its sighash and key: the least a signer that checks
// what it signs can do, so the floor under airsign's figure. (A btcec
// ECDSA verification costs about three and a half signatures.)
func plainChecked(raw []byte, master *hdkeychain.ExtendedKey) ([]byte, int, error) {
	return plainSigner(raw, master, true)
}

func plainSigner(raw []byte, master *hdkeychain.ExtendedKey, check bool) ([]byte, int, error) {
	p, err := btcpsbt.NewFromRawBytes(bytes.NewReader(raw), false)
	if err != nil {
		return nil, 0, err
	}
	fp, err := psbt.MasterFingerprint(master)
	if err != nil {
		return nil, 0, err
	}
	prevOuts := map[wire.OutPoint]*wire.TxOut{}
	for i, in := range p.UnsignedTx.TxIn {
		prevOuts[in.PreviousOutPoint] = p.Inputs[i].WitnessUtxo
	}
	sigHashes := txscript.NewTxSigHashes(p.UnsignedTx, txscript.NewMultiPrevOutFetcher(prevOuts))
	parents := map[string]*hdkeychain.ExtendedKey{}
	derive := func(path []uint32) (*btcec.PrivateKey, error) {
		id := fmt.Sprint(path[:len(path)-1])
		parent, ok := parents[id]
		if !ok {
			parent = master
			for _, s := range path[:len(path)-1] {
				if parent, err = parent.Derive(s); err != nil {
					return nil, err
				}
			}
			parents[id] = parent
		}
		k, err := parent.Derive(path[len(path)-1])
		if err != nil {
			return nil, err
		}
		return k.ECPrivKey()
	}
	signed := 0
	for i := range p.Inputs {
		in := &p.Inputs[i]
		utxo := in.WitnessUtxo
		for _, d := range in.Bip32Derivation {
			if d.MasterKeyFingerprint != fp {
				continue
			}
			priv, err := derive(d.Bip32Path)
			if err != nil {
				return nil, 0, err
			}
			script := utxo.PkScript
			if len(in.WitnessScript) > 0 {
				script = in.WitnessScript
			}
			sig, err := txscript.RawTxInWitnessSignature(p.UnsignedTx, sigHashes, i, utxo.Value, script, txscript.SigHashAll, priv)
			if err != nil {
				return nil, 0, err
			}
			if check {
				if err := checkECDSA(p.UnsignedTx, sigHashes, i, utxo.Value, script, sig, d.PubKey); err != nil {
					return nil, 0, fmt.Errorf("input %d: %w", i, err)
				}
			}
			in.PartialSigs = append(in.PartialSigs, &btcpsbt.PartialSig{PubKey: d.PubKey, Signature: sig})
			signed++
		}
		for _, d := range in.TaprootBip32Derivation {
			if d.MasterKeyFingerprint != fp {
				continue
			}
			priv, err := derive(d.Bip32Path)
			if err != nil {
				return nil, 0, err
			}
			sig, err := txscript.RawTxInTaprootSignature(p.UnsignedTx, sigHashes, i, utxo.Value, utxo.PkScript, nil, txscript.SigHashDefault, priv)
			if err != nil {
				return nil, 0, err
			}
			in.TaprootKeySpendSig = sig
			signed++
		}
	}
	var out bytes.Buffer
	if err := p.Serialize(&out); err != nil {
		return nil, 0, err
	}
	return out.Bytes(), signed, nil
}

// checkECDSA verifies one signature with btcec against the input's sighash
// and the key, as plainChecked does.
func checkECDSA(tx *wire.MsgTx, sigHashes *txscript.TxSigHashes, i int, value int64, script, sig, pub []byte) error {
	hash, err := txscript.CalcWitnessSigHash(script, sigHashes, txscript.SigHashType(sig[len(sig)-1]), tx, i, value)
	if err != nil {
		return err
	}
	s, err := ecdsa.ParseDERSignature(sig[:len(sig)-1])
	if err != nil {
		return err
	}
	key, err := btcec.ParsePubKey(pub)
	if err != nil {
		return err
	}
	if !s.Verify(hash, key) {
		return errors.New("signature does not verify")
	}
	return nil
}

// cpuTime is the CPU time (user + system, all threads) this process has
// used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn and returns its wall and CPU time.
func measure(fn func() error) (wall, cpu time.Duration, err error) {
	c0, t0 := cpuTime(), time.Now()
	err = fn()
	return time.Since(t0), cpuTime() - c0, err
}

// sameSignatures reports whether two signed PSBTs carry the same
// signatures input by input (both signers are deterministic: RFC 6979 for
// ECDSA, BIP340 with no auxiliary randomness in btcd for Schnorr).
func sameSignatures(a, b []byte) (bool, error) {
	pa, err := btcpsbt.NewFromRawBytes(bytes.NewReader(a), false)
	if err != nil {
		return false, err
	}
	pb, err := btcpsbt.NewFromRawBytes(bytes.NewReader(b), false)
	if err != nil {
		return false, err
	}
	sigs := func(in *btcpsbt.PInput) []byte {
		var s []byte
		for _, ps := range in.PartialSigs {
			s = append(append(s, ps.PubKey...), ps.Signature...)
		}
		return binary.BigEndian.AppendUint32(append(s, in.TaprootKeySpendSig...), uint32(len(in.PartialSigs)))
	}
	for i := range pa.Inputs {
		if !bytes.Equal(sigs(&pa.Inputs[i]), sigs(&pb.Inputs[i])) {
			return false, nil
		}
	}
	return len(pa.Inputs) == len(pb.Inputs), nil
}

// compareSigners is one round of the signing comparison: for each kind,
// airsign and the plain signer in this process (wall and CPU time), then
// as whole processes (airsign-offline sign and this program's -plain-sign,
// wall, CPU and peak resident memory). Both must make the same signatures.
func compareSigners(fig figures, mem map[string][]int64, psbts map[string][]byte, master *hdkeychain.ExtendedKey, dir, offlineBin string, haveOffline bool, n int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for _, kind := range kinds {
		raw := psbts[kind]
		ours, err := timeSigner(fig, "ip-"+kind+"-airsign", n, func() ([]byte, int, error) { return signInProcess(raw, master) })
		if err != nil {
			return fmt.Errorf("airsign, %s: %w", kind, err)
		}
		plain, err := timeSigner(fig, "ip-"+kind+"-plain", n, func() ([]byte, int, error) { return plainSign(raw, master) })
		if err != nil {
			return fmt.Errorf("plain signer, %s: %w", kind, err)
		}
		if _, err := timeSigner(fig, "ip-"+kind+"-checked", n, func() ([]byte, int, error) { return plainChecked(raw, master) }); err != nil {
			return fmt.Errorf("plain signer with checks, %s: %w", kind, err)
		}
		if same, err := sameSignatures(ours, plain); err != nil || !same {
			return fmt.Errorf("%s: airsign and the plain signer made different signatures (%v)", kind, err)
		}
		if !haveOffline {
			continue
		}
		in := filepath.Join(dir, fmt.Sprintf("sign%d-%s.psbt", n, kind))
		p, err := psbt.Decode(raw)
		if err != nil {
			return err
		}
		out := filepath.Join(dir, "signed-"+kind+".psbt")
		os.Remove(out)
		if err := process(fig, mem, "cmd-"+kind+"-airsign", offlineBin, "--network", "regtest", "sign", in,
			"--mnemonic-file", filepath.Join(dir, "mnemonic.txt"), "--confirm", psbt.Digest(p), "--allow-online",
			"--log", filepath.Join(dir, "signing.jsonl"), "--out", out); err != nil {
			return fmt.Errorf("airsign-offline sign, %s: %w", kind, err)
		}
		if err := process(fig, mem, "cmd-"+kind+"-plain", self, "-plain-sign", in, "-plain-out", filepath.Join(dir, "plain-"+kind+".psbt")); err != nil {
			return fmt.Errorf("plain signer process, %s: %w", kind, err)
		}
		if err := process(fig, mem, "cmd-"+kind+"-checked", self, "-plain-sign", in, "-plain-check", "-plain-out", filepath.Join(dir, "checked-"+kind+".psbt")); err != nil {
			return fmt.Errorf("plain signer process with checks, %s: %w", kind, err)
		}
	}
	return nil
}

// timeSigner runs one signer in this process (after a collection, so that
// neither side pays for the other's garbage) and records its wall and CPU
// time under name; it must sign all n inputs.
func timeSigner(fig figures, name string, n int, sign func() ([]byte, int, error)) ([]byte, error) {
	runtime.GC()
	var out []byte
	wall, cpu, err := measure(func() error {
		var signed int
		var err error
		out, signed, err = sign()
		if err == nil && signed != n {
			err = fmt.Errorf("signed %d of %d inputs", signed, n)
		}
		return err
	})
	fig.add(name, wall)
	fig.add(name+"-cpu", cpu)
	return out, err
}

// process runs a whole command and records its wall time, CPU time and
// peak resident memory under name.
func process(fig figures, mem map[string][]int64, name, bin string, args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "AIRSIGN_ALLOW_ONLINE=1")
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %s", err, stderr.Bytes())
	}
	fig.add(name, time.Since(t0))
	fig.add(name+"-cpu", cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		mem[name] = append(mem[name], ru.Maxrss) // KiB on Linux
	}
	return nil
}

// plainSignFile is the -plain-sign mode: the plain signer (with checks if
// check) as a whole process, for the whole-process baseline.
func plainSignFile(in, out string, check bool) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	master, err := masterKey()
	if err != nil {
		return err
	}
	signed, _, err := plainSigner(raw, master, check)
	if err != nil {
		return err
	}
	return os.WriteFile(out, signed, 0o600)
}

func medianKiB(v []int64) int64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// printSigners prints the signing comparison: for each kind, airsign's
// wall and CPU time and their ratio to the plain signer's, in process and
// as whole processes with peak memory.
func printSigners(w io.Writer, fig figures, mem map[string][]int64, n int, haveOffline bool) {
	ratio := func(a, b string) string {
		if fig.median(b) == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f×", float64(fig.median(a))/float64(fig.median(b)))
	}
	ms := func(name string) string { return fmt.Sprintf("%.0f ms", float64(fig.median(name))/1e6) }
	fmt.Fprintf(w, "\nairsign vs a plain btcd signer (derive, one NewTxSigHashes, sign; no checks; one core), %s inputs, %d CPUs\n", thousands(n), runtime.NumCPU())
	fmt.Fprintf(w, "  %-28s %9s %9s %9s %9s %8s %8s %9s %8s\n", "in process", "ours wall", "plain", "ratio", "ours CPU", "plain", "ratio", "+checks", "ratio")
	for _, k := range kinds {
		a, p, c := "ip-"+k+"-airsign", "ip-"+k+"-plain", "ip-"+k+"-checked"
		fmt.Fprintf(w, "  %-28s %9s %9s %9s %9s %8s %8s %9s %8s\n", k, ms(a), ms(p), ratio(a, p), ms(a+"-cpu"), ms(p+"-cpu"), ratio(a+"-cpu", p+"-cpu"), ms(c+"-cpu"), ratio(a+"-cpu", c+"-cpu"))
	}
	fmt.Fprintln(w, "  +checks: CPU of the plain signer plus a btcec verification of each ECDSA signature (btcd's")
	fmt.Fprintln(w, "  schnorr.Sign already verifies each Schnorr one), the floor for a signer that checks what it signs.")
	if !haveOffline {
		return
	}
	fmt.Fprintf(w, "  %-28s %9s %9s %9s %9s %8s %8s %9s %8s %s\n", "whole process", "ours wall", "plain", "ratio", "ours CPU", "plain", "ratio", "+checks", "ratio", "peak RSS ours / plain")
	for _, k := range kinds {
		a, p, c := "cmd-"+k+"-airsign", "cmd-"+k+"-plain", "cmd-"+k+"-checked"
		fmt.Fprintf(w, "  %-28s %9s %9s %9s %9s %8s %8s %9s %8s %.0f / %.0f MiB\n", k, ms(a), ms(p), ratio(a, p), ms(a+"-cpu"), ms(p+"-cpu"), ratio(a+"-cpu", p+"-cpu"),
			ms(c+"-cpu"), ratio(a+"-cpu", c+"-cpu"), float64(medianKiB(mem[a]))/1024, float64(medianKiB(mem[p]))/1024)
	}
	fmt.Fprintln(w, "  ours: the whole of psbt.Sign (analysis, policy, every signature verified against the coin's key);")
	fmt.Fprintln(w, "  the command adds reading the key, its own analysis and the signing log. Both sides make identical signatures.")
}
