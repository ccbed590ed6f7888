package offline

import (
	"path/filepath"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

// TestColdcardGenericCosigner: Coldcard firmware's own generic JSON export
// (psbt/walletfile/testdata/coldcard, source named there) gives its BIP48
// keys as multisig cosigners.
func TestColdcardGenericCosigner(t *testing.T) {
	file := filepath.Join("..", "psbt", "walletfile", "testdata", "coldcard", "coldcard-export.json")
	for kind, want := range map[descriptor.Kind]string{
		descriptor.WSHSortedMulti:   "[0f056943/48h/1h/0h/2h]tpubDF2rnouQaaYrXF4noGTv6rQYmx87cQ4GrUdhpvXkhtChwQPbdGTi8GA88NUaSrwZBwNsTkC9bFkkC8vDyGBVVAQTZ2AS6gs68RQXtXcCvkP",
		descriptor.SHWSHSortedMulti: "[0f056943/48h/1h/0h/1h]tpubDF2rnouQaaYrUEy2JM1YD3RFzew4onawGM4X2Re67gguTf5CbHonBRiFGe3Xjz7DK88dxBFGf2i7K1hef3PM4cFKyUjcbJXddaY9F5tJBoP",
	} {
		got, _, err := cosignerKey(file, kind, &chaincfg.TestNet3Params)
		if err != nil || got != want {
			t.Errorf("%s: %s, %v; want %s", kind, got, err, want)
		}
	}
}
