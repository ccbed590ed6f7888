package online

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

func TestBroadcast(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WSHSortedMulti))
	e.fundAt(t, w, 0, 0, 100_000_000)
	e.fundAt(t, w, 0, 1, 100_000_000)
	// Two prepared transactions spending different coins.
	signed := map[string][]string{}
	var txids []string
	for i, name := range []string{"a", "b"} {
		out := e.path(name + ".psbt")
		coin := strings.Fields(func() string {
			e.reset()
			if err := ListUTXOs(context.Background(), e.Env, UTXOOptions{Wallet: "w"}); err != nil {
				t.Fatal(err)
			}
			return strings.Split(e.out.String(), "\n")[1+i]
		}())[0]
		if err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, i).EncodeAddress() + ":0.1"},
			Coins: []string{coin}, FeeRate: 2, Out: out}); err != nil {
			t.Fatal(err)
		}
		p := readPSBTFile(t, out)
		txids = append(txids, p.UnsignedTx().TxHash().String())
		for k := 0; k < 2; k++ {
			c, _ := p.Clone()
			if _, err := psbt.Sign(c, testMaster(t, k)); err != nil {
				t.Fatal(err)
			}
			raw, _ := c.Encode()
			f := e.path(name + "-signed-" + itoa(int64(k)) + ".psbt")
			if err := os.WriteFile(f, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			signed[name] = append(signed[name], f)
		}
	}
	bad := []struct {
		name string
		opts BroadcastOptions
		want string
	}{
		{"other transaction", BroadcastOptions{Sources: signed["b"][:1], ExpectTxID: txids[0]},
			signed["b"][0] + " is a PSBT for transaction " + txids[1] + ", not the expected " + txids[0]},
		{"mixed transactions", BroadcastOptions{Sources: []string{signed["a"][0], signed["b"][1]}},
			"PSBT 2 is for transaction " + txids[1] + ", not " + txids[0]},
		{"one cosigner only", BroadcastOptions{Sources: signed["a"][:1]}, "not fully signed yet"},
		{"unsigned", BroadcastOptions{Sources: []string{e.path("a.psbt")}}, "not fully signed yet"},
		{"bad expect", BroadcastOptions{Sources: signed["a"], ExpectTxID: "xyz"}, "--expect-txid"},
		{"fee cap", BroadcastOptions{Sources: signed["a"], MaxFeeRate: 1.5}, "above the 1.5 sat/vB cap"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Wallet, c.opts.Yes = "w", true
			err := Broadcast(context.Background(), e.Env, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v\nwant %q", err, c.want)
			}
		})
	}
	if len(e.chain.txs) != 2 {
		t.Fatal("a refused broadcast sent something")
	}

	e.reset()
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: signed["a"], DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "dry run: fake node would accept it; nothing was sent") || len(e.chain.txs) != 2 {
		t.Fatalf("dry run: %s", e.errs)
	}
	e.reset()
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: signed["a"], ExpectTxID: txids[0]}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(e.out.String()) != txids[0] {
		t.Fatalf("printed %q, want the txid", e.out)
	}
	e.reset()
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: signed["a"]}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "already known to the node: in the mempool, not yet confirmed") {
		t.Fatalf("second broadcast: %s", e.errs)
	}
	// Once mined, the node (like Core) rejects it as spending spent coins:
	// broadcast must look it up and report it confirmed, not "rejected".
	e.chain.mine()
	e.reset()
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: signed["a"]}); err != nil {
		t.Fatalf("broadcast of a mined transaction: %v", err)
	}
	if !strings.Contains(e.errs.String(), "already known to the node: 1 confirmation") {
		t.Fatalf("broadcast of a mined transaction: %s", e.errs)
	}
}

// noTestChain cannot test a transaction without sending it, like Esplora.
type noTestChain struct{ *fakeChain }

func (noTestChain) TestMempoolAccept(context.Context, *wire.MsgTx, float64) (backend.Acceptance, error) {
	return backend.Acceptance{}, fmt.Errorf("fake esplora cannot: %w", backend.ErrUnsupported)
}

