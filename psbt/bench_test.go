package psbt

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// thousandInputs is a 1,000-input P2WPKH payment of the test key, each coin
// at its own address index (0/0 … 0/999) in its own previous transaction.
func thousandInputs(b *testing.B) *Packet {
	k := testKit(b)
	var ins []InputSpec
	for i := uint32(0); i < 1000; i++ {
		ins = append(ins, k.wpkhCoin(b, 1000+i, 0, i, 100_000))
	}
	// 100,000,000 sat in; about 68,000 vB at ~2 sat/vB of fee.
	return mustBuild(b, ins, []OutputSpec{k.pay(50_000_000), k.change(b, k.wpkh, 0, 49_860_000)})
}

// BenchmarkSign1000P2WPKH signs a 1,000-input P2WPKH PSBT: Sign's own
// analysis and policy, 1,000 key derivations, sighashes and signatures, and
// the btcec verification of each against the coin's key. Compare with
// BenchmarkRawECDSA1000 for the cost of the signatures alone.
func BenchmarkSign1000P2WPKH(b *testing.B) {
	k := testKit(b)
	base := thousandInputs(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := clone(b, base)
		b.StartTimer()
		res, err := k.sign(p, DefaultPolicy())
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Signed) != 1000 {
			b.Fatalf("signed %d inputs", len(res.Signed))
		}
	}
}

// BenchmarkRawECDSA1000 is 1,000 bare btcec ECDSA signatures of 32-byte
// hashes: the floor under BenchmarkSign1000P2WPKH.
func BenchmarkRawECDSA1000(b *testing.B) {
	k := testKit(b)
	priv, err := k.master.ECPrivKey()
	if err != nil {
		b.Fatal(err)
	}
	hashes := make([][32]byte, 1000)
	for i := range hashes {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(i))
		hashes[i] = sha256.Sum256(n[:])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range hashes {
			_ = ecdsa.Sign(priv, hashes[j][:])
		}
	}
}

// BenchmarkAnalyze1000 is the analysis alone of the 1,000-input PSBT, as
// inspect and sign show it.
func BenchmarkAnalyze1000(b *testing.B) {
	k := testKit(b)
	p := thousandInputs(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if a := k.analyze(p, DefaultPolicy()); len(a.Refusals()) != 0 {
			b.Fatal(a.Refusals())
		}
	}
}
