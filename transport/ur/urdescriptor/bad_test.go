package urdescriptor

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/descriptor/descriptortest"
	"github.com/airsign/airsign/transport/ur/cbor"
	"github.com/btcsuite/btcd/chaincfg"
)

// Pieces of hand-built crypto-output messages for the refusal table.
var (
	testPub   = mustHex("02d2b36900396c9282fa14628566582f206a5dd0bcc8d5e892611806cafb0301f0")
	testChain = mustHex("637807030d55d01f9a0cb3a7839515d796bd07706386a6eddf06cc29a65a0e29")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

type field struct {
	k uint64
	v []byte
}

func cmap(fields ...field) []byte {
	b := cbor.AppendMap(nil, len(fields))
	for _, f := range fields {
		b = append(cbor.AppendUint(b, f.k), f.v...)
	}
	return b
}

func tag(t uint64, content []byte) []byte { return append(cbor.AppendTag(nil, t), content...) }
func bstr(b []byte) []byte                { return cbor.AppendBytes(nil, b) }
func uint_(n uint64) []byte               { return cbor.AppendUint(nil, n) }
func boolean(v bool) []byte               { return cbor.AppendBool(nil, v) }

func array(items ...[]byte) []byte {
	b := cbor.AppendArray(nil, len(items))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

func keypathItem(fields ...field) []byte { return tag(tagKeypath, cmap(fields...)) }

// origin84 is [d34db33f/84h/0h/0h].
var origin84 = keypathItem(
	field{1, array(uint_(84), boolean(true), uint_(0), boolean(true), uint_(0), boolean(true))},
	field{2, uint_(0xd34db33f)},
)

func coin(typ, network uint64) []byte {
	return tag(tagCoinInfo, cmap(field{1, uint_(typ)}, field{2, uint_(network)}))
}

// hdkey builds a crypto-hdkey from the good fields, replaced or extended
// by the ones given.
func hdkey(over ...field) []byte {
	fields := []field{{3, bstr(testPub)}, {4, bstr(testChain)}, {6, origin84}, {8, uint_(0x78412e3a)}}
	for _, o := range over {
		replaced := false
		for i := range fields {
			if fields[i].k == o.k {
				fields[i], replaced = o, true
			}
		}
		if !replaced {
			fields = append(fields, o)
		}
	}
	var kept []field
	for _, f := range fields {
		if f.v != nil {
			kept = append(kept, f)
		}
	}
	// Ascending keys, as deterministic CBOR wants (the decoder does not
	// insist, but our own fixtures should be canonical).
	for i := range kept {
		for j := i + 1; j < len(kept); j++ {
			if kept[j].k < kept[i].k {
				kept[i], kept[j] = kept[j], kept[i]
			}
		}
	}
	return tag(tagHDKey, cmap(kept...))
}

func wpkh(key []byte) []byte { return tag(tagWPKH, key) }

func multi(t uint64, threshold uint64, keys ...[]byte) []byte {
	return tag(t, cmap(field{1, uint_(threshold)}, field{2, array(keys...)}))
}

func TestDecodeRefuses(t *testing.T) {
	many := make([][]byte, descriptor.MaxMultisigKeys+1)
	for i := range many {
		many[i] = hdkey()
	}
	for _, c := range []struct {
		name, urType string
		msg          []byte
		want         string
	}{
		{"not cbor", TypeCryptoOutput, []byte{0x1c}, "reserved"},
		{"empty", TypeCryptoOutput, nil, "truncated"},
		{"trailing bytes", TypeCryptoOutput, append(wpkh(hdkey()), 0), "trailing"},
		{"wrong UR type", "crypto-psbt", wpkh(hdkey()), "does not hold a wallet descriptor"},
		{"untagged top level", TypeCryptoOutput, cmap(field{1, uint_(1)}), "expected a tagged script expression"},
		{"unknown script tag", TypeCryptoOutput, tag(499, hdkey()), "unknown script expression tag 499"},
		{"bare key", TypeCryptoOutput, hdkey(), "bare key without a script type"},
		{"raw script", TypeCryptoOutput, tag(tagRaw, bstr([]byte{0x51})), "raw script"},
		{"address", TypeCryptoOutput, tag(tagAddress, cmap()), "single address"},
		{"too deep", TypeCryptoOutput, tag(tagSH, tag(tagSH, tag(tagSH, tag(tagSH, wpkh(hdkey()))))), "nest deeper"},
		{"key not tagged", TypeCryptoOutput, tag(tagWPKH, cmap(field{3, bstr(testPub)})), "expected a tagged key"},
		{"key wrong tag", TypeCryptoOutput, tag(tagWPKH, tag(999, cmap())), "found tag 999"},
		{"hdkey not a map", TypeCryptoOutput, wpkh(tag(tagHDKey, uint_(3))), "expected a map"},
		{"private hdkey", TypeCryptoOutput, wpkh(hdkey(field{2, boolean(true)})), "is a private key"},
		{"master hdkey", TypeCryptoOutput, wpkh(hdkey(field{1, boolean(true)})), "master private key"},
		{"private flag not bool", TypeCryptoOutput, wpkh(hdkey(field{2, uint_(1)})), "is a private key"},
		{"unknown hdkey field", TypeCryptoOutput, wpkh(hdkey(field{11, uint_(1)})), "other than 1–10"},
		{"no key data", TypeCryptoOutput, wpkh(hdkey(field{3, nil})), "no compressed public key"},
		{"32-byte private key data", TypeCryptoOutput, wpkh(hdkey(field{3, bstr(testChain)})), "no compressed public key"},
		{"uncompressed prefix", TypeCryptoOutput, wpkh(hdkey(field{3, bstr(append([]byte{4}, testChain...)[:33])})), "no compressed public key"},
		{"not on the curve", TypeCryptoOutput, wpkh(hdkey(field{3, bstr(append([]byte{2}, mustHex(strings.Repeat("ff", 32))...))})), "not a point on secp256k1"},
		{"no chain code", TypeCryptoOutput, wpkh(hdkey(field{4, nil})), "no chain code"},
		{"short chain code", TypeCryptoOutput, wpkh(hdkey(field{4, bstr(testChain[:31])})), "no chain code"},
		{"another coin", TypeCryptoOutput, wpkh(hdkey(field{5, coin(60, 0)})), "another coin than Bitcoin"},
		{"unknown network", TypeCryptoOutput, wpkh(hdkey(field{5, coin(0, 2)})), "neither 0 (mainnet) nor 1"},
		{"coin info untagged", TypeCryptoOutput, wpkh(hdkey(field{5, cmap()})), "not a tagged crypto-coininfo"},
		{"mixed networks", TypeCryptoOutput, tag(tagWSH, multi(tagSortedMulti, 1, hdkey(field{5, coin(0, 0)}), hdkey(field{5, coin(0, 1)}))), "different networks"},
		{"origin untagged", TypeCryptoOutput, wpkh(hdkey(field{6, cmap()})), "not a tagged crypto-keypath"},
		{"origin components not array", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, uint_(1)})})), "components are not an array"},
		{"origin wildcard", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array(array(), boolean(false))}, field{2, uint_(1)})})), "must be plain steps"},
		{"origin index too big", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array(uint_(1<<31), boolean(true))}, field{2, uint_(1)})})), "2^31 or more"},
		{"origin flag missing", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array(uint_(84))}, field{2, uint_(1)})})), "without its hardened flag"},
		{"origin flag not bool", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array(uint_(84), uint_(1))}, field{2, uint_(1)})})), "without its hardened flag"},
		{"origin without fingerprint", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array(uint_(84), boolean(true))})})), "no master key fingerprint"},
		{"origin fingerprint zero", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array()}, field{2, uint_(0)})})), "not a nonzero 32-bit"},
		{"origin depth too big", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array()}, field{3, uint_(256)})})), "depth is not a number"},
		{"partial origin", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array(uint_(0), boolean(true))}, field{2, uint_(1)}, field{3, uint_(3)})})), "gives 1 of the key's 3"},
		{"no origin", TypeCryptoOutput, wpkh(hdkey(field{6, nil})), "no origin (field 6)"},
		{"empty origin", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array()})})), "neither a path nor a master key fingerprint"},
		{"no parent fingerprint at depth 3", TypeCryptoOutput, wpkh(hdkey(field{8, nil})), "no parent fingerprint (field 8)"},
		{"coin info testnet type with mainnet", TypeCryptoOutput, tag(tagWSH, multi(tagSortedMulti, 1, hdkey(field{5, tag(tagCoinInfo, cmap(field{1, uint_(1)}))}), hdkey(field{5, coin(0, 0)}))), "different networks"},
		{"parent fingerprint zero", TypeCryptoOutput, wpkh(hdkey(field{8, uint_(0)})), "parent fingerprint"},
		{"children hardened", TypeCryptoOutput, wpkh(hdkey(field{7, keypathItem(field{1, array(uint_(0), boolean(true), array(), boolean(false))})})), "hardened branch"},
		{"children hardened wildcard", TypeCryptoOutput, wpkh(hdkey(field{7, keypathItem(field{1, array(uint_(0), boolean(false), array(), boolean(true))})})), "not BRANCH/*"},
		{"children range", TypeCryptoOutput, wpkh(hdkey(field{7, keypathItem(field{1, array(array(uint_(0), uint_(9)), boolean(false), array(), boolean(false))})})), "not BRANCH/*"},
		{"children without wildcard", TypeCryptoOutput, wpkh(hdkey(field{7, keypathItem(field{1, array(uint_(0), boolean(false))})})), "not BRANCH/*"},
		{"children pair hardened", TypeCryptoOutput, wpkh(hdkey(field{7, keypathItem(field{1, array(array(uint_(0), boolean(true), uint_(1), boolean(false)), array(), boolean(false))})})), "hardened branch"},
		{"children pair malformed", TypeCryptoOutput, wpkh(hdkey(field{7, keypathItem(field{1, array(array(uint_(0), uint_(1), uint_(1), boolean(false)), array(), boolean(false))})})), "malformed <a;b> pair"},
		{"multi threshold zero", TypeCryptoOutput, tag(tagWSH, multi(tagSortedMulti, 0, hdkey(), hdkey())), "threshold 0"},
		{"multi threshold too high", TypeCryptoOutput, tag(tagWSH, multi(tagSortedMulti, 3, hdkey(), hdkey())), "threshold 3"},
		{"multi too many keys", TypeCryptoOutput, tag(tagWSH, multi(tagSortedMulti, 2, many...)), "at most 20"},
		{"multi no keys", TypeCryptoOutput, tag(tagWSH, tag(tagSortedMulti, cmap(field{1, uint_(1)}))), "no keys"},
		{"multi no threshold", TypeCryptoOutput, tag(tagWSH, tag(tagSortedMulti, cmap(field{2, array(hdkey())}))), "no threshold"},
		{"multi not a map", TypeCryptoOutput, tag(tagWSH, tag(tagSortedMulti, array())), "expected a map"},
		{"eckey private", TypeCryptoOutput, tag(tagWPKH, tag(tagECKey, cmap(field{2, boolean(true)}, field{3, bstr(testChain)}))), "is a private key"},
		{"eckey short", TypeCryptoOutput, tag(tagWPKH, tag(tagECKey, cmap(field{3, bstr(testChain)}))), "without a 33-byte public key"},
		{"od wrong tag", TypeOutputDescriptor, tag(40000, cmap()), "expected tag 40308"},
		{"od not a map", TypeOutputDescriptor, tag(tagOutputDescV2, array()), "expected a map"},
		{"od no source", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{2, array()})), "no source text"},
		{"od source not text", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{1, bstr([]byte("wpkh(@0)"))})), "no source text"},
		{"od name not text", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{1, cbor.AppendText(nil, "wpkh(@0)")}, field{2, array(tag(tagHDKeyV2, cmap()))}, field{3, uint_(1)})), "name (key 3) is not text"},
		{"od keys not array", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{1, cbor.AppendText(nil, "wpkh(@0)")}, field{2, cmap()})), "not an array"},
		{"od key out of range", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{1, cbor.AppendText(nil, "wpkh(@1)")}, field{2, array(hdkey())})), "refers to key @1, but it carries 1 keys"},
		{"od placeholder without number", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{1, cbor.AppendText(nil, "wpkh(@)")}, field{2, array(hdkey())})), "refers to key @(nothing)"},
		{"od key unused", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{1, cbor.AppendText(nil, "wpkh(@0)")}, field{2, array(hdkey(), hdkey())})), "key 2 (@1) is not used"},
		{"od too many keys", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{1, cbor.AppendText(nil, "wpkh(@0)")}, field{2, array(many...)})), "at most 20"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decode(c.urType, c.msg)
			if err == nil {
				t.Fatalf("decoded to %s, want an error containing %q", got.Text, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want one containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), hex.EncodeToString(testChain[:8])) {
				t.Fatalf("error quotes key bytes: %q", err)
			}
		})
	}
}