func TestBroadcastWithoutTestAccept(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.TR))
	e.fundAt(t, w, 0, 0, 100_000_000)
	if err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":0.1"}, FeeRate: 2, Out: e.path("p.psbt")}); err != nil {
		t.Fatal(err)
	}
	p := readPSBTFile(t, e.path("p.psbt"))
	if _, err := psbt.Sign(p, testMaster(t, 0)); err != nil {
		t.Fatal(err)
	}
	raw, _ := p.Encode()
	if err := os.WriteFile(e.path("s.psbt"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	e.Connect = func(context.Context, *chaincfg.Params) (backend.Backend, error) { return noTestChain{e.chain}, nil }
	e.reset()
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: []string{e.path("s.psbt")}, DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "warning: fake node cannot test a transaction without sending it; nothing was sent") || len(e.chain.txs) != 1 {
		t.Fatalf("dry run: %s", e.errs)
	}
	e.reset()
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: []string{e.path("s.psbt")}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "cannot test the transaction first; sending it") || len(e.chain.txs) != 2 {
		t.Fatalf("send: %s", e.errs)
	}
	e.reset()
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: []string{e.path("s.psbt")}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "already known to the node") {
		t.Fatalf("second send: %s", e.errs)
	}
}

// TestBroadcastAsksFirst: broadcast shows where the money goes, the fee and
// the digest, and sends only on "y"; without a terminal it needs --yes and
// refuses before reading anything.
func TestBroadcastAsksFirst(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 100_000_000)
	if err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":0.1"}, FeeRate: 2, Out: e.path("p.psbt")}); err != nil {
		t.Fatal(err)
	}
	p := readPSBTFile(t, e.path("p.psbt"))
	digest := strings.ToUpper(psbt.Analyze(p, regtest, 0, nil).Digest)
	if _, err := psbt.Sign(p, testMaster(t, 0)); err != nil {
		t.Fatal(err)
	}
	raw, _ := p.Encode()
	if err := os.WriteFile(e.path("s.psbt"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	sent := len(e.chain.txs)
	opts := BroadcastOptions{Wallet: "w", Sources: []string{e.path("s.psbt")}}

	e.reset()
	err := Broadcast(context.Background(), e.Env, opts)
	if err == nil || !strings.Contains(err.Error(), "no terminal to ask at") || !strings.Contains(strings.Join(transport.Hints(err), " "), "--yes") {
		t.Fatalf("without a terminal or --yes: %v %q", err, transport.Hints(err))
	}
	if e.errs.Len() != 0 || len(e.chain.txs) != sent {
		t.Fatalf("refused, but read or sent something: %s", e.errs)
	}

	var asked []string
	answer := "n"
	e.Ask = func(_ context.Context, q string) (string, error) {
		asked = append(asked, q)
		return answer, nil
	}
	e.reset()
	if err := Broadcast(context.Background(), e.Env, opts); !errors.Is(err, ErrNotSent) {
		t.Fatalf("answered no: %v", err)
	}
	if len(e.chain.txs) != sent || len(asked) != 1 || !strings.HasSuffix(asked[0], "send? [y/N] ") {
		t.Fatalf("answered no: sent %d, asked %q", len(e.chain.txs)-sent, asked)
	}
	for _, want := range []string{"pays   0.10000000 BTC to " + payee(t, 1).EncodeAddress(), "(the wallet's)", "fee    0.00000", "digest " + digest} {
		if !strings.Contains(e.errs.String(), want) {
			t.Errorf("the screen before \"send?\" lacks %q:\n%s", want, e.errs)
		}
	}
	answer = "y"
	e.reset()
	if err := Broadcast(context.Background(), e.Env, opts); err != nil {
		t.Fatal(err)
	}
	if len(e.chain.txs) != sent+1 || strings.TrimSpace(e.out.String()) != p.TxID() {
		t.Fatalf("answered yes: sent %d, printed %q", len(e.chain.txs)-sent, e.out)
	}
}
