package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/psbt"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// TestGeneratedPSBTSigns keeps the benchmark input honest as the psbt
// package changes: every generated input is ours, airsign signs all of
// them without a refusal, and the result passes btcd's script engine.
func TestGeneratedPSBTSigns(t *testing.T) {
	master, err := masterKey()
	if err != nil {
		t.Fatal(err)
	}
	fp, err := psbt.MasterFingerprint(master)
	if err != nil {
		t.Fatal(err)
	}
	if got := psbt.FormatFingerprint(fp); got != "73c5da0a" {
		t.Fatalf("master fingerprint %s, want 73c5da0a (BIP84 test vector)", got)
	}
	raw, err := Generate(master, 5)
	if err != nil {
		t.Fatal(err)
	}
	out, signed, err := signInProcess(raw, master)
	if err != nil {
		t.Fatal(err)
	}
	if signed != 5 {
		t.Fatalf("signed %d of 5 inputs", signed)
	}
	if err := checkSigned("airsign", out, 5); err != nil {
		t.Fatal(err)
	}
	if err := checkSigned("unsigned", raw, 5); err == nil {
		t.Fatal("an unsigned PSBT passed checkSigned")
	}
}

func TestTable(t *testing.T) {
	fig := figures{}
	for _, d := range []time.Duration{300, 100, 200} {
		fig.add("airsign", d*time.Millisecond)
	}
	fig.add("raw", 50*time.Millisecond)
	fig.add("raw", 30*time.Millisecond)
	if got := fig.median("airsign"); got != 200*time.Millisecond {
		t.Errorf("median of 100, 200, 300 ms = %v", got)
	}
	if got := fig.median("raw"); got != 40*time.Millisecond {
		t.Errorf("median of 30, 50 ms = %v", got)
	}
	var b strings.Builder
	printTable(&b, fig, 3, 1000, "", false, false)
	for _, want := range []string{
		"Sign a 1,000-input P2WPKH PSBT",
		"airsign (psbt.Decode/Sign/Encode)                    200 ms   1.00 (reference)",
		"1,000 raw btcec ECDSA signatures                      40 ms   0.20× airsign (airsign = 5.00× raw)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// BenchmarkSign1000P2WPKH is the in-process airsign figure of the table.
func BenchmarkSign1000P2WPKH(b *testing.B) {
	master, err := masterKey()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := Generate(master, 1000)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, n, err := signInProcess(raw, master); err != nil || n != 1000 {
			b.Fatalf("signed %d: %v", n, err)
		}
	}
}

// BenchmarkRawECDSA1000 is 1,000 btcec signatures and nothing else.
func BenchmarkRawECDSA1000(b *testing.B) {
	hashes, keys := rawInputs(1000)
	for b.Loop() {
		if rawSign(hashes, keys) == 0 {
			b.Fatal("no signatures")
		}
	}
}

// TestPlainSignerMatches keeps the signing comparison honest: for every
// kind, airsign signs every input of the generated PSBT, the plain signer
// makes the very same signatures, and a corrupted one is told apart.
func TestPlainSignerMatches(t *testing.T) {
	master, err := masterKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range kinds {
		raw, err := GenerateKind(kind, master, 3)
		if err != nil {
			t.Fatal(err)
		}
		ours, n, err := signInProcess(raw, master)
		if err != nil || n != 3 {
			t.Fatalf("%s: airsign signed %d of 3: %v", kind, n, err)
		}
		plain, n, err := plainSign(raw, master)
		if err != nil || n != 3 {
			t.Fatalf("%s: plain signer signed %d of 3: %v", kind, n, err)
		}
		checked, n, err := plainChecked(raw, master)
		if err != nil || n != 3 || !bytes.Equal(checked, plain) {
			t.Fatalf("%s: the plain signer with checks signed %d of 3 (%v), same bytes %v", kind, n, err, bytes.Equal(checked, plain))
		}
		if same, err := sameSignatures(ours, plain); err != nil || !same {
			t.Fatalf("%s: different signatures (%v)", kind, err)
		}
		if same, err := sameSignatures(ours, raw); err != nil || same {
			t.Fatalf("%s: a signed and the unsigned PSBT compare equal (%v)", kind, err)
		}
		if kind != "wsh" { // a 2-of-3 with one signature is not final
			if err := checkSigned(kind, plain, 3); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// BenchmarkSigners is the in-process comparison of the table, one kind at
// a time: airsign (decode, analysis, policy, sign, check, encode) and the
// plain btcd signer of the same 1,000-input PSBT (and the plain signer
// with a btcec check of each signature, "checked"), with the CPU time of
// the process per signing (all cores) beside the wall time. Profile either
// with -cpuprofile.
func BenchmarkSigners(b *testing.B) {
	master, err := masterKey()
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range kinds {
		raw, err := GenerateKind(kind, master, 1000)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []struct {
			name string
			sign func([]byte, *hdkeychain.ExtendedKey) ([]byte, int, error)
		}{{"airsign", signInProcess}, {"plain", plainSign}, {"checked", plainChecked}} {
			b.Run(kind+"/"+s.name, func(b *testing.B) {
				c0 := cpuTime()
				for b.Loop() {
					if _, n, err := s.sign(raw, master); err != nil || n != 1000 {
						b.Fatalf("signed %d: %v", n, err)
					}
				}
				// CPU time is the fairer figure on a shared machine.
				b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
