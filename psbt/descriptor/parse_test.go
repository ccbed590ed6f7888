package descriptor

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/bip39"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

var (
	mainnet = &chaincfg.MainNetParams
	testnet = &chaincfg.TestNet3Params
	regtest = &chaincfg.RegressionNetParams
)

const abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// accountText returns "[fp/path]xpub" of the abandon...about wallet's
// account 0 for kind on net.
func accountText(t testing.TB, kind Kind, net *chaincfg.Params) string {
	t.Helper()
	k, err := AccountKey(kind, masterFromMnemonic(t, abandon, net), 0, net)
	if err != nil {
		t.Fatal(err)
	}
	return k.String()
}

// masterN returns a distinct master key for cosigner n.
func masterN(t testing.TB, n int, net *chaincfg.Params) *hdkeychain.ExtendedKey {
	t.Helper()
	m, err := bip39.EntropyToMnemonic(bytes.Repeat([]byte{byte(n + 1)}, 16))
	if err != nil {
		t.Fatal(err)
	}
	return masterFromMnemonic(t, string(m), net)
}

func cosigners(t testing.TB, kind Kind, n int, net *chaincfg.Params) []Key {
	t.Helper()
	keys := make([]Key, n)
	for i := range keys {
		k, err := AccountKey(kind, masterN(t, i, net), 0, net)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
	}
	return keys
}

