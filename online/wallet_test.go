package online

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/airsign/airsign/transport"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/cbor"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// accountUR is a UR crypto-account holding the given single-key wallets of
// the first test key (fingerprint 73c5da0a), as SeedSigner exports one.
func accountUR(t testing.TB, kinds ...descriptor.Kind) string {
	b := cbor.AppendMap(nil, 2)
	b = cbor.AppendUint(cbor.AppendUint(b, 1), 0x73c5da0a)
	b = cbor.AppendArray(cbor.AppendUint(b, 2), len(kinds))
	for _, k := range kinds {
		msg, err := urdescriptor.Encode(testDescriptor(t, k))
		if err != nil {
			t.Fatal(err)
		}
		b = append(cbor.AppendTag(b, 308), msg...)
	}
	s, err := ur.Encode(urdescriptor.TypeCryptoAccount, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mainnetUR is a mainnet wallet as a UR crypto-output.
func mainnetUR(t *testing.T) string {
	m, err := hdkeychain.NewMaster(bytes.Repeat([]byte{7}, 32), &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.New(descriptor.WPKH, m, 0, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := urdescriptor.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ur.Encode(urdescriptor.TypeCryptoOutput, msg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestImportSources(t *testing.T) {
	d := testDescriptor(t, descriptor.WSHSortedMulti)
	text := d.String()
	e := newTestEnv(t)
	write := func(name, data string) string {
		p := e.path(name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	enrollment, _ := json.Marshal(map[string]string{"descriptor": text, "network": "regtest", "fingerprint": "73c5da0a", "id": d.ID(), "tag": "ab"})
	pngs, err := qrcode.WritePNGs(e.path("qr"), []string{text}, qrcode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.Stdin = strings.NewReader("# from stdin\n" + text + "\n")
	// The same wallet as UR crypto-output: one code, and an animated
	// series (frames in reverse, with fountain parts) as PNGs and as
	// scanned lines.
	msg, err := urdescriptor.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	urOne, err := ur.Encode(urdescriptor.TypeCryptoOutput, msg)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := ur.NewEncoder(urdescriptor.TypeCryptoOutput, msg, 100)
	if err != nil {
		t.Fatal(err)
	}
	var series []string
	for i := enc.SeqLen() + 1; i >= 1; i-- {
		series = append(series, enc.Part(uint32(i)))
	}
	urPNGs, err := qrcode.WritePNGs(e.path("urqr"), series, qrcode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	psbtUR, err := ur.Encode(ur.TypeCryptoPSBT, ur.EncodeCBORBytes([]byte("psbt\xff\x01\x00")))
	if err != nil {
		t.Fatal(err)
	}
	good := []struct {
		name string
		opts ImportOptions
	}{
		{"string", ImportOptions{Source: text, Network: "regtest"}},
		{"plain file", ImportOptions{Source: write("d.txt", "# cosigners A B C\n"+text+"\n"), Network: "regtest"}},
		{"enrollment file, network from it", ImportOptions{Source: write("enroll.json", string(enrollment))}},
		{"stdin", ImportOptions{Source: "-", Network: "regtest"}},
		{"QR image", ImportOptions{QR: pngs, Network: "regtest"}},
		{"QR directory", ImportOptions{QR: []string{e.path("qr")}, Network: "regtest"}},
		{"UR crypto-output text", ImportOptions{Source: write("ur.txt", urOne+"\n"), Network: "regtest"}},
		{"UR crypto-output as the argument", ImportOptions{Source: urOne, Network: "regtest"}},
		{"UR crypto-output scanned series", ImportOptions{Source: write("urs.txt", "# scanned\n"+strings.Join(series, "\n")+"\n"), Network: "regtest"}},
		{"UR crypto-output animated QR frames", ImportOptions{QR: urPNGs, Network: "regtest"}},
	}
	if d.Kind() != descriptor.WSHSortedMulti {
		t.Fatal("the account cases below assume the multisig test wallet")
	}
	for i, c := range good {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Name = "w" + itoa(int64(i+1))
			w, err := ImportWallet(e.Env, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if w.Descriptor != text || w.Net().Name != "regtest" || w.GapLimit != DefaultGapLimit {
				t.Fatalf("imported %q on %s, gap %d", w.Descriptor, w.Net().Name, w.GapLimit)
			}
			if _, err := LoadWallet(e.Env, c.opts.Name); err != nil {
				t.Fatal(err)
			}
		})
	}

	noSum := text[:strings.IndexByte(text, '#')]
	badSum := noSum + "#" + strings.Repeat("q", 8)
	wrongID, _ := json.Marshal(map[string]string{"descriptor": text, "network": "regtest", "id": "00000000"})
	mainnetFile, _ := json.Marshal(map[string]string{"descriptor": text, "network": "mainnet"})
	bad := []struct {
		name string
		opts ImportOptions
		want string
	}{
		{"exists", ImportOptions{Name: "w1", Source: text, Network: "regtest"}, `a wallet named "w1" already exists`},
		{"no checksum", ImportOptions{Name: "x", Source: noSum, Network: "regtest"}, "checksum"},
		{"bad checksum", ImportOptions{Name: "x", Source: badSum, Network: "regtest"}, "checksum"},
		{"wrong network", ImportOptions{Name: "x", Source: text, Network: "mainnet"}, "\nhint: pass --network mainnet, testnet, signet or regtest to match the keys"},
		{"file on another network", ImportOptions{Name: "x", Source: write("m.json", string(mainnetFile)), Network: "regtest"}, "m.json is for mainnet but --network says regtest; mixing networks is refused"},
		{"enrollment id mismatch", ImportOptions{Name: "x", Source: write("id.json", string(wrongID))}, `its id "00000000" does not match its descriptor's ID ` + d.ID()},
		{"missing file", ImportOptions{Name: "x", Source: e.path("nope.txt")}, "is neither a descriptor nor a file"},
		{"two wallets", ImportOptions{Name: "x", Source: write("two.txt", text+"\n"+"wpkh([73c5da0a/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/<0;1>/*)#lxek0ef2\n"), Network: "regtest"}, "two.txt: the file contradicts itself: line 2 describes another wallet than line 1"},
		{"unknown script type", ImportOptions{Name: "x", Source: "pkh(tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/0/*)", Network: "regtest"}, "not supported"},
		{"UR test network without --network", ImportOptions{Name: "x", Source: write("ur1.txt", urOne)}, "ur1.txt is for a test network, which a UR code cannot name exactly\nhint: pass --network testnet, signet or regtest"},
		{"UR test network on mainnet", ImportOptions{Name: "x", Source: write("ur2.txt", urOne), Network: "mainnet"}, "ur2.txt is for a test network but --network says mainnet"},
		{"UR mainnet on regtest", ImportOptions{Name: "x", Source: write("ur3.txt", mainnetUR(t)), Network: "regtest"}, "ur3.txt is for mainnet but --network says regtest"},
		{"UR series incomplete", ImportOptions{Name: "x", Source: write("ur4.txt", series[0]), Network: "regtest"}, "ur4.txt: the UR series is incomplete"},
		{"UR of a PSBT", ImportOptions{Name: "x", Source: write("ur5.txt", psbtUR), Network: "regtest"}, `ur5.txt: UR type "crypto-psbt" does not hold a wallet descriptor`},
		{"UR given as the argument, on mainnet", ImportOptions{Name: "x", Source: urOne, Network: "mainnet"}, "the UR given is for a test network but --network says mainnet"},
		{"UR account with two wallets, no --type", ImportOptions{Name: "x", Source: write("acct2.txt", accountUR(t, descriptor.WPKH, descriptor.TR)), Network: "regtest"}, "acct2.txt: the account export holds 2 wallets; choose one with --type (tr, wpkh)"},
		{"UR account without the type asked", ImportOptions{Name: "x", Source: write("acct3.txt", accountUR(t, descriptor.WPKH)), Network: "regtest", Type: "sh-wpkh"}, "the account export has no sh(wpkh) output (it has wpkh)"},
		{"UR account, unknown --type", ImportOptions{Name: "x", Source: write("acct4.txt", accountUR(t, descriptor.WPKH)), Network: "regtest", Type: "pkh"}, `--type "pkh": use wpkh, sh-wpkh or tr`},
		{"--type on a crypto-output", ImportOptions{Name: "x", Source: write("ur7.txt", urOne), Network: "regtest", Type: "wpkh"}, "--type picks a wallet out of a UR crypto-account (SeedSigner, Keystone, Passport); this holds one wallet already\nhint: drop --type"},
		{"--type on a text descriptor", ImportOptions{Name: "x", Source: text, Network: "regtest", Type: "wpkh"}, "the descriptor given: --type picks a wallet out of a UR crypto-account"},
		{"UR damaged", ImportOptions{Name: "x", Source: write("ur6.txt", strings.Replace(urOne, "TAAD", "TAAE", 1)), Network: "regtest"}, "ur6.txt: code 1:"},
		{"bad name", ImportOptions{Name: "../x", Source: text, Network: "regtest"}, "wallet name"},
		{"no source", ImportOptions{Name: "x"}, "give one descriptor source"},
		{"gap limit", ImportOptions{Name: "x", Source: text, Network: "regtest", GapLimit: MaxGapLimit + 1}, "--gap-limit 10001"},
		{"private key", ImportOptions{Name: "x", Source: "wpkh(tprv8ZgxMBicQKsPd9TeAdPADNnSyH9SSUUbTVeFszDE23Ki6TBB5nCefAdHkK8Fm3qMQR6sHwA56zqRmKmxnHk37JkiFzvncDqoKmPWubu7hDF/84h/1h/0h/0/*)", Network: "regtest"}, "private key"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ImportWallet(e.Env, c.opts)
			if err == nil || !strings.Contains(err.Error()+"\nhint: "+strings.Join(transport.Hints(err), "\nhint: "), c.want) {
				t.Fatalf("error %v\nwant %q", err, c.want)
			}
			if strings.Contains(err.Error(), "tprv") {
				t.Fatalf("the error quotes key material: %v", err)
			}
		})
	}
	if _, err := LoadWallet(e.Env, "x"); err == nil {
		t.Fatal("a refused import left a wallet")
	}

	e.reset()
	if err := ListWallets(e.Env); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(e.out.String(), "wsh(sortedmulti)  regtest   "+d.ID()); n != len(good) {
		t.Errorf("wallet list has %d of %d wallets:\n%s", n, len(good), e.out)
	}
}

func TestLoadWalletChecks(t *testing.T) {
	e := newTestEnv(t)
	e.importTest(t, "a", testDescriptor(t, descriptor.WPKH))
	_, err := LoadWallet(e.Env, "b")
	if err == nil || !strings.Contains(strings.Join(transport.Hints(err), "\n"), "wallets here: a (choose with --wallet NAME)") {
		t.Fatalf("missing wallet: %v", err)
	}
	// A damaged store names the file and both ways out.
	db := store.Path(e.DataDir)
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	if err := os.WriteFile(db, bytes.Repeat([]byte("damaged "), 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadWallet(e.Env, "a")
	var ce *store.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("damaged store: %v", err)
	}
	for _, want := range []string{db + " is damaged", "airsign-online wallet restore BACKUP-FILE", "airsign-online wallet import DESCRIPTOR", "airsign-online utxos"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("damaged store: %v\nwant %q", err, want)
		}
	}
}

// TestLegacyJSONWallets checks that the JSON wallets of versions before the
// store are imported once, with their labels and freezes, and kept as a
// backup; a damaged file is named and skipped, not fatal.
func TestLegacyJSONWallets(t *testing.T) {
	e := newTestEnv(t)
	d := testDescriptor(t, descriptor.WPKH)
	op := strings.Repeat("0a", 32) + ":3"
	dir := filepath.Join(e.DataDir, "wallets")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old := fmt.Sprintf(`{"name": "old", "descriptor": %q, "network": "regtest", "gap_limit": 30,
		"labels": {%q: "rent", %q: "from exchange"}, "frozen": {%q: true}}`, d.String(), p2wpkhA, op, op)
	for name, data := range map[string]string{"old.json": old, "broken.json": "{", "notes.txt": "x"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w, err := LoadWallet(e.Env, "old")
	if err != nil {
		t.Fatal(err)
	}
	if w.GapLimit != 30 || w.Labels[p2wpkhA] != "rent" || w.Labels[op] != "from exchange" || !w.Frozen[op] || w.desc.ID() != d.ID() {
		t.Fatalf("imported %+v", w)
	}
	for _, want := range []string{"imported 1 wallet of an earlier airsign-online", "not imported: broken.json: damaged", "wallets.json-backup"} {
		if !strings.Contains(e.errs.String(), want) {
			t.Errorf("said %q, want %q", e.errs, want)
		}
	}
	if _, err := os.Stat(filepath.Join(e.DataDir, "wallets.json-backup", "old.json")); err != nil {
		t.Errorf("the old file is not kept: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the old directory is still in place: %v", err)
	}
	e.reset()
	if _, err := LoadWallet(e.Env, "old"); err != nil || e.errs.Len() != 0 {
		t.Fatalf("second load: %v, said %q", err, e.errs)
	}
}

func TestLabelsAndFreeze(t *testing.T) {
	e := newTestEnv(t)
	e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	op := strings.Repeat("0A", 32) + ":3"
	steps := []struct {
		do   func() error
		want string // in stderr
	}{
		{func() error { return SetLabel(e.Env, "w", p2wpkhA, " rent deposits ") }, "labelled address " + p2wpkhA + ": rent deposits"},
		{func() error { return SetLabel(e.Env, "w", op, "from exchange") }, "labelled coin " + strings.ToLower(op) + ": from exchange"},
		{func() error { return SetFrozen(e.Env, "w", op, true) }, "froze coin"},
		{func() error { return SetFrozen(e.Env, "w", op, true) }, "was already frozen"},
		{func() error { return SetLabel(e.Env, "w", p2wpkhA, "") }, "removed the label of address"},
	}
	for i, s := range steps {
		e.reset()
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if !strings.Contains(e.errs.String(), s.want) {
			t.Fatalf("step %d: %q, want %q", i, e.errs, s.want)
		}
	}
	w, err := LoadWallet(e.Env, "w")
	if err != nil {
		t.Fatal(err)
	}
	key := strings.ToLower(op)
	if len(w.Labels) != 1 || w.Labels[key] != "from exchange" || !w.Frozen[key] {
		t.Fatalf("labels %v frozen %v", w.Labels, w.Frozen)
	}
	if err := SetFrozen(e.Env, "w", op, false); err != nil {
		t.Fatal(err)
	}
	if w, _ = LoadWallet(e.Env, "w"); len(w.Frozen) != 0 {
		t.Fatalf("still frozen: %v", w.Frozen)
	}
	for _, c := range []struct {
		target, text, want string
	}{
		{mainnet, "x", "is not a regtest address"},
		{"nonsense", "x", "label takes an address or a coin TXID:VOUT"},
		{op, "two\nlines", "control character"},
		{op, strings.Repeat("x", maxLabel+1), "keep it to 200"},
		{"abc:1", "x", "64 hex digits"},
	} {
		if err := SetLabel(e.Env, "w", c.target, c.text); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("label %q %q: %v, want %q", c.target, c.text, err, c.want)
		}
	}
	if err := SetFrozen(e.Env, "w", "xyz", true); err == nil || !strings.Contains(err.Error(), "expected TXID:VOUT") {
		t.Errorf("freeze xyz: %v", err)
	}
}

func TestImportCryptoAccount(t *testing.T) {
	e := newTestEnv(t)
	for _, c := range []struct {
		name  string
		ur    string
		typ   string
		want  descriptor.Kind
		where string
	}{
		{"only wallet", accountUR(t, descriptor.WPKH), "", descriptor.WPKH, "(wpkh of the account)"},
		{"picked by --type", accountUR(t, descriptor.WPKH, descriptor.SHWPKH, descriptor.TR), "tr", descriptor.TR, "(tr of the account)"},
		{"sh-wpkh", accountUR(t, descriptor.WPKH, descriptor.SHWPKH), "sh-wpkh", descriptor.SHWPKH, "(sh(wpkh) of the account)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := e.path(c.name + ".txt")
			if err := os.WriteFile(p, []byte(c.ur), 0o600); err != nil {
				t.Fatal(err)
			}
			w, err := ImportWallet(e.Env, ImportOptions{Name: strings.ReplaceAll(c.name, " ", "-"), Source: p, Network: "regtest", Type: c.typ})
			if err != nil {
				t.Fatal(err)
			}
			if want := testDescriptor(t, c.want).String(); w.Descriptor != want {
				t.Errorf("imported %s, want %s", w.Descriptor, want)
			}
		})
	}
	// A cosigner key alone is not a wallet: the crypto-hdkey inside a
	// wpkh crypto-output (after its 3-byte tag 404).
	msg, err := urdescriptor.Encode(testDescriptor(t, descriptor.WPKH))
	if err != nil {
		t.Fatal(err)
	}
	hdUR, _ := ur.Encode(urdescriptor.TypeCryptoHDKey, msg[3:])
	p := e.path("hdkey.txt")
	if err := os.WriteFile(p, []byte(hdUR), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportWallet(e.Env, ImportOptions{Name: "hd", Source: p, Network: "regtest"}); err == nil || !strings.Contains(err.Error(), "is a single key (UR crypto-hdkey), not a wallet") {
		t.Errorf("crypto-hdkey import: %v", err)
	}
}

// TestRebuildFromDescriptor: with the store damaged and no backup, the
// way out the error gives works — move the file aside, import the
// descriptor again, rescan — and brings back every coin and the history.
func TestRebuildFromDescriptor(t *testing.T) {
	e := newTestEnv(t)
	d := testDescriptor(t, descriptor.WPKH)
	w := e.importTest(t, "w", d)
	e.fundAt(t, w, 0, 0, 1_000_000)
	e.fundAt(t, w, 0, 7, 2_000_000)
	e.fundAt(t, w, 1, 2, 3_000_000)
	if err := ListUTXOs(context.Background(), e.Env, UTXOOptions{Wallet: "w", JSON: true}); err != nil {
		t.Fatal(err)
	}
	before := e.out.String()

	db := store.Path(e.DataDir)
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	if err := os.WriteFile(db, bytes.Repeat([]byte("damaged "), 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ListUTXOs(context.Background(), e.Env, UTXOOptions{Wallet: "w"}); !errors.As(err, new(*store.CorruptError)) {
		t.Fatalf("utxos on a damaged store: %v", err)
	}
	if err := os.Rename(db, db+".damaged"); err != nil {
		t.Fatal(err)
	}
	e.importTest(t, "w", d)
	e.reset()
	if err := ListUTXOs(context.Background(), e.Env, UTXOOptions{Wallet: "w", JSON: true}); err != nil {
		t.Fatal(err)
	}
	if e.out.String() != before {
		t.Fatalf("rebuilt wallet differs:\n%s\nwant\n%s", e.out, before)
	}
	var hist []store.TxRecord
	if err := e.view(func(tx *store.Tx) (err error) { hist, err = tx.Transactions(w.id); return err }); err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 {
		t.Fatalf("history after the rescan: %+v", hist)
	}
}

// TestPreparedIsRemembered: prepare notes the PSBT's digest and txid in
// the store, which watch and an audit read.
func TestPreparedIsRemembered(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 30_000_000)
	err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w",
		To: []string{payee(t, 1).EncodeAddress() + ":0.1"}, FeeRate: 5, Out: e.path("p.psbt")})
	if err != nil {
		t.Fatal(err)
	}
	txid := readPSBTFile(t, e.path("p.psbt")).UnsignedTx().TxHash().String()
	var got []store.PSBTRecord
	if err := e.view(func(tx *store.Tx) (err error) { got, err = tx.PSBTs(w.id, store.PSBTPrepared); return err }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Txid != txid || !strings.Contains(strings.ToLower(e.errs.String()), got[0].Digest) {
		t.Fatalf("remembered %+v; txid %s; said %s", got, txid, e.errs)
	}
}
