package offline

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
)

const (
	mnemonicA = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	mnemonicB = "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong"
	mnemonicC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
	mnemonicX = "letter advice cage absurd amount doctor acoustic avoid letter advice cage above"
)

// sortedMulti is a threshold-of-n wsh(sortedmulti) of the keys' account 0.
func sortedMulti(t *testing.T, threshold int, keys ...*Key) *descriptor.Descriptor {
	t.Helper()
	var ks []descriptor.Key
	for _, k := range keys {
		ak, err := descriptor.AccountKey(descriptor.WSHSortedMulti, k.Master, 0, regtest)
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, ak)
	}
	d, err := descriptor.NewSortedMulti(descriptor.WSHSortedMulti, threshold, ks, regtest)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestEnrollRefusesForeignQuorum: a multisig in which one key not ours
// spends alone is refused with who can, unless allowed; the allowance is
// under the tag and comes back at every load. Where several keys not ours
// are needed together (an ordinary 2-of-3), it is said, not refused.
func TestEnrollRefusesForeignQuorum(t *testing.T) {
	a, b, c, x := keyOfMnemonic(t, mnemonicA), keyOfMnemonic(t, mnemonicB), keyOfMnemonic(t, mnemonicC), keyOfMnemonic(t, mnemonicX)
	dir := t.TempDir()
	mn := filepath.Join(dir, "mnemonic.txt")
	if err := os.WriteFile(mn, []byte(mnemonicA+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		d    *descriptor.Descriptor
		who  string // "" when it is enrolled without the flag
		note string // what enrollment says when it is enrolled without it
	}{
		{"1-of-2 ours and theirs", sortedMulti(t, 1, a, b), "the key " + fpOf(b) + ", which is not ours, can spend every coin alone", ""},
		{"1-of-3", sortedMulti(t, 1, a, b, c), "any one of the keys " + fpOf(b) + ", " + fpOf(c) + ", none of them ours, can spend every coin alone", ""},
		{"2-of-3 two foreign", sortedMulti(t, 2, a, b, c), "", "the keys " + fpOf(b) + ", " + fpOf(c) + ", none of them ours, can spend every coin together"},
		{"2-of-4 three foreign", sortedMulti(t, 2, a, b, c, x), "", "any 2 of the keys"},
		{"2-of-2", sortedMulti(t, 2, a, b), "", ""},
		{"3-of-3", sortedMulti(t, 3, a, b, c), "", ""},
		{"4-of-4", sortedMulti(t, 4, a, b, c, x), "", ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			var said bytes.Buffer
			env := &Env{Stdout: &said, Stderr: &said, Net: regtest}
			err := Enroll(env, EnrollOptions{Key: KeySource{MnemonicFile: mn}, Descriptor: tc.d.String(), Out: out})
			if tc.who == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got := strings.Contains(said.String(), "none of them ours"); got != (tc.note != "") || !strings.Contains(said.String(), tc.note) {
					t.Fatalf("enrollment said %q; want %q", said.String(), tc.note)
				}
				if who, err := loadForeignQuorum(env, out, a); err != nil || who != "" {
					t.Fatalf("load: %v, %q", err, who)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.who) || !strings.Contains(err.Error(), "--allow-foreign-quorum") {
				t.Fatalf("error %v, want a refusal saying %q", err, tc.who)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("the refused enrollment was written")
			}
			if err := Enroll(env, EnrollOptions{Key: KeySource{MnemonicFile: mn}, Descriptor: tc.d.String(), Out: out, AllowForeignQuorum: true}); err != nil {
				t.Fatal(err)
			}
			if who, err := loadForeignQuorum(env, out, a); err != nil || !strings.Contains(who, tc.who) {
				t.Fatalf("load: %v, foreign quorum %q", err, who)
			}
			if i > 0 {
				return
			}
			// Dropping the allowance from the file breaks the tag; so
			// would adding it to a file enrolled without it.
			data, _ := os.ReadFile(out)
			edited := strings.Replace(string(data), `"allow_foreign_quorum": true,`, "", 1)
			if edited == string(data) {
				t.Fatal("the enrollment does not record the allowance")
			}
			os.WriteFile(out, []byte(edited), 0o644)
			if _, err := loadForeignQuorum(env, out, a); err == nil || !strings.Contains(err.Error(), "was not enrolled with this key") {
				t.Fatalf("an enrollment stripped of its allowance loaded: %v", err)
			}
		})
	}
}

func fpOf(k *Key) string { return psbt.FormatFingerprint(k.Fingerprint) }

// loadForeignQuorum reads and verifies an enrollment as sign does and
// returns what every signature would show about it.
func loadForeignQuorum(env *Env, path string, key *Key) (string, error) {
	e, d, err := ReadEnrollment(env, path)
	if err != nil {
		return "", err
	}
	if err := VerifyEnrollment(key, path, e, d); err != nil {
		return "", err
	}
	return AllowedForeignQuorum(key, e, d), nil
}
