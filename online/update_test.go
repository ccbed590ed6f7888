package online

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/wire"
)

// TestUpdate: a bare PSBT of the wallet's transaction (what a coordinator
// that leaves out previous transactions and derivations hands over) is
// refused by the signer as it is, and signs once updated; for a multisig
// and for a version 2 PSBT too. Signed or foreign PSBTs are refused.
func TestUpdate(t *testing.T) {
	for _, kind := range []descriptor.Kind{descriptor.WPKH, descriptor.WSHSortedMulti} {
		t.Run(kind.String(), func(t *testing.T) {
			e := newTestEnv(t)
			w := e.importTest(t, "w", testDescriptor(t, kind))
			e.fundAt(t, w, 0, 0, 10_000_000)
			err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 9).EncodeAddress() + ":0.02"}, FeeRate: 2, Out: e.path("p.psbt")})
			if err != nil {
				t.Fatal(err)
			}
			full := readPSBTFile(t, e.path("p.psbt"))
			bare, err := psbt.FromUnsignedTx(full.UnsignedTx())
			if err != nil {
				t.Fatal(err)
			}
			bare.ToV2()
			writePacket(t, e.path("bare.psbt"), bare)
			n := 1
			if kind.IsMultisig() {
				n = 2
			}
			if _, err := psbt.Sign(bare, testMaster(t, 0)); err == nil {
				t.Fatal("the signer signed a PSBT without previous transactions or derivations")
			}
			if err := Update(context.Background(), e.Env, UpdateOptions{Wallet: "w", Sources: []string{e.path("bare.psbt")}, Out: e.path("u.psbt")}); err != nil {
				t.Fatal(err)
			}
			u := readPSBTFile(t, e.path("u.psbt"))
			if u.TxID() != full.TxID() || u.Version() != 2 {
				t.Fatalf("updated %s v%d, want %s v2", u.TxID(), u.Version(), full.TxID())
			}
			if tx := signAll(t, u, n); tx.TxHash().String() != full.TxID() {
				t.Fatal("signed transaction differs")
			}
			// Signed: refused.
			signed, _ := u.Clone()
			if _, err := psbt.Sign(signed, testMaster(t, 0)); err != nil {
				t.Fatal(err)
			}
			writePacket(t, e.path("signed.psbt"), signed)
			err = Update(context.Background(), e.Env, UpdateOptions{Wallet: "w", Sources: []string{e.path("signed.psbt")}, Out: e.path("x.psbt")})
			if err == nil || !strings.Contains(err.Error(), "already signed") {
				t.Fatalf("signed PSBT: %v", err)
			}
		})
	}
}

