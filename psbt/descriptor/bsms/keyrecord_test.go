package bsms

import (
	"strings"
	"testing"
)

// TestKeyRecordVectors: every round-1 key record of BIP129's test vectors
// parses and its signature verifies against its own key.
func TestKeyRecordVectors(t *testing.T) {
	for name, key := range map[string]string{
		"bip129-pubkeys-signer1-key.bsms":       "[59865f44/48'/0'/0'/2']026d15412460ba0d881c21837bb999233896085a9ed4e5445bd637c10e579768ba",
		"bip129-pubkeys-signer2-key.bsms":       "[b7044ca6/48'/0'/0'/2']030baf0497ab406ff50cb48b4013abac8a0338758d2fd54cd934927afa57cc2062",
		"bip129-no-encryption-signer1-key.bsms": "[1cf0bf7e/48'/0'/0'/2']xpub6FL8FhxNNUVnG64YurPd16AfGyvFLhh7S2uSsDqR3Qfcm6o9jtcMYwh6DvmcBF9qozxNQmTCVvWtxLpKTnhVLN3Pgnu2D3pAoXYFgVyd8Yz",
		"bip129-no-encryption-signer2-key.bsms": "[4fc1dd4a/48'/0'/0'/2']xpub6EebMbEps7ZcV3FYEnddRsvrFWDrt2tiPmCeM7pPXQEmphvq9ZfJ1LWFUDjf3vxCeBuPrfyGrMazWUsYsetrnHatQZVLJH7LsgCjtMqdzgj",
		"bip129-standard-signer1-key.bsms":      "[b7868815/48'/0'/0'/2']xpub6FA5rfxJc94K1kNtxRby1hoHwi7YDyTWwx1KUR3FwskaF6HzCbZMz3zQwGnCqdiFeMTPV3YneTGS2YQPiuNYsSvtggWWMQpEJD4jXU7ZzEh",
		"bip129-standard-signer2-key.bsms":      "",
		"bip129-extended-signer1-key.bsms":      "",
		"bip129-extended-signer2-key.bsms":      "",
	} {
		data := read(t, name)
		if !IsKeyRecord(data) {
			t.Errorf("%s: not seen as a key record", name)
		}
		r, err := ParseKeyRecord(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if key != "" && r.Key != key {
			t.Errorf("%s: key %s", name, r.Key)
		}
		if err := r.Verify(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestKeyRecordRefused: a changed key, description or signature fails
// verification; malformed lines are refused naming the line.
func TestKeyRecordRefused(t *testing.T) {
	good := string(read(t, "bip129-no-encryption-signer1-key.bsms"))
	other := strings.Split(string(read(t, "bip129-no-encryption-signer2-key.bsms")), "\n")
	lines := strings.Split(good, "\n")
	with := func(i int, s string) []byte {
		l := append([]string{}, lines...)
		l[i] = s
		return []byte(strings.Join(l, "\n"))
	}
	for _, c := range []struct {
		name string
		data []byte
		want string // from ParseKeyRecord, or else from Verify
	}{
		{"another signer's key", with(2, other[2]), "not made by the key on line 3"},
		{"another description", with(3, "Signer 2 key"), "not made by the key on line 3"},
		{"another signer's signature", with(4, other[4]), "not made by the key on line 3"},
		{"BIP322 signature", with(4, "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="), "cannot verify other forms such as BIP322"},
		{"no origin", with(2, strings.SplitN(lines[2], "]", 2)[1]), "line 3: the key has no origin"},
		{"bad token", with(1, "0"), "line 2"},
		{"long description", with(3, strings.Repeat("x", 81)), "line 4"},
		{"not a key", with(2, "[1cf0bf7e/48'/0'/0'/2']xpubnonsense"), "line 3: neither"},
		{"four lines", []byte(strings.Join(lines[:4], "\n")), "4 lines"},
		{"wrong version", with(0, "BSMS 2.0"), "line 1"},
	} {
		r, err := ParseKeyRecord(c.data)
		if err == nil {
			err = r.Verify()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// FuzzParseKeyRecord: parsing and verifying never panic.
func FuzzParseKeyRecord(f *testing.F) {
	f.Add(read(f, "bip129-no-encryption-signer1-key.bsms"))
	f.Add(read(f, "bip129-pubkeys-signer1-key.bsms"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := ParseKeyRecord(data); err == nil {
			_ = r.Verify()
		}
	})
}
