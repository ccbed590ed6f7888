package walletfile

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// peerKey is one key as the peer's own test asserts it.
type peerKey struct{ fp, path, xpub string }

// TestPeerFiles reads the files vendored from other projects' test suites
// (testdata/SOURCES.md) and checks what those projects' tests assert.
func TestPeerFiles(t *testing.T) {
	tests := []struct {
		file, typ string
		format    string
		kind      descriptor.Kind
		threshold int
		name      string
		keys      []peerKey // asserted keys (fingerprint, path, xpub in any version)
		nkeys     int
		first     string // a first receive address the file states
		peerFirst string // a first receive address the peer's test asserts (not in the file)
	}{
		// Sparrow DescriptorTest: script type P2WPKH, m/84'/0'/0', a262308d, the xpub.
		{file: "sparrow/descriptor-labelled.txt", format: "labelled descriptor", kind: descriptor.WPKH, nkeys: 1,
			keys: []peerKey{{"a262308d", "84h/0h/0h", "xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz"}}},
		{file: "sparrow/descriptor-receive-change1.txt", format: "receive and change descriptors", kind: descriptor.WPKH, nkeys: 1,
			keys: []peerKey{{"a262308d", "84h/0h/0h", "xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz"}}},
		{file: "sparrow/descriptor-receive-change2.txt", format: "receive and change descriptors", kind: descriptor.WPKH, nkeys: 1,
			keys: []peerKey{{"a262308d", "84h/0h/0h", "xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz"}}},
		// ColdcardMultisigTest: name CC-2-of-4, P2WSH, 2 of 4 keys.
		{file: "sparrow/cc-multisig-export-1.txt", format: "Coldcard multisig setup file", kind: descriptor.WSHSortedMulti, threshold: 2, nkeys: 4, name: "CC-2-of-4",
			keys: []peerKey{{"0f056943", "48h/0h/0h/2h", "xpub6EfEGa5isJbQFSswM5Uptw5BSq2Td1ZDJr3QUNUcMySpC7itZ3ccypVHtLPnvMzKQ2qxrAgH49vhVxRcaQLFbixAVRR8RACrYTp88Uv9h8Z"}}},
		// P2SH_P2WSH from "Format: P2WSH-P2SH" (Coldcard's older name).
		{file: "sparrow/cc-multisig-export-2.txt", format: "Coldcard multisig setup file", kind: descriptor.SHWSHSortedMulti, threshold: 2, nkeys: 4, name: "CC-2-of-4"},
		// CaravanMultisigTest: Test Wallet, P2WSH 2 of 3, first key 8188029f at m/48'/0'/0'/2'.
		{file: "sparrow/caravan-multisig-export-1.json", format: "Caravan wallet configuration", kind: descriptor.WSHSortedMulti, threshold: 2, nkeys: 3, name: "Test Wallet",
			keys: []peerKey{{"8188029f", "48h/0h/0h/2h", "xpub6EMVvcTUbaABdaPLaVWE72CjcN72URa5pKK1knrKLz1hKaDwUkgddc3832a8MHEpLyuow7MfjMRomt2iMtwPH4pWrFLft4JsquHjeZfKsYp"}}},
		// ColdcardSinglesigTest (generic JSON, account 123): P2SH_P2WPKH and P2WPKH.
		{file: "sparrow/cc-singlesig-keystore-1.json", typ: "sh-wpkh", format: "Coldcard generic JSON export", kind: descriptor.SHWPKH, nkeys: 1,
			keys:  []peerKey{{"0f056943", "49h/1h/123h", "tpubDCDqt7XXvhAdy1MpSze5nMJA9x8DrdRaKALRRPasfxyHpiqWWEAr9cbDBQ9BcX7cB3up98Pk97U2QQ3xrvQsi5dNPmRYYhdcsKY9wwEY87T"}},
			first: "2N87V39riUUCd4vmXfDjMWAu9gUCiBji5jB"},
		{file: "sparrow/cc-singlesig-keystore-1.json", typ: "wpkh", format: "Coldcard generic JSON export", kind: descriptor.WPKH, nkeys: 1,
			keys:  []peerKey{{"0f056943", "84h/1h/123h", "tpubDC7jGaaSE66VDB6VhEDFYQSCAyugXmfnMnrMVyHNzW9wryyTxvha7TmfAHd7GRXrr2TaAn2HXn9T8ep4gyNX1bzGiieqcTUNcu2poyntrET"}},
			first: "tb1qc58ys2dphtphg6yuugdf3d0kufmk0tye044g3l"},
		// Coldcard firmware's own generic export (with desc fields).
		{file: "coldcard/coldcard-export.json", typ: "wpkh", format: "Coldcard generic JSON export", kind: descriptor.WPKH, nkeys: 1,
			keys: []peerKey{{"0f056943", "84h/1h/0h", "tpubDC7jGaaSE66Pn4dgtbAAstde4bCyhSUs4r3P8WhMVvPByvcRrzrwqSvpF9Ghx83Z1LfVugGRrSBko5UEKELCz9HoMv5qKmGq3fqnnbS5E9r"}}, first: "tb1qupyd58ndsh7lut0et0vtrq432jvu9jtdyws9n9"},
		{file: "coldcard/coldcard-export.json", typ: "sh-wpkh", format: "Coldcard generic JSON export", kind: descriptor.SHWPKH, nkeys: 1, first: "2NCAJ5wD4GvmW32GFLVybKPNphNU8UYoEJv"},
		{file: "coldcard/export-p2wsh-myself.txt", format: "Coldcard multisig setup file", kind: descriptor.WSHSortedMulti, threshold: 2, nkeys: 4, name: "CC-2-of-4",
			keys: []peerKey{{"0f056943", "48h/1h/0h/2h", "Vpub5mtnnUUL8u4oyRf5d2NZJqDypgmpx8FontedpqxNyjXTi6fLp8fmpp2wedS6UyuNpDgLDoVH23c6rYpFSEfB9jhdbD8gek2stjxhwJeE1Eq"}}},
		{file: "coldcard/export-p2sh-p2wsh-myself.txt", format: "Coldcard multisig setup file", kind: descriptor.SHWSHSortedMulti, threshold: 2, nkeys: 4, name: "CC-2-of-4",
			keys: []peerKey{{"0f056943", "48h/1h/0h/1h", "Upub5T4XUooQzDXL58NCHk8ZCw9BsRSLCtnyHeZEExAq1XdnBFXiXVrHFuvvmh3TnCR7XmKHxkwqdACv68z7QKT1vwru9L1SZSsw8B2fuBvtSa6"}}},
		// CoboVaultSinglesigTest: m/84'/0'/0', 73c5da0a, the zpub.
		{file: "sparrow/cobo-singlesig-keystore-1.json", format: "Cobo Vault JSON export", kind: descriptor.WPKH, nkeys: 1,
			keys: []peerKey{{"73c5da0a", "84h/0h/0h", "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"}}},
		// KeystoneSinglesigTest: m/84'/0'/0', 5271c071, the zpub.
		{file: "sparrow/keystone-singlesig-keystore-1.txt", format: "key export (Keystone, Cobo)", kind: descriptor.WPKH, nkeys: 1,
			keys: []peerKey{{"5271c071", "84h/0h/0h", "zpub6rcabYFcdr41zyUNRWRyHYs2Sm86E5XV8RjjRzTFYsiCngteeZnkwaF2xuhjmM6kpHjuNpFW42BMhzPmFwXt48e1FhddMB7xidZzN4SF24K"}}},
		// ElectrumTest multisig: sh(wsh(sortedmulti(2, 4 keys))), 6ba6cfd0 and 7bb026be at m/48'/1'/0'/1'.
		{file: "sparrow/electrum-multisig-wallet.json", format: "Electrum wallet file", kind: descriptor.SHWSHSortedMulti, threshold: 2, nkeys: 4,
			keys: []peerKey{{"6ba6cfd0", "48h/1h/0h/1h", "tpubDFcrvj5n7gyatVbr8dHCUfHT4CGvL8hREBjtxc4ge7HZgqNuPhFimPRtVg6fRRwfXiQthV9EBjNbwbpgV2VoQeL1ZNXoAWXxP2L9vMtRjax"}, {"7bb026be", "48h/1h/0h/1h", ""}}},
		// SpecterDesktopTest: sh(wpkh), 4df18faa, m/49'/0'/0', the xpub.
		{file: "sparrow/specter-wallet.json", format: "Specter wallet file", kind: descriptor.SHWPKH, nkeys: 1, name: "specter-wallet",
			keys: []peerKey{{"4df18faa", "49h/0h/0h", "xpub6BgwyseZdeGJj2vB3FPHSGPxR1LLkr8AsAJqedrgjwBXKXXVWkH31fhwtQXgrM7uMrWjLwXhuDhhenNAh5eBdUSjrHkrKfaXutcJdAfgQ8D"}}},
		// BlueWallet: the Coldcard Q export named for Nunchuk (bip84/bip49 sections, with the
		// firmware's first addresses), and Nunchuk's BSMS wallet export.
		{file: "bluewallet/nunchuk-export.json", typ: "wpkh", format: "Coldcard generic JSON export", kind: descriptor.WPKH, nkeys: 1,
			keys:  []peerKey{{"b68af6e4", "84h/0h/0h", "xpub6DMiK1d7crjcan79RD6ZSTGyNCKP8RS95eioBCKf7ReyZFpoxiW2qMvLCZdNC9WiMgwyMMcLwFTxir5C4bK5aRnXgh9pAM1fjjxC1HpE6Hf"}},
			first: "bc1q8tart7tv6da6ylqauf2fde23vwgpsakxznkf7c"},
		{file: "bluewallet/nunchuk-export.json", typ: "sh-wpkh", format: "Coldcard generic JSON export", kind: descriptor.SHWPKH, nkeys: 1,
			first: "3D7gCoiv5tp13pKbxh5Rkte93AViQpZcS7"},
		{file: "bluewallet/nunchuck-bsms.txt", format: "BSMS descriptor record", kind: descriptor.WSHSortedMulti, threshold: 2, nkeys: 3,
			keys:  []peerKey{{"3f5e4e09", "48h/0h/0h", ""}, {"b96bc7c7", "48h/0h/0h", ""}, {"44437f41", "48h/0h/0h", "xpub6Cn4cYgRhXKnvNjE4ULP2mzWHFw4WtCyp1nBuE97SyZVTPwq5xWkKsTVe9c16XSTr6V9AKMDgizav7z69j4AREaMKoFzUDbdcZhVq5xaKMU"}},
			first: "bc1qjppd555998lvpgdew30kdrvu2qg90n5gg684khrc2u5g7kj8cnuqujvz3p"},
		// BlueWallet import.test: Coldcard Mk4's new-wasabi.json is 086ee178 at m/84'/0'/0'
		// with first address bc1q5y4r….
		{file: "bluewallet/coldcardmk4-new-wasabi.json", format: "Coldcard export for Wasabi", kind: descriptor.WPKH, nkeys: 1,
			keys:      []peerKey{{"086ee178", "84h/0h/0h", "xpub6CqWTnie1ut9ZDD9xDeCn1VXk83VdAPSm8ZPfPNbb8w5z1e7jyy8zuX721uKj8u4GNxXqAevgEZjciUansnyz6ZhnSKyQWZwx2dpAxuCuDe"}},
			peerFirst: "bc1q5y4r767v5fzx74ez4nw36hjqrhr4ayeyut5px6"},
		// Keystone firmware (rust/apps/bitcoin multi_sig tests): the setup files it
		// reads, with the first address its test derives.
		{file: "keystone/keystone-p2wsh-2of2.txt", format: "Coldcard multisig setup file", kind: descriptor.WSHSortedMulti, threshold: 2, nkeys: 2, name: "testnet1",
			keys:      []peerKey{{"c45358fa", "48h/1h/0h/2h", "tpubDEkyN1rhRi4YTeUvpev7Fo9imQo9QNqjtDEYtZVtrVhCUmFfvACyi2czyccg31Aoad24vHCki4edpnVw6kkmJahyvBD35MHooGp7iSXcCjk"}, {"73c5da0a", "48h/1h/0h/2h", ""}},
			peerFirst: "tb1qr7y0qr6uqyspjtst0sex8hyj3g47dfz0v5njs9x22kk6jzz3ee4qd5qrd7"},
		{file: "keystone/keystone-p2wsh-p2sh-2of2.txt", format: "Coldcard multisig setup file", kind: descriptor.SHWSHSortedMulti, threshold: 2, nkeys: 2, name: "testnet1",
			keys:      []peerKey{{"c45358fa", "48h/1h/0h/1h", ""}, {"73c5da0a", "48h/1h/0h/1h", "tpubDFH9dgzveyD8yHQb8VrpG8FYAuwcLMHMje2CCcbBo1FpaGzYVtJeYYxcYgRqSTta5utUFts8nPPHs9C2bqoxrey5jia6Dwf9mpwrPq7YvcJ"}},
			peerFirst: "2N77EPE2yfeTLR3CwNUCBQ7LZEUGW6N9B6y"},
		// Keystone's parse test: name CC-2-of-3, 2 of 3, P2WSH, m/48'/0'/0'/2', the three xfps.
		{file: "keystone/coldcard-2of3-parsed-by-keystone.txt", format: "Coldcard multisig setup file", kind: descriptor.WSHSortedMulti, threshold: 2, nkeys: 3, name: "CC-2-of-3",
			keys: []peerKey{{"748cc6aa", "48h/0h/0h/2h", "xpub6F6iZVTmc3KMgAUkV9JRNaouxYYwChRswPN1ut7nTfecn6VPRYLXFgXar1gvPUX27QH1zaVECqVEUoA2qMULZu5TjyKrjcWcLTQ6LkhrZAj"},
				{"c2202a77", "48h/0h/0h/2h", "xpub6EiTGcKqBQy2uTat1QQPhYQWt8LGmZStNqKDoikedkB72sUqgF9fXLUYEyPthqLSb6VP4akUAsy19MV5LL8SvqdzvcABYUpKw45jA1KZMhm"},
				{"5271c071", "48h/0h/0h/2h", "xpub6EWksRHwPbDmXWkjQeA6wbCmXZeDPXieMob9hhbtJjmrmk647bWkh7om5rk2eoeDKcKG6NmD8nT7UZAFxXQMjTnhENTwTEovQw3MDQ8jJ16"}}},
		// Wasabi's wallet file (as written by the KeyManager of GingerWallet, Wasabi's
		// fork): both accounts; TestWasabiHdPubKeys checks its 22 receive keys.
		{file: "wasabi/gingerwallet-keymanager.json", typ: "wpkh", format: "Wasabi wallet file", kind: descriptor.WPKH, nkeys: 1,
			keys: []peerKey{{"a60e43c8", "84h/0h/0h", "xpub6BkRV4gFz75r7rp43Qcn6pZ38EVwk4R3aseBx4pccRxAKHLsP5myL2oLDcXg5zH8sLoc9yV938k5zzu2QBQefhRc9gzqqrMcWooT1gmuVbj"}}},
		{file: "wasabi/gingerwallet-keymanager.json", typ: "tr", format: "Wasabi wallet file", kind: descriptor.TR, nkeys: 1,
			keys: []peerKey{{"a60e43c8", "86h/0h/0h", "xpub6CdWEHSNG669jMU4JTT7GdsuFjAr5m4tCuUf7nynEpFoe2rqjnt8CXCJeBuvY3hV7NxSJ2gtf9Z4Kfusn2bw6LYFbtKnJWT2JgZJUA6bHdy"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.typ, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			w, err := Read(data, tt.typ)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if w.Format != tt.format || w.Name != tt.name {
				t.Errorf("format %q name %q, want %q %q", w.Format, w.Name, tt.format, tt.name)
			}
			net := &chaincfg.MainNetParams
			if w.Net == NetTest {
				net = &chaincfg.TestNet3Params
			}
			d, err := descriptor.ParseStrict(w.Descriptor, net)
			if err != nil {
				t.Fatalf("ParseStrict(%s): %v", w.Descriptor, err)
			}
			if tt.threshold == 0 {
				tt.threshold = 1
			}
			if d.Kind() != tt.kind || d.Threshold() != tt.threshold || len(d.Keys()) != tt.nkeys {
				t.Errorf("got %s %d of %d keys, want %s %d of %d", d.Kind(), d.Threshold(), len(d.Keys()), tt.kind, tt.threshold, tt.nkeys)
			}
			if !d.HasBranch(0) || (!d.HasBranch(1) && w.Format != "labelled descriptor") {
				t.Errorf("%s: want both branches", w.Descriptor)
			}
			for _, pk := range tt.keys {
				checkKey(t, d, pk)
			}
			if tt.first != "" {
				got, err := d.FirstAddress()
				if err != nil || got != tt.first {
					t.Errorf("first address %s (%v), want %s", got, err, tt.first)
				}
				if w.First != tt.first {
					t.Errorf("w.First %q, want %q", w.First, tt.first)
				}
			}
			if tt.peerFirst != "" {
				if got, err := d.FirstAddress(); err != nil || got != tt.peerFirst {
					t.Errorf("first address %s (%v), want %s", got, err, tt.peerFirst)
				}
			}
			if err := w.Check(d); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestWasabiHdPubKeys: Wasabi's wallet file lists the receive keys it has
// handed out (HdPubKeys, 84'/0'/0'/0/0 … /0/21); the wallet read from the
// file must derive the same keys at the same indexes.
func TestWasabiHdPubKeys(t *testing.T) {
	data, err := os.ReadFile("testdata/wasabi/gingerwallet-keymanager.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		HdPubKeys []struct{ PubKey, FullKeyPath string }
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	w, err := Read(data, "wpkh")
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.ParseStrict(w.Descriptor, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.HdPubKeys) != 22 {
		t.Fatalf("%d HdPubKeys, want 22", len(f.HdPubKeys))
	}
	for i, k := range f.HdPubKeys {
		if want := fmt.Sprintf("84'/0'/0'/0/%d", i); k.FullKeyPath != want {
			t.Fatalf("HdPubKeys[%d] is %s, want %s", i, k.FullKeyPath, want)
		}
		der, err := d.Derive(0, uint32(i))
		if err != nil {
			t.Fatal(err)
		}
		pk, err := btcec.ParsePubKey(mustHex(t, k.PubKey))
		if err != nil {
			t.Fatal(err)
		}
		want, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pk.SerializeCompressed()), &chaincfg.MainNetParams)
		if err != nil {
			t.Fatal(err)
		}
		if der.Address.EncodeAddress() != want.EncodeAddress() {
			t.Errorf("receive %d: %s, Wasabi's key gives %s", i, der.Address.EncodeAddress(), want.EncodeAddress())
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkKey(t *testing.T, d *descriptor.Descriptor, pk peerKey) {
	t.Helper()
	for _, k := range d.Keys() {
		if hex.EncodeToString(k.MasterFingerprint[:]) != pk.fp {
			continue
		}
		if got := strings.TrimPrefix(descriptor.FormatPath(k.Path), "m/"); got != pk.path {
			t.Errorf("key %s path %s, want %s", pk.fp, got, pk.path)
		}
		if pk.xpub != "" {
			want, _, _, err := descriptor.StandardKey(pk.xpub)
			if err != nil || k.XPub.String() != want {
				t.Errorf("key %s xpub %s, want %s (%v)", pk.fp, k.XPub, want, err)
			}
		}
		return
	}
	t.Errorf("no key with fingerprint %s", pk.fp)
}

// TestPeerFilesRefused checks the files the peers' own tests expect to be
// refused, and the ones airsign refuses for a reason it names.
func TestPeerFilesRefused(t *testing.T) {
	tests := []struct {
		file, typ string
		want      error
		says      string
	}{
		// CaravanMultisigTest: requiredSigners 0, and totalSigners 3 with 2 keys.
		{"sparrow/caravan-multisig-export-2.json", "", ErrInconsistent, "threshold of 0"},
		{"sparrow/caravan-multisig-export-3.json", "", ErrInconsistent, "totalSigners is 3"},
		// A Coldcard generic export holds several wallets.
		{"coldcard/coldcard-export.json", "", ErrChoose, "--type (sh-wpkh, wpkh)"},
		{"sparrow/cc-singlesig-keystore-1.json", "tr", ErrMissing, "no tr wallet"},
		// One cosigner's key is not a wallet.
		{"sparrow/cc-multisig-keystore-1.json", "", ErrUnsupported, "wallet multisig"},
		// Specter's multi() is not sortedmulti: its addresses differ.
		{"sparrow/specter-multisig-wallet.json", "", ErrUnsupported, "multi()"},
		// A single plain descriptor is the caller's to read.
		{"sparrow/descriptor-multipath.txt", "", ErrNotWalletFile, "plain descriptor"},
		{"sparrow/descriptor-receive.txt", "", ErrNotWalletFile, "plain descriptor"},
		// Keystone writes legacy P2SH (m/45') setup files; airsign has no sh(sortedmulti).
		{"keystone/keystone-generated-p2sh-2of2.txt", "", ErrUnsupported, "legacy P2SH multisig"},
		// Wasabi's wallet file holds a SegWit and a Taproot account.
		{"wasabi/gingerwallet-keymanager.json", "", ErrChoose, "--type (wpkh, tr)"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Read(data, tt.typ)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("got %v, want %v saying %q", err, tt.want, tt.says)
			}
		})
	}
}

// TestKeystoneMixedPathsAddress: with key 3's coin type made consistent,
// the unchained-wallets file Keystone's test uses gives the address that
// test asserts, so the refusal below is the check's, not a misreading.
func TestKeystoneMixedPathsAddress(t *testing.T) {
	data, err := os.ReadFile("testdata/keystone/unchained-mixed-paths-parsed-by-keystone.txt")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Read(data, "")
	if err != nil {
		t.Fatal(err)
	}
	// The coin type of a key origin does not enter the script: writing 0h
	// for key 3's 1h leaves the addresses as they are.
	body, _, err := descriptor.SplitChecksum(w.Descriptor)
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := withSum(strings.Replace(body, "[73c5da0a/48h/1h/0h/2h]", "[73c5da0a/48h/0h/0h/2h]", 1))
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.ParseStrict(fixed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := d.FirstAddress(); err != nil || got != "3A3vK8133WTMePMpPDmZSqSqK3gobohtG8" {
		t.Errorf("first address %s (%v), want Keystone's 3A3vK8133WTMePMpPDmZSqSqK3gobohtG8", got, err)
	}
}

// TestPeerFilesContradictory: two peer fixtures name a derivation path the
// xpub itself contradicts (its depth or child number); Sparrow's tests do
// not look, airsign's descriptor check refuses them with the key at fault.
func TestPeerFilesContradictory(t *testing.T) {
	tests := []struct{ file, says string }{
		// Sparrow ColdcardMultisigTest asserts name el-CC-3-of-3-sb-2, 3 of 3,
		// first key 06b57041; its third key says m/47'/0'/0'/1' but is child 2'.
		{"sparrow/cc-multisig-export-multideriv.txt", "key 3: key origin ends in 1h but the xpub is child 2h"},
		// Sparrow ElectrumTest asserts m/49'/0'/0' for an xpub at depth 4.
		{"sparrow/electrum-singlesig-wallet.json", "key origin has 3 derivation steps but the xpub is at depth 4"},
		// Keystone's test derives 3A3vK8133WTMePMpPDmZSqSqK3gobohtG8 from this
		// unchained-wallets file, whose third (mainnet) key says coin type 1'.
		{"keystone/unchained-mixed-paths-parsed-by-keystone.txt", "key 3: the key origin's coin type is 1h"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			w, err := Read(data, "")
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			_, err = descriptor.ParseStrict(w.Descriptor, &chaincfg.MainNetParams)
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("got %v, want %q", err, tt.says)
			}
		})
	}
}

func parseTest(t *testing.T, s string) *descriptor.Descriptor {
	t.Helper()
	d, err := descriptor.ParseStrict(s, &chaincfg.TestNet3Params)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBSMSUppercaseAddress: Sparrow's BIP129 record whose first address is
// upper-case bech32 (psbt/descriptor/bsms/testdata/README.md) reads as its
// wallet, and the first-address check passes.
func TestBSMSUppercaseAddress(t *testing.T) {
	w, d := readMainnetFile(t, filepath.Join("..", "descriptor", "bsms", "testdata", "sparrow-multisig-4.bsms"))
	if err := w.Check(d); err != nil || w.Net != NetMain || d.Threshold() != 2 {
		t.Errorf("net %q, %s: %v", w.Net, d, err)
	}
}

// TestSpecterDIYAndSparrowFile: Sparrow's export for Specter DIY
// ("addwallet NAME&DESCRIPTOR", no children, no checksum) reads as its
// 2-of-3; a Sparrow wallet file is named and refused, not taken for a
// malformed descriptor.
func TestSpecterDIYAndSparrowFile(t *testing.T) {
	w, d := readMainnetFile(t, filepath.Join("testdata", "sparrow", "specter-diy-export.txt"))
	if w.Name != "Sparrow Multisig" || w.Format != "Specter DIY addwallet command" || !w.NoChecksum ||
		d.Kind() != descriptor.WSHSortedMulti || d.Threshold() != 2 || len(d.Keys()) != 3 || !d.HasBranch(1) {
		t.Errorf("read as %+v: %s", w, d)
	}
	for _, c := range []struct{ in, says string }{
		{"addwallet x", "addwallet NAME&DESCRIPTOR"},
		{"addwallet x&wsh(multi(1,xpub))", "uses multi()"},
	} {
		if _, err := Read([]byte(c.in), ""); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%q: %v", c.in, err)
		}
	}
	sp, err := os.ReadFile(filepath.Join("testdata", "sparrow", "sparrow-single-seed-wallet"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Read(sp, ""); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "Sparrow wallet file") {
		t.Errorf("Sparrow wallet file: %v", err)
	}
}

// readMainnetFile reads a mainnet wallet file and parses its descriptor.
func readMainnetFile(t *testing.T, path string) (*Wallet, *descriptor.Descriptor) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Read(data, "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.ParseStrict(w.Descriptor, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return w, d
}
