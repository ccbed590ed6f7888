package parts

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestSpecterParts: Specter's pMofN animation in any order, pasted as a
// block, and what is refused.
func TestSpecterParts(t *testing.T) {
	psbt := append([]byte("psbt\xff"), bytes.Repeat([]byte{1, 2, 3, 4, 5}, 40)...)
	b64 := base64.StdEncoding.EncodeToString(psbt)
	n := 3
	size := (len(b64) + n - 1) / n
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, fmt.Sprintf("p%dof%d %s", i+1, n, b64[i*size:min(len(b64), (i+1)*size)]))
	}
	c := NewCollector()
	for _, i := range []int{1, 2, 1} {
		if _, err := c.Add(parts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if p := c.Progress(); p.Received != 2 || p.Total != 3 || p.Format != FormatSpecter {
		t.Fatalf("progress %+v", p)
	}
	if _, err := c.Add(parts[0]); err != nil || !c.Complete() {
		t.Fatalf("complete: %v", err)
	}
	if got, _ := c.PSBT(); !bytes.Equal(got, psbt) {
		t.Fatal("wrong PSBT")
	}
	// Pasted as one block.
	c = NewCollector()
	if _, err := c.Add(strings.Join(parts, "\n")); err != nil || !c.Complete() {
		t.Fatalf("block: %v", err)
	}
	// Not a PSBT: the reason names what the parts join into.
	c = NewCollector()
	_, err := c.Add("p1of2 bc1qar0srrr7xfkvy5l6\np2of2 43lydnw9re59gtzzwf5mdq")
	if !errors.Is(err, ErrNotPSBT) || !strings.Contains(err.Error(), "Specter parts join into a Bitcoin address") {
		t.Fatalf("address: %v", err)
	}
	// Part numbers out of range; another animation starts over.
	if _, err := NewCollector().Add("p3of2 abc"); err == nil {
		t.Fatal("p3of2 accepted")
	}
	c = NewCollector()
	_, _ = c.Add(parts[0])
	if _, err := c.Add("p1of4 cHNidP8"); !errors.Is(err, ErrStartedOver) {
		t.Fatalf("another animation: %v", err)
	}
}
