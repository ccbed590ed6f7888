package ur

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestLegacySpecter decodes the legacy UR parts of Specter Desktop's bc32
// self-test (testdata/legacy-specter.json names the source) in any order,
// and checks the digest it names.
func TestLegacySpecter(t *testing.T) {
	data, err := os.ReadFile("testdata/legacy-specter.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		PSBT      string   `json:"psbt_base64"`
		Digest    string   `json:"digest"`
		Fragments []string `json:"fragments"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	want, _ := base64.StdEncoding.DecodeString(v.PSBT)
	n := len(v.Fragments)
	part := func(i int) string {
		return fmt.Sprintf("UR:BYTES/%dOF%d/%s/%s", i, n, strings.ToUpper(v.Digest), strings.ToUpper(v.Fragments[i-1]))
	}
	d := NewDecoder()
	for _, i := range []int{3, 1, 1, 2} {
		if err := d.Receive(part(i)); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	typ, cbor, err := d.Result()
	if err != nil || typ != TypeBytes {
		t.Fatalf("Result: %q %v", typ, err)
	}
	got, err := DecodePSBTPayload(typ, cbor)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("payload differs: %v", err)
	}
	if r, total, _ := d.Progress(); r != n || total != n {
		t.Errorf("progress %d/%d", r, total)
	}
	// One code holding everything, with and without its digest.
	whole := strings.Join(v.Fragments, "")
	for _, s := range []string{"ur:bytes/" + whole, "ur:bytes/" + v.Digest + "/" + whole} {
		d := NewDecoder()
		if err := d.Receive(s); err != nil || !d.Complete() {
			t.Fatalf("single: %v", err)
		}
	}
	// A wrong digest, an altered fragment, another message.
	d = NewDecoder()
	bad := strings.Replace(part(2), "QYQ3", "QYQ4", 1)
	_ = d.Receive(part(1))
	_ = d.Receive(bad)
	if err := d.Receive(part(3)); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("altered fragment: %v", err)
	}
	d = NewDecoder()
	_ = d.Receive(part(1))
	other := fmt.Sprintf("ur:bytes/1of2/%s/%s", v.Digest, v.Fragments[0])
	if err := d.Receive(other); !errors.Is(err, ErrMessageChanged) {
		t.Fatalf("other series: %v", err)
	}
	d = NewDecoder()
	wrongDigest := "ur:bytes/" + strings.Replace(v.Digest, "hlwj", "hlwq", 1) + "/" + whole
	if err := d.Receive(wrongDigest); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Fatalf("wrong digest: %v", err)
	}
	// bc32 round trip.
	if got, err := decodeBC32(encodeBC32(want)); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("bc32 round trip: %v", err)
	}
}
