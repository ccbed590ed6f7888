package online

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
)

// TestReadBDKReservesProof: a proof bdk-reserves signed (from its own test
// suite, psbt/testdata/peers/bdk-reserves) carries no message field; with
// --message it is read as that message's proof in bdk's format, finalized
// and ready for the chain check; without it, or with another message, the
// error says what to give.
func TestReadBDKReservesProof(t *testing.T) {
	e := newTestEnv(t)
	src := filepath.Join("..", "psbt", "testdata", "peers", "bdk-reserves", "signed.psbt.b64")
	const msg = "This belongs to me."
	p, tx, got, err := readReservesProof(context.Background(), e.Env, []string{src}, msg)
	if err != nil {
		t.Fatal(err)
	}
	if got != msg || p == nil || !p.IsReserves() || len(tx.TxIn) != 2 || len(tx.TxIn[1].Witness) != 2 {
		t.Fatalf("read %q, %d inputs", got, len(tx.TxIn))
	}
	if f, ok := psbt.MatchReservesFormat(tx.TxIn[0].PreviousOutPoint, msg); !ok || f != psbt.ReservesBDK {
		t.Fatalf("format %q, %v", f, ok)
	}
	if _, _, _, err := readReservesProof(context.Background(), e.Env, []string{src}, ""); err == nil || !strings.Contains(err.Error(), "needs --message") {
		t.Fatalf("without --message: %v", err)
	}
	if _, _, _, err := readReservesProof(context.Background(), e.Env, []string{src}, "Wrong message!"); err == nil || !strings.Contains(err.Error(), "does not commit to the message") {
		t.Fatalf("another message: %v", err)
	}
}