// TestDecodeAccepts covers the forms other wallets write that are not in
// the published vectors.
func TestDecodeAccepts(t *testing.T) {
	const xpub = "xpub6CY2xt3mvQejPFUw26CychtL4GMq1yp41aMW2U27mvThqefpZYwXpGscV26JuVj13Fpg4kgSENheUSbTqm5f8z25zrhXpPVss5zWeMGnAKR"
	const tpubFor = "[d34db33f/84h/1h/0h]"
	for _, c := range []struct {
		name    string
		urType  string
		msg     []byte
		want    string
		wantNet string
	}{
		{"no coin info, no children", TypeCryptoOutput, wpkh(hdkey()), "wpkh([d34db33f/84h/0h/0h]" + xpub + "/<0;1>/*)", NetMain},
		{"tagged 308 at top level", TypeCryptoOutput, tag(tagCryptoOutput, wpkh(hdkey())), "wpkh([d34db33f/84h/0h/0h]" + xpub + "/<0;1>/*)", NetMain},
		{"children pair", TypeCryptoOutput, wpkh(hdkey(field{7, keypathItem(field{1, array(array(uint_(0), boolean(false), uint_(1), boolean(false)), array(), boolean(false))})})), "wpkh([d34db33f/84h/0h/0h]" + xpub + "/<0;1>/*)", NetMain},
		{"children one branch", TypeCryptoOutput, wpkh(hdkey(field{7, keypathItem(field{1, array(uint_(1), boolean(false), array(), boolean(false))})})), "wpkh([d34db33f/84h/0h/0h]" + xpub + "/1/*)", NetMain},
		{"v2 tags", TypeCryptoOutput, tag(tagWPKH, tag(tagHDKeyV2, cmap(field{3, bstr(testPub)}, field{4, bstr(testChain)}, field{6, tag(tagKeypathV2, cmap(field{1, array(uint_(84), boolean(true), uint_(0), boolean(true), uint_(0), boolean(true))}, field{2, uint_(0xd34db33f)}))}, field{8, uint_(0x78412e3a)}))), "wpkh([d34db33f/84h/0h/0h]" + xpub + "/<0;1>/*)", NetMain},
		{"test network from coin info", TypeCryptoOutput, tag(tagTR, hdkey(field{5, coin(0, 1)})), "tr([d34db33f/84h/0h/0h]tpub", NetTest},
		{"test network from the origin's coin type", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array(uint_(84), boolean(true), uint_(1), boolean(true), uint_(0), boolean(true))}, field{2, uint_(0xd34db33f)})})), "wpkh(" + tpubFor + "tpub", NetTest},
		{"sh(wsh(sortedmulti))", TypeCryptoOutput, tag(tagSH, tag(tagWSH, multi(tagSortedMulti, 1, hdkey()))), "sh(wsh(sortedmulti(1,[d34db33f/84h/0h/0h]" + xpub + "/<0;1>/*)))", NetMain},
		{"od with checksum over placeholders", TypeOutputDescriptor, tag(tagOutputDescV2, cmap(field{1, cbor.AppendText(nil, "wpkh(@0)#abcdefgh")}, field{2, array(hdkey())})), "wpkh([d34db33f/84h/0h/0h]" + xpub + "/<0;1>/*)", NetMain},
		{"master key, depth 0 given", TypeCryptoOutput, wpkh(hdkey(field{6, keypathItem(field{1, array()}, field{3, uint_(0)})}, field{8, nil})), "wpkh(xpub661MyMwAqRbc", NetUnknown},
		{"SLIP-44 testnet coin type", TypeCryptoOutput, wpkh(hdkey(field{5, tag(tagCoinInfo, cmap(field{1, uint_(1)}))})), "wpkh([d34db33f/84h/0h/0h]tpub", NetTest},
		{"od untagged", TypeOutputDescriptor, cmap(field{1, cbor.AppendText(nil, "wpkh(@0)")}, field{2, array(hdkey())}), "wpkh([d34db33f/84h/0h/0h]" + xpub + "/<0;1>/*)", NetMain},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decode(c.urType, c.msg)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.Text, c.want) {
				t.Errorf("text\n got %s\nwant %s…", got.Text, c.want)
			}
			if got.Net != c.wantNet {
				t.Errorf("network class %q, want %q", got.Net, c.wantNet)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, v := range loadVectors(f) {
		b, _ := hex.DecodeString(v.Hex)
		f.Add(v.Type == TypeOutputDescriptor, b)
	}
	for _, d := range descriptortest.Wallets(f) {
		b, _ := Encode(d)
		f.Add(false, b)
	}
	f.Add(false, wpkh(hdkey(field{7, keypathItem(field{1, array(uint_(1), boolean(false), array(), boolean(false))})})))
	f.Fuzz(func(t *testing.T, v2 bool, msg []byte) {
		typ := TypeCryptoOutput
		if v2 {
			typ = TypeOutputDescriptor
		}
		got, err := Decode(typ, msg)
		if err != nil {
			return
		}
		net := &chaincfg.MainNetParams
		if got.Net == NetTest {
			net = &chaincfg.RegressionNetParams
		}
		d, err := descriptor.ParseStrict(got.Text, net)
		if err != nil {
			return
		}
		// Whatever parses must survive our own encoding with the same
		// first receive address.
		again, err := Encode(d)
		if err != nil {
			t.Fatalf("Encode(%s): %v", d, err)
		}
		back, err := Decode(TypeCryptoOutput, again)
		if err != nil {
			t.Fatalf("Decode(Encode(%s)): %v", d, err)
		}
		d2, err := descriptor.ParseStrict(back.Text, net)
		if err != nil {
			t.Fatalf("ParseStrict(%s): %v", back.Text, err)
		}
		a1, err1 := d.Derive(d.Branches()[0], 0)
		a2, err2 := d2.Derive(d2.Branches()[0], 0)
		if err1 != nil || err2 != nil || a1.Address.EncodeAddress() != a2.Address.EncodeAddress() {
			t.Fatalf("%s re-encodes as %s", d, d2)
		}
	})
}