func writePacket(t *testing.T, path string, p *psbt.Packet) {
	t.Helper()
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateKeepsUnknownFields: the fields airsign does not interpret, as
// the test vectors carry them — BIP174's unknown-field combiner result
// (key type 0xf0 in the global map, the input and the output) and Bitcoin
// Core's rpc_psbt.json valid PSBT 7 (PSBT_GLOBAL/IN/OUT_PROPRIETARY) — are
// spliced into a bare PSBT of the wallet's transaction; after update every
// one is in the same map, byte for byte, for a version 0 and a version 2
// PSBT, and the updated PSBT still signs.
func TestUpdateKeepsUnknownFields(t *testing.T) {
	var bip174 struct {
		Workflow struct {
			CombinerUnknown struct{ Result string } `json:"combiner_unknown"`
		}
	}
	var core struct{ Valid []string }
	readJSONFile(t, "../psbt/testdata/vectors/bip174.json", &bip174)
	readJSONFile(t, "../psbt/testdata/vectors/rpc_psbt.json", &core)
	b174, err := hex.DecodeString(bip174.Workflow.CombinerUnknown.Result)
	if err != nil {
		t.Fatal(err)
	}
	core7, err := base64.StdEncoding.DecodeString(core.Valid[7])
	if err != nil {
		t.Fatal(err)
	}
	// Both vectors: maps [global, input 0, output 0 (, output 1)].
	v174, vCore := rawMaps(t, b174), rawMaps(t, core7)
	foreign := func(m []rawKV) []rawKV {
		var out []rawKV
		for _, f := range m {
			if f.key[0] == 0xf0 || f.key[0] == 0xfc {
				out = append(out, f)
			}
		}
		return out
	}
	want := map[string][]rawKV{ // by map name in the bare PSBT
		"global":   append(foreign(v174[0]), foreign(vCore[0])...),
		"input 0":  append(foreign(v174[1]), foreign(vCore[1])...),
		"output 0": foreign(v174[2]),
		"output 1": foreign(vCore[3]),
	}
	if n := len(want["global"]) + len(want["input 0"]) + len(want["output 0"]) + len(want["output 1"]); n != 10 {
		t.Fatalf("%d fields taken from the vectors, want 10 (2+2 global, 2+1 input, 2 and 1 output)", n)
	}
	for _, version := range []int{0, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			e := newTestEnv(t)
			w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
			e.fundAt(t, w, 0, 0, 10_000_000)
			err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 9).EncodeAddress() + ":0.02"}, FeeRate: 2, Out: e.path("p.psbt")})
			if err != nil {
				t.Fatal(err)
			}
			full := readPSBTFile(t, e.path("p.psbt"))
			if len(full.UnsignedTx().TxIn) != 1 || len(full.UnsignedTx().TxOut) != 2 {
				t.Fatalf("want 1 input and 2 outputs, got %d and %d", len(full.UnsignedTx().TxIn), len(full.UnsignedTx().TxOut))
			}
			bare, err := psbt.FromUnsignedTx(full.UnsignedTx())
			if err != nil {
				t.Fatal(err)
			}
			raw, err := bare.Encode()
			if err != nil {
				t.Fatal(err)
			}
			maps := rawMaps(t, raw)
			for name, i := range map[string]int{"global": 0, "input 0": 1, "output 0": 2, "output 1": 3} {
				maps[i] = append(maps[i], want[name]...)
			}
			spliced, err := psbt.Decode(encodeMaps(maps))
			if err != nil {
				t.Fatal(err)
			}
			if version == 2 {
				spliced.ToV2()
			}
			writePacket(t, e.path("bare.psbt"), spliced)
			if err := Update(context.Background(), e.Env, UpdateOptions{Wallet: "w", Sources: []string{e.path("bare.psbt")}, Out: e.path("u.psbt")}); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(e.path("u.psbt"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte("psbt\xff")) {
				if data, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(data))); err != nil {
					t.Fatal(err)
				}
			}
			got := rawMaps(t, data)
			for name, i := range map[string]int{"global": 0, "input 0": 1, "output 0": 2, "output 1": 3} {
				for _, f := range want[name] {
					if !slices.ContainsFunc(got[i], func(g rawKV) bool { return bytes.Equal(g.key, f.key) && bytes.Equal(g.value, f.value) }) {
						t.Errorf("%s lost %x = %x", name, f.key, f.value)
					}
				}
			}
			u := readPSBTFile(t, e.path("u.psbt"))
			if u.Version() != version || u.TxID() != full.TxID() {
				t.Fatalf("updated v%d %s, want v%d %s", u.Version(), u.TxID(), version, full.TxID())
			}
			if tx := signAll(t, u, 1); tx.TxHash().String() != full.TxID() {
				t.Fatal("signed transaction differs")
			}
		})
	}
}

// rawKV is one key-value pair of a PSBT map, as serialized.
type rawKV struct{ key, value []byte }

// rawMaps splits a serialized PSBT into its maps (global, then each input
// and output in order) without interpreting any field, so the test sees
// the bytes as written.
func rawMaps(t *testing.T, b []byte) [][]rawKV {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("psbt\xff")) {
		t.Fatal("no PSBT magic")
	}
	r := bytes.NewReader(b[5:])
	var maps [][]rawKV
	var cur []rawKV
	for r.Len() > 0 {
		klen, err := wire.ReadVarInt(r, 0)
		if err != nil {
			t.Fatal(err)
		}
		if klen == 0 {
			maps, cur = append(maps, cur), nil
			continue
		}
		key := make([]byte, klen)
		if _, err := io.ReadFull(r, key); err != nil {
			t.Fatal(err)
		}
		value, err := wire.ReadVarBytes(r, 0, 1<<24, "value")
		if err != nil {
			t.Fatal(err)
		}
		cur = append(cur, rawKV{key, value})
	}
	if cur != nil {
		t.Fatal("the last map is not terminated")
	}
	return maps
}

// encodeMaps is rawMaps' inverse.
func encodeMaps(maps [][]rawKV) []byte {
	var buf bytes.Buffer
	buf.WriteString("psbt\xff")
	for _, m := range maps {
		for _, f := range m {
			_ = wire.WriteVarBytes(&buf, 0, f.key)
			_ = wire.WriteVarBytes(&buf, 0, f.value)
		}
		buf.WriteByte(0)
	}
	return buf.Bytes()
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