func TestParseBadInput(t *testing.T) {
	wpkhKey := accountText(t, WPKH, mainnet)            // [73c5da0a/84h/0h/0h]xpub...
	trKey := accountText(t, TR, mainnet)                // [73c5da0a/86h/0h/0h]xpub...
	tpubKey := accountText(t, WPKH, testnet)            // [73c5da0a/84h/1h/0h]tpub...
	xpub := wpkhKey[strings.IndexByte(wpkhKey, ']')+1:] // bare account xpub
	tpub := tpubKey[strings.IndexByte(tpubKey, ']')+1:]
	ms := cosigners(t, WSHSortedMulti, 3, mainnet)
	m1, m2, m3 := ms[0].String(), ms[1].String(), ms[2].String()

	// The account xprv of the same wallet, and its SLIP-132 zpub form.
	acct := masterFromMnemonic(t, abandon, mainnet)
	for _, p := range AccountPath(WPKH, mainnet, 0) {
		acct, _ = acct.Derive(p)
	}
	xprv := acct.String()
	neut, _ := acct.Neuter()
	zpub, _ := neut.CloneWithVersion([]byte{0x04, 0xb2, 0x47, 0x46})
	wif, _ := btcutil.NewWIF(must(acct.ECPrivKey()), mainnet, true)

	tests := []struct {
		name, in string
		net      *chaincfg.Params
		want     string
		is       error
	}{
		{"empty", "", mainnet, "the descriptor is empty", nil},
		{"blank", " \n\t ", mainnet, "the descriptor is empty", nil},
		{"not a script", wpkhKey + "/0/*", mainnet, "must be a script expression", nil},
		{"unknown script", "foo(" + wpkhKey + "/0/*)", mainnet, "unknown script expression foo()", ErrUnsupported},
		{"upper case script", "WPKH(" + wpkhKey + "/0/*)", mainnet, "unknown script expression script()", ErrUnsupported},
		{"pkh", "pkh(" + wpkhKey + "/0/*)", mainnet, "pkh() as a wallet is not supported", ErrUnsupported},
		{"bare multi", "wsh(multi(1," + m1 + "/0/*))", mainnet, "multi() inside wsh() is not supported: use sortedmulti()", ErrUnsupported},
		{"sh(sortedmulti)", "sh(sortedmulti(1," + m1 + "/0/*))", mainnet, "sortedmulti() inside sh() is not supported", ErrUnsupported},
		{"sh bare key", "sh(" + wpkhKey + "/0/*)", mainnet, "sh() must contain wpkh(...) or wsh(sortedmulti(...))", ErrUnsupported},
		{"wsh bare key", "wsh(" + m1 + "/0/*)", mainnet, "a bare key inside wsh() is not supported", ErrUnsupported},
		{"tr script tree", "tr(" + trKey + "/<0;1>/*,{pk(" + m1 + "/0/*),pk(" + m2 + "/0/*)})", mainnet, "taproot script paths are not supported", ErrUnsupported},
		{"tr leaf", "tr(" + trKey + "/<0;1>/*,pk(" + m1 + "/0/*))", mainnet, "taproot script paths are not supported", ErrUnsupported},
		{"unclosed", "wpkh(" + wpkhKey + "/0/*", mainnet, "wpkh(...) is not closed", nil},
		{"extra paren", "wpkh(" + wpkhKey + "/0/*))", mainnet, "unbalanced brackets", nil},
		{"trailing text", "wpkh(" + wpkhKey + "/0/*)x", mainnet, "not closed by ')' at the end", nil},
		{"no key", "wpkh()", mainnet, "key: missing", nil},
		{"empty multisig key", "wsh(sortedmulti(1," + m1 + "/0/*,))", mainnet, "key 2: missing", nil},
		{"two keys", "wpkh(" + wpkhKey + "/0/*," + wpkhKey + "/1/*)", mainnet, "wpkh() takes one key, got 2", nil},
		{"H marker", "wpkh([73c5da0a/84H/0h/0h]" + xpub + "/0/*)", mainnet, "'H' is not a hardened marker", nil},
		{"hardened wildcard h", "wpkh(" + wpkhKey + "/0/*h)", mainnet, "hardened wildcard", nil},
		{"hardened wildcard '", "wpkh(" + wpkhKey + "/0/*')", mainnet, "hardened wildcard", nil},
		{"hardened step", "wpkh(" + wpkhKey + "/0h/*)", mainnet, "hardened step after the xpub", nil},
		{"hardened multipath", "wpkh(" + wpkhKey + "/<0h;1>/*)", mainnet, "multipath element 1: a hardened step", nil},
		{"no wildcard", "wpkh(" + wpkhKey + ")", mainnet, "no /* wildcard", nil},
		{"no wildcard after branch", "wpkh(" + wpkhKey + "/0)", mainnet, "does not end in /*", nil},
		{"wildcard only", "wpkh(" + wpkhKey + "/*)", mainnet, "has 1 step after the xpub", nil},
		{"two steps", "wpkh(" + wpkhKey + "/0/0/*)", mainnet, "has 3 steps after the xpub", nil},
		{"branch 2", "wpkh(" + wpkhKey + "/2/*)", mainnet, "branch is /2/*", nil},
		{"multipath reversed", "wpkh(" + wpkhKey + "/<1;0>/*)", mainnet, "multipath step is <1;0>; airsign needs <0;1>", nil},
		{"multipath three", "wpkh(" + wpkhKey + "/<0;1;2>/*)", mainnet, "it has 3 elements", nil},
		{"multipath twice", "wpkh(" + wpkhKey + "/<0;1>/<0;1>)", mainnet, "does not end in /*", nil},
		{"multipath empty", "wpkh(" + wpkhKey + "/<>/*)", mainnet, "it has 1 elements", nil},
		{"multipath unclosed", "wpkh(" + wpkhKey + "/<0;1/*)", mainnet, "not closed by '>'", nil},
		{"multipath in origin", "wpkh([73c5da0a/84h/0h/<0;1>]" + xpub + "/0/*)", mainnet, "key origin step 3", nil},
		{"index too big", "wpkh(" + wpkhKey + "/2147483648/*)", mainnet, "below 2147483648", nil},
		{"index junk", "wpkh(" + wpkhKey + "/1a/*)", mainnet, "must be a number", nil},
		{"negative step", "wpkh(" + wpkhKey + "/-0/*)", mainnet, "must be a number", nil},
		{"double slash", "wpkh(" + wpkhKey + "//0/*)", mainnet, "has 3 steps", nil},
		{"origin too short", "wpkh([73c5da0a/84h/0h]" + xpub + "/0/*)", mainnet, "key origin has 2 derivation steps but the xpub is at depth 3", nil},
		{"origin wrong child", "wpkh([73c5da0a/84h/0h/1h]" + xpub + "/0/*)", mainnet, "key origin ends in 1h but the xpub is child 0h", nil},
		{"origin unhardened", "wpkh([73c5da0a/84h/0h/0]" + xpub + "/0/*)", mainnet, "key origin ends in 0 but the xpub is child 0h", nil},
		{"origin trailing slash", "wpkh([73c5da0a/84h/0h/0h/]" + xpub + "/0/*)", mainnet, "key origin step 4: empty derivation step", nil},
		{"origin bad fp", "wpkh([73c5da0g/84h/0h/0h]" + xpub + "/0/*)", mainnet, "fingerprint must be 8 hex digits", nil},
		{"origin short fp", "wpkh([73c5da0/84h/0h/0h]" + xpub + "/0/*)", mainnet, "fingerprint has 7 characters", nil},
		{"origin unclosed", "wpkh([73c5da0a/84h/0h/0h" + xpub + "/0/*)", mainnet, "unbalanced brackets inside wpkh(...)", nil},
		{"two origins", "wpkh([73c5da0a][73c5da0a/84h/0h/0h]" + xpub + "/0/*)", mainnet, "at most one origin", nil},
		{"no origin", "wpkh(" + xpub + "/0/*)", mainnet, "no key origin", nil},
		{"origin only", "wpkh([73c5da0a/84h/0h/0h])", mainnet, "no key after the origin", nil},
		{"xpub checksum", "wpkh([73c5da0a/84h/0h/0h]" + xpub[:50] + flip(xpub[50]) + xpub[51:] + "/0/*)", mainnet, "extended key's checksum is wrong", nil},
		{"not base58", "wpkh([73c5da0a/84h/0h/0h]xpub0OIl/0/*)", mainnet, "not valid base58", nil},
		{"bare pubkey", "wpkh([73c5da0a/84h/0h/0h]0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c)", mainnet, "bare public key is not supported", ErrUnsupported},
		{"zpub", "wpkh([73c5da0a/84h/0h/0h]" + zpub.String() + "/0/*)", mainnet, "SLIP-132 zpub keys are not supported: convert it to an xpub", ErrUnsupported},
		{"xprv", "wpkh([73c5da0a/84h/0h/0h]" + xprv + "/0/*)", mainnet, "this is a private key; airsign-online only takes watch-only descriptors", ErrPrivateKey},
		{"xprv mistyped", "wpkh([73c5da0a/84h/0h/0h]" + xprv[:50] + flip(xprv[50]) + xprv[51:] + "/0/*)", mainnet, "this is a private key", ErrPrivateKey},
		{"wif", "wpkh(" + wif.String() + ")", mainnet, "this is a private key", ErrPrivateKey},
		{"xprv in bad script", "foo(" + xprv + ")", mainnet, "this is a private key", ErrPrivateKey},
		{"xprv in multisig", "wsh(sortedmulti(1," + m1 + "/0/*,[73c5da0a/84h/0h/0h]" + xprv + "/0/*))", mainnet, "this is a private key", ErrPrivateKey},
		{"xpub on regtest", "wpkh(" + wpkhKey + "/0/*)", regtest, "this descriptor's key is for mainnet but airsign is set to regtest", ErrWrongNetwork},
		{"tpub on mainnet", "wpkh(" + tpubKey + "/0/*)", mainnet, "this descriptor's key is for testnet/regtest/signet but airsign is set to mainnet", ErrWrongNetwork},
		{"coin type 0 on testnet", "wpkh([73c5da0a/84h/0h/0h]" + tpub + "/0/*)", testnet, "coin type is 0h (mainnet) but airsign is set to testnet3, which uses 1h", ErrWrongNetwork},
		{"coin type 1 on mainnet", "wpkh([73c5da0a/84h/1h/0h]" + xpub + "/0/*)", mainnet, "coin type is 1h (test networks) but airsign is set to mainnet, which uses 0h", ErrWrongNetwork},
		{"bad char", "wpkh(" + wpkhKey + "/0/*)\u00e9", mainnet, "is not allowed in a descriptor", nil},
		{"threshold 0", "wsh(sortedmulti(0," + m1 + "/0/*," + m2 + "/0/*))", mainnet, "threshold 0 is not between 1 and the number of keys (2)", nil},
		{"threshold 3 of 2", "wsh(sortedmulti(3," + m1 + "/0/*," + m2 + "/0/*))", mainnet, "threshold 3 is not between 1 and the number of keys (2)", nil},
		{"threshold junk", "wsh(sortedmulti(a," + m1 + "/0/*," + m2 + "/0/*))", mainnet, "threshold must be a number", nil},
		{"threshold sign", "wsh(sortedmulti(+1," + m1 + "/0/*," + m2 + "/0/*))", mainnet, "threshold must be a number", nil},
		{"threshold empty", "wsh(sortedmulti(," + m1 + "/0/*," + m2 + "/0/*))", mainnet, "threshold must be a number", nil},
		{"multi no keys", "wsh(sortedmulti(1))", mainnet, "needs a threshold and at least one key", nil},
		{"duplicate key", "wsh(sortedmulti(2," + m1 + "/0/*," + m2 + "/0/*," + m1 + "/0/*))", mainnet, "key 3 is the same extended public key as key 1", nil},
		{"mixed branches", "wsh(sortedmulti(2," + m1 + "/<0;1>/*," + m2 + "/0/*))", mainnet, "key 2: ends in /0/* but key 1 ends in /<0;1>/*", nil},
		{"bad key 3", "wsh(sortedmulti(2," + m1 + "/0/*," + m2 + "/0/*," + m3 + "/0h/*))", mainnet, "key 3: a hardened step", nil},
		{"tpub key 2", "sh(wsh(sortedmulti(2," + m1 + "/0/*," + tpubKey + "/0/*)))", mainnet, "key 2: this descriptor's key is for testnet", ErrWrongNetwork},
		{"checksum wrong", "wpkh(" + wpkhKey + "/0/*)#qqqqqqqq", mainnet, "descriptor checksum is wrong: expected #", ErrChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.in, tt.net)
			if err == nil {
				t.Fatalf("accepted: %s", d)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			for _, tok := range longTokens(tt.in) {
				if strings.Contains(err.Error(), tok) {
					t.Errorf("error %q quotes the input", err)
				}
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// flip changes one base58 character into another.
func flip(c byte) string {
	if c == 'z' {
		return "y"
	}
	return "z"
}

func TestParseAccepts(t *testing.T) {
	wpkhKey := accountText(t, WPKH, mainnet)
	xpub := wpkhKey[strings.IndexByte(wpkhKey, ']')+1:]
	canon := "wpkh(" + wpkhKey + "/<0;1>/*)"
	sum, err := Checksum(canon)
	if err != nil {
		t.Fatal(err)
	}
	canon += "#" + sum
	for _, in := range []string{
		canon,
		strings.TrimSuffix(canon, "#"+sum),
		"  " + canon + "\n",
		"\ufeff" + canon + "\r\n",
		"wpkh([73c5da0a/84'/0'/0']" + xpub + "/<0;1>/*)",
		"wpkh([73c5da0a/84h/0'/0h]" + xpub + "/<0;1>/*)",
		"wpkh([73C5DA0A/84h/0h/0h]" + xpub + "/<0;1>/*)",
		"wpkh([73c5da0a/084h/00h/0h]" + xpub + "/<0;1>/*)",
		"wpkh([73c5da0a/84h/0h/0h]" + xpub + "/<00;1>/*)",
	} {
		d, err := Parse(in, mainnet)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if d.String() != canon {
			t.Errorf("Parse(%q).String() = %s, want %s", in, d, canon)
		}
	}
	// ParseStrict wants the checksum and says which.
	if _, err := ParseStrict(canon, mainnet); err != nil {
		t.Errorf("ParseStrict(canonical): %v", err)
	}
	_, err = ParseStrict(strings.TrimSuffix(canon, "#"+sum), mainnet)
	if !errors.Is(err, ErrNoChecksum) || !strings.Contains(err.Error(), "expected #"+sum) {
		t.Errorf("ParseStrict without checksum: %v", err)
	}
	// For non-canonical text the hint is that text's own checksum.
	quoted := "wpkh([73c5da0a/84'/0'/0']" + xpub + "/<0;1>/*)"
	qsum, _ := Checksum(quoted)
	if qsum == sum {
		t.Fatal("test needs a text whose checksum differs from the canonical one")
	}
	if _, err := ParseStrict(quoted, mainnet); err == nil || !strings.Contains(err.Error(), "expected #"+qsum) {
		t.Errorf("ParseStrict(non-canonical) = %v, want hint #%s", err, qsum)
	}
	if d, err := ParseStrict(quoted+"#"+qsum, mainnet); err != nil || d.String() != canon {
		t.Errorf("ParseStrict(non-canonical with its checksum) = %v, %v", d, err)
	}
	// A single changed character is caught by the checksum.
	bad := strings.Replace(canon, "84h", "48h", 1)
	if _, err := Parse(bad, mainnet); !errors.Is(err, ErrChecksum) {
		t.Errorf("altered descriptor: %v", err)
	}
	// A master xpub without origin is its own origin.
	master := masterFromMnemonic(t, abandon, mainnet)
	mpub := must(master.Neuter()).String()
	d, err := Parse("wpkh("+mpub+"/0/*)", mainnet)
	if err != nil {
		t.Fatal(err)
	}
	k := d.Keys()[0]
	if fmt.Sprintf("%x", k.MasterFingerprint) != abandonFP || len(k.Path) != 0 {
		t.Errorf("master key origin = %x %v", k.MasterFingerprint, k.Path)
	}
	if !strings.HasPrefix(d.String(), "wpkh("+mpub+"/0/*)#") {
		t.Errorf("String() = %s", d)
	}
	if _, err := Parse("wpkh([73c5da0a]"+mpub+"/0/*)", mainnet); err != nil {
		t.Errorf("master with its own fingerprint as origin: %v", err)
	}
	if _, err := Parse("wpkh([00000000]"+mpub+"/0/*)", mainnet); err == nil || !strings.Contains(err.Error(), "not this master key's fingerprint") {
		t.Errorf("master with wrong fingerprint: %v", err)
	}
	// Signet and regtest use tpub and coin type 1 too.
	for _, net := range []*chaincfg.Params{testnet, regtest, &chaincfg.SigNetParams} {
		s := "tr(" + accountText(t, TR, net) + "/<0;1>/*)"
		if _, err := Parse(s, net); err != nil {
			t.Errorf("%s: %v", net.Name, err)
		}
	}
}

func TestKindAndAccessors(t *testing.T) {
	names := map[Kind]string{WPKH: "wpkh", SHWPKH: "sh(wpkh)", TR: "tr", WSHSortedMulti: "wsh(sortedmulti)", SHWSHSortedMulti: "sh(wsh(sortedmulti))", 0: "Kind(0)", 9: "Kind(9)"}
	for k, want := range names {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), want)
		}
	}
	if WPKH.IsMultisig() || !SHWSHSortedMulti.IsMultisig() {
		t.Error("IsMultisig is wrong")
	}
	h := uint32(hdkeychain.HardenedKeyStart)
	paths := []struct {
		kind Kind
		net  *chaincfg.Params
		want string
	}{
		{WPKH, mainnet, "m/84h/0h/5h"},
		{SHWPKH, testnet, "m/49h/1h/5h"},
		{TR, regtest, "m/86h/1h/5h"},
		{WSHSortedMulti, mainnet, "m/48h/0h/5h/2h"},
		{SHWSHSortedMulti, &chaincfg.SigNetParams, "m/48h/1h/5h/1h"},
	}
	for _, p := range paths {
		if got := FormatPath(AccountPath(p.kind, p.net, 5)); got != p.want {
			t.Errorf("AccountPath(%v, %s) = %s, want %s", p.kind, p.net.Name, got, p.want)
		}
	}
	if AccountPath(WPKH, mainnet, h) != nil || AccountPath(0, mainnet, 0) != nil {
		t.Error("AccountPath accepted a bad account or kind")
	}
	if got := FormatPath([]uint32{84 + h, 0 + h, 0 + h, 1, 5}); got != "m/84h/0h/0h/1/5" {
		t.Errorf("FormatPath = %s", got)
	}
}

func TestNewErrors(t *testing.T) {
	master := masterFromMnemonic(t, abandon, mainnet)
	if _, err := New(WSHSortedMulti, master, 0, mainnet); err == nil {
		t.Error("New(multisig) succeeded")
	}
	if _, err := New(TR, master, 0, regtest); !errors.Is(err, ErrWrongNetwork) {
		t.Errorf("New with a mainnet master for regtest: %v", err)
	}
	if _, err := New(TR, must(master.Neuter()), 0, mainnet); err == nil {
		t.Error("New with a public master succeeded")
	}
	if _, err := New(TR, must(master.Derive(hdkeychain.HardenedKeyStart)), 0, mainnet); err == nil {
		t.Error("New with a non-master key succeeded")
	}
	if _, err := New(TR, master, hdkeychain.HardenedKeyStart, mainnet); err == nil {
		t.Error("New with account 2^31 succeeded")
	}
	// The master key is left usable, and the descriptor holds no secret.
	d, err := New(WPKH, master, 3, mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if !master.IsPrivate() || master.String() != masterFromMnemonic(t, abandon, mainnet).String() {
		t.Error("New changed the master key")
	}
	if d.Keys()[0].XPub.IsPrivate() || strings.Contains(d.String(), "prv") {
		t.Error("descriptor holds a private key")
	}
	// Keys hands out copies.
	before := d.String()
	d.Keys()[0].XPub.SetNet(&chaincfg.TestNet3Params)
	d.Keys()[0].Path[0] = 0
	if d.String() != before {
		t.Error("changing a returned key changed the descriptor")
	}
	if d.Threshold() != 1 || d.Kind() != WPKH || d.Net() != mainnet || fmt.Sprint(d.Branches()) != "[0 1]" {
		t.Errorf("accessors: %d %v %s %v", d.Threshold(), d.Kind(), d.Net().Name, d.Branches())
	}
}

func TestDeriveErrors(t *testing.T) {
	d, err := New(WPKH, masterFromMnemonic(t, abandon, mainnet), 0, mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Derive(2, 0); err == nil {
		t.Error("Derive(2, 0) succeeded")
	}
	if _, err := d.Derive(0, hdkeychain.HardenedKeyStart); err == nil {
		t.Error("Derive of a hardened index succeeded")
	}
	recv, err := d.StringFor(0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(recv, "/0/*)#") {
		t.Errorf("StringFor(0) = %s", recv)
	}
	if _, err := d.StringFor(2); err == nil {
		t.Error("StringFor(2) succeeded")
	}
	single, err := ParseStrict(recv, mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := single.Derive(1, 0); err == nil {
		t.Error("Derive(1, 0) of a /0/* descriptor succeeded")
	}
	a, _ := single.Derive(0, 7)
	b, _ := d.Derive(0, 7)
	if a.Address.String() != b.Address.String() {
		t.Errorf("single-path and multipath disagree: %s %s", a.Address, b.Address)
	}
	if single.ID() == d.ID() {
		t.Error("different descriptors share an ID")
	}
}

func TestLocate(t *testing.T) {
	d, err := New(TR, masterFromMnemonic(t, abandon, mainnet), 0, mainnet)
	if err != nil {
		t.Fatal(err)
	}
	h := uint32(hdkeychain.HardenedKeyStart)
	fp := d.Keys()[0].PSBTFingerprint()
	tests := []struct {
		name string
		fp   uint32
		path []uint32
		ok   bool
	}{
		{"receive", fp, []uint32{86 + h, h, h, 0, 9}, true},
		{"change", fp, []uint32{86 + h, h, h, 1, 2147483647}, true},
		{"wrong fingerprint", fp + 1, []uint32{86 + h, h, h, 0, 9}, false},
		{"big-endian fingerprint", 0x73c5da0a, []uint32{86 + h, h, h, 0, 9}, false},
		{"branch 2", fp, []uint32{86 + h, h, h, 2, 9}, false},
		{"hardened index", fp, []uint32{86 + h, h, h, 0, 9 + h}, false},
		{"hardened branch", fp, []uint32{86 + h, h, h, h, 9}, false},
		{"other account", fp, []uint32{86 + h, h, 1 + h, 0, 9}, false},
		{"other purpose", fp, []uint32{84 + h, h, h, 0, 9}, false},
		{"too short", fp, []uint32{86 + h, h, h, 0}, false},
		{"too long", fp, []uint32{86 + h, h, h, 0, 9, 1}, false},
		{"empty", fp, nil, false},
	}
	for _, tt := range tests {
		b, i, ok := d.Locate(tt.fp, tt.path)
		if ok != tt.ok || ok && (b != tt.path[3] || i != tt.path[4]) {
			t.Errorf("%s: Locate = %d, %d, %v", tt.name, b, i, ok)
		}
	}
	// A matching path with someone else's script is not ours.
	der, _ := d.Derive(0, 9)
	other, _ := d.Derive(0, 10)
	if _, ok := d.IsMine(other.Script, fp, der.Keys[0].Path); ok {
		t.Error("IsMine accepted another address's script")
	}
	if got, ok := d.IsMine(der.Script, fp, der.Keys[0].Path); !ok || got.Index != 9 {
		t.Error("IsMine rejected its own script")
	}
}

// multisigScriptByHand assembles OP_k <sorted keys> OP_n OP_CHECKMULTISIG
// byte by byte, independently of txscript.
func multisigScriptByHand(k int, pubs [][]byte) []byte {
	sorted := append([][]byte(nil), pubs...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	s := []byte{byte(0x50 + k)}
	for _, p := range sorted {
		s = append(append(s, 0x21), p...)
	}
	return append(s, byte(0x50+len(pubs)), 0xae)
}

func TestMultisig(t *testing.T) {
	for _, kind := range []Kind{WSHSortedMulti, SHWSHSortedMulti} {
		for _, net := range []*chaincfg.Params{mainnet, regtest} {
			keys := cosigners(t, kind, 3, net)
			d, err := NewSortedMulti(kind, 2, keys, net)
			if err != nil {
				t.Fatal(err)
			}
			d2, err := ParseStrict(d.String(), net)
			if err != nil {
				t.Fatalf("ParseStrict(%s): %v", d, err)
			}
			if d2.String() != d.String() || d2.Threshold() != 2 || len(d2.Keys()) != 3 || d2.Kind() != kind {
				t.Fatalf("round trip of %s gave %s", d, d2)
			}
			for i, k := range d2.Keys() {
				if k.String() != keys[i].String() {
					t.Errorf("key %d = %s, want %s", i+1, k, keys[i])
				}
			}
			for _, pos := range [][2]uint32{{0, 0}, {0, 1}, {1, 0}, {1, 77}} {
				der, err := d2.Derive(pos[0], pos[1])
				if err != nil {
					t.Fatal(err)
				}
				var pubs [][]byte
				for i, k := range der.Keys {
					child := must(must(keys[i].XPub.Derive(pos[0])).Derive(pos[1]))
					if want := must(child.ECPubKey()).SerializeCompressed(); !bytes.Equal(k.PubKey, want) {
						t.Errorf("key %d pubkey mismatch", i+1)
					}
					if k.Fingerprint != keys[i].PSBTFingerprint() || FormatPath(k.Path) != FormatPath(append(keys[i].Path, pos[0], pos[1])) {
						t.Errorf("key %d origin %08x %s", i+1, k.Fingerprint, FormatPath(k.Path))
					}
					pubs = append(pubs, k.PubKey)
					if b, i2, ok := d2.Locate(k.Fingerprint, k.Path); !ok || b != pos[0] || i2 != pos[1] {
						t.Errorf("Locate(key %d) = %d %d %v", i+1, b, i2, ok)
					}
				}
				ws := multisigScriptByHand(2, pubs)
				if !bytes.Equal(der.WitnessScript, ws) {
					t.Fatalf("witness script %x, want %x", der.WitnessScript, ws)
				}
				h := sha256.Sum256(ws)
				var want btcutil.Address
				if kind == WSHSortedMulti {
					want = must(btcutil.NewAddressWitnessScriptHash(h[:], net))
					if der.RedeemScript != nil {
						t.Error("wsh has a redeem script")
					}
				} else {
					redeem := append([]byte{0x00, 0x20}, h[:]...)
					if !bytes.Equal(der.RedeemScript, redeem) {
						t.Errorf("redeem script %x, want %x", der.RedeemScript, redeem)
					}
					want = must(btcutil.NewAddressScriptHash(redeem, net))
				}
				if der.Address.EncodeAddress() != want.EncodeAddress() {
					t.Errorf("%v %d/%d: address %s, want %s", kind, pos[0], pos[1], der.Address, want)
				}
				if _, ok := d2.IsMine(der.Script, der.Keys[2].Fingerprint, der.Keys[2].Path); !ok {
					t.Error("IsMine(own multisig script) = false")
				}
			}
		}
	}
}

func TestNewSortedMultiErrors(t *testing.T) {
	keys := cosigners(t, WSHSortedMulti, 3, mainnet)
	if _, err := NewSortedMulti(WPKH, 1, keys, mainnet); err == nil {
		t.Error("NewSortedMulti(WPKH) succeeded")
	}
	for _, k := range []int{0, 4, -1} {
		if _, err := NewSortedMulti(WSHSortedMulti, k, keys, mainnet); err == nil {
			t.Errorf("threshold %d accepted", k)
		}
	}
	if _, err := NewSortedMulti(WSHSortedMulti, 1, nil, mainnet); err == nil {
		t.Error("no keys accepted")
	}
	if _, err := NewSortedMulti(WSHSortedMulti, 2, []Key{keys[0], keys[1], keys[0]}, mainnet); err == nil || !strings.Contains(err.Error(), "key 3 is the same") {
		t.Errorf("duplicate key: %v", err)
	}
	if _, err := NewSortedMulti(WSHSortedMulti, 2, keys, regtest); !errors.Is(err, ErrWrongNetwork) {
		t.Errorf("mainnet keys on regtest: %v", err)
	}
	// 20 keys are allowed, 21 are not.
	master := masterFromMnemonic(t, abandon, mainnet)
	var many []Key
	for i := uint32(0); i < 21; i++ {
		k, err := AccountKey(WSHSortedMulti, master, i, mainnet)
		if err != nil {
			t.Fatal(err)
		}
		many = append(many, k)
	}
	d, err := NewSortedMulti(SHWSHSortedMulti, 20, many[:20], mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(d.String(), mainnet); err != nil {
		t.Errorf("20-key descriptor does not parse: %v", err)
	}
	if _, err := NewSortedMulti(WSHSortedMulti, 2, many, mainnet); err == nil {
		t.Error("21 keys accepted")
	}
	text := strings.Replace(strings.Split(d.String(), "#")[0], "sortedmulti(20,", "sortedmulti(2,", 1)
	text = strings.Replace(text, ")))", ","+many[20].String()+"/<0;1>/*)))", 1)
	if _, err := Parse(text, mainnet); err == nil || !strings.Contains(err.Error(), "has 21 keys; at most 20") {
		t.Errorf("21 keys: %v", err)
	}
}

// BIP129's round 2 example gives the first address of a 1-of-2
// wsh(sortedmulti) of two plain public keys.
func TestSortedMultiBIP129(t *testing.T) {
	pubs := [][]byte{
		must(hexBytes("026d15412460ba0d881c21837bb999233896085a9ed4e5445bd637c10e579768ba")),
		must(hexBytes("030baf0497ab406ff50cb48b4013abac8a0338758d2fd54cd934927afa57cc2062")),
	}
	d := &Descriptor{kind: WSHSortedMulti, threshold: 1, net: mainnet}
	ws, err := sortedMultiScript(1, []DerivedKey{{PubKey: pubs[1]}, {PubKey: pubs[0]}}, d)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(ws)
	addr := must(btcutil.NewAddressWitnessScriptHash(h[:], mainnet))
	if got, want := addr.EncodeAddress(), "bc1quqy523xu3l8che3s8vja8n33qtg0uyugr9l5z092s3wa50p8t7rqy6zumf"; got != want {
		t.Errorf("address %s, want %s", got, want)
	}
}

// BIP383's sh(wsh(multi(16,...))) vector checks the script assembly and
// the sh(wsh()) wrapping for a large multisig (in the written key order;
// sortedmulti only adds the sort).
func TestMultiScriptBIP383(t *testing.T) {
	hexKeys := strings.Split("03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0,0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600,0362a74e399c39ed5593852a30147f2959b56bb827dfa3e60e464b02ccf87dc5e8,0261345b53de74a4d721ef877c255429961b7e43714171ac06168d7e08c542a8b8,02da72e8b46901a65d4374fe6315538d8f368557dda3a1dcf9ea903f3afe7314c8,0318c82dd0b53fd3a932d16e0ba9e278fcc937c582d5781be626ff16e201f72286,0297ccef1ef99f9d73dec9ad37476ddb232f1238aff877af19e72ba04493361009,02e502cfd5c3f972fe9a3e2a18827820638f96b6f347e54d63deb839011fd5765d,03e687710f0e3ebe81c1037074da939d409c0025f17eb86adb9427d28f0f7ae0e9,02c04d3a5274952acdbc76987f3184b346a483d43be40874624b29e3692c1df5af,02ed06e0f418b5b43a7ec01d1d7d27290fa15f75771cb69b642a51471c29c84acd,036d46073cbb9ffee90473f3da429abc8de7f8751199da44485682a989a4bebb24,02f5d1ff7c9029a80a4e36b9a5497027ef7f3e73384a4a94fbfe7c4e9164eec8bc,02e41deffd1b7cce11cde209a781adcffdabd1b91c0ba0375857a2bfd9302419f3,02d76625f7956a7fc505ab02556c23ee72d832f1bac391bcd2d3abce5710a13d06,0399eb0a5487515802dc14544cf10b3666623762fbed2ec38a3975716e2c29c232", ",")
	var keys [][]byte
	for _, h := range hexKeys {
		keys = append(keys, must(hexBytes(h)))
	}
	d := &Descriptor{kind: SHWSHSortedMulti, threshold: 16, net: mainnet}
	ws, err := multiScript(16, keys, d)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(ws)
	redeem := append([]byte{0x00, 0x20}, h[:]...)
	script := fmt.Sprintf("a914%x87", btcutil.Hash160(redeem))
	if want := "a9147fc63e13dc25e8a95a3cee3d9a714ac3afd96f1e87"; script != want {
		t.Errorf("script %s, want %s", script, want)
	}
}

func hexBytes(s string) ([]byte, error) {
	var b []byte
	_, err := fmt.Sscanf(s, "%x", &b)
	return b, err
}
