package backend

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/airsign/airsign/transport"
)

func TestNewEsploraConfig(t *testing.T) {
	tests := []struct {
		cfg  Config
		name string // Name() or error substring
		ok   bool
	}{
		{Config{URL: "https://example.org/api/"}, "Esplora at https://example.org/api", true},
		{Config{URL: "http://u:pw@127.0.0.1:3002?x=1"}, "Esplora at http://127.0.0.1:3002", true},
		{Config{URL: "https://example.org/api", Proxy: "socks5h://127.0.0.1:9050"}, "Esplora at https://example.org/api", true},
		{Config{}, "no URL given", false},
		{Config{URL: "example.org"}, "is not a URL like", false},
		{Config{URL: "ftp://example.org"}, `scheme "ftp"`, false},
		{Config{URL: "https://example.org", Proxy: "ftp://127.0.0.1:9050"}, `proxy scheme "ftp"`, false},
		{Config{URL: "https://example.org", Proxy: "127.0.0.1:9050"}, "is not a URL like socks5h://", false},
	}
	for _, tt := range tests {
		e, err := NewEsplora(tt.cfg)
		switch {
		case tt.ok && err != nil:
			t.Errorf("%+v: %v", tt.cfg, err)
		case tt.ok && e.Name() != tt.name:
			t.Errorf("%+v: Name() = %q, want %q", tt.cfg, e.Name(), tt.name)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), tt.name)):
			t.Errorf("%+v: error %v, want %q", tt.cfg, err, tt.name)
		}
	}
}

// TestEsploraNeverSendsNodeCredentials: the node's RPC user and password
// (AIRSIGN_RPC_USER/PASS, set for Core or btcd) must not reach an Esplora
// server, which may be a public one; credentials in its own URL do.
func TestEsploraNeverSendsNodeCredentials(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write([]byte("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"))
	}))
	defer srv.Close()
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{URL: srv.URL, User: "alice", Password: "core-node-secret", CookieFile: "/nonexistent/.cookie"}, ""},
		{Config{URL: strings.Replace(srv.URL, "http://", "http://bob:esplora-pw@", 1), User: "alice", Password: "core-node-secret"}, "Basic Ym9iOmVzcGxvcmEtcHc="},
	} {
		got = nil
		e, err := NewEsplora(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.GenesisHash(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("Authorization %q, want %q", got, c.want)
		}
	}
}

func TestEsploraScan(t *testing.T) {
	ctx := context.Background()
	s := newEsploraServer(t, "tip_hash", "tip_height", "address", "address_utxo", "address_unused", "tx_hex")
	e := s.esplora(t)
	a, tr := fxAddress(t, fxAddr), fxAddress(t, fxAddrTR)
	res, err := e.ScanAddresses(ctx, []btcutil.Address{a, tr, a})
	if err != nil {
		t.Fatal(err)
	}
	if info := res[fxAddrTR]; info.Used || len(info.UTXOs) != 0 {
		t.Fatalf("unused address = %+v", info)
	}
	if n := s.hit("GET /address/" + fxAddrTR + "/utxo"); n != 0 {
		t.Fatalf("asked for the UTXOs of an unused address %d times", n)
	}
	info := res[fxAddr]
	spk := "0014b1b99ddca054bcf1e1569576ed3ba325464fc774"
	want := []UTXO{
		{OutPoint: wire.OutPoint{Hash: hashOf(t, fxOther), Index: 1}, Amount: 12345678, Height: 10, Confirmations: 141},
		{OutPoint: wire.OutPoint{Hash: hashOf(t, fxCoinbase)}, Amount: 50e8, Height: 101, Confirmations: 50, Coinbase: true},
		{OutPoint: wire.OutPoint{Hash: hashOf(t, strings.Repeat("77", 32))}, Amount: 20000},
	}
	if !info.Used || len(info.UTXOs) != len(want) {
		t.Fatalf("wallet address = %+v", info)
	}
	for i, w := range want {
		g := info.UTXOs[i]
		if g.OutPoint != w.OutPoint || g.Amount != w.Amount || g.Height != w.Height || g.Confirmations != w.Confirmations ||
			g.Coinbase != w.Coinbase || hex.EncodeToString(g.PkScript) != spk {
			t.Errorf("UTXO %d = %+v, want %+v", i, g, w)
		}
	}
	// Only the young output's transaction is fetched (coinbase or not).
	if n := s.hit("GET /tx/" + fxCoinbase + "/hex"); n != 1 {
		t.Errorf("young output's transaction fetched %d times, want 1", n)
	}
	if n := s.hit("GET /tx/" + fxOther + "/hex"); n != 0 {
		t.Errorf("mature output's transaction fetched %d times, want 0", n)
	}
}

func TestEsploraScanErrors(t *testing.T) {
	ctx := context.Background()
	// The utxo list claims an output the transaction does not have.
	s := newEsploraServer(t, "tip_hash", "tip_height", "address", "address_utxo", "tx_hex")
	s.files["GET /tx/"+fxCoinbase+"/hex"] = "tx_notfound"
	_, err := s.esplora(t).ScanAddresses(ctx, []btcutil.Address{fxAddress(t, fxAddr)})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing transaction: %v", err)
	}
	// Tip keeps moving.
	s = newEsploraServer(t, "tip_hash", "tip_height", "address_unused")
	moving := 0
	mux := s.srv.Config.Handler
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/blocks/tip/hash" {
			moving++
			w.Write([]byte(strings.Repeat("0", 62) + string(rune('a'+moving%6)) + "0"))
			return
		}
		mux.ServeHTTP(w, r)
	})
	_, err = s.esplora(t).ScanAddresses(ctx, []btcutil.Address{fxAddress(t, fxAddrTR)})
	if err == nil || !strings.Contains(err.Error(), "tip moved during each of 3 scans") {
		t.Fatalf("moving tip: %v", err)
	}
}

func TestEsploraCalls(t *testing.T) {
	ctx := context.Background()
	s := newEsploraServer(t, "block_height_0", "tip_height", "tx_hex", "tx_notfound", "tx_status_confirmed",
		"tx_status_mempool", "fee_estimates", "post_tx")
	e := s.esplora(t)
	if err := CheckNetwork(ctx, e, testParams); err != nil {
		t.Fatal(err)
	}
	if err := CheckNetwork(ctx, e, &chaincfg.SigNetParams); err == nil || !strings.Contains(err.Error(), "is on regtest but the wallet is for signet") {
		t.Fatalf("CheckNetwork(signet) = %v", err)
	}
	if h, err := e.TipHeight(ctx); err != nil || h != 150 {
		t.Fatalf("TipHeight = %d, %v", h, err)
	}
	cb := hashOf(t, fxCoinbase)
	if tx, err := e.RawTransaction(ctx, cb); err != nil || tx.TxHash() != cb {
		t.Fatalf("RawTransaction: %v", err)
	}
	unknown := hashOf(t, strings.Repeat("01", 32))
	if _, err := e.RawTransaction(ctx, unknown); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RawTransaction(unknown): %v", err)
	}
	if n := s.hit("GET /tx/" + unknown.String() + "/hex"); n != 1 {
		t.Fatalf("a 404 was asked %d times; it is not retried", n)
	}

	st, err := e.TxStatus(ctx, cb)
	if err != nil || st != (TxStatus{Known: true, Confirmations: 50, BlockHash: hashOf(t, "5f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221101"), BlockHeight: 101}) {
		t.Fatalf("TxStatus(confirmed) = %+v, %v", st, err)
	}
	if st, err := e.TxStatus(ctx, hashOf(t, fxOther)); err != nil || st != (TxStatus{Known: true, InMempool: true}) {
		t.Fatalf("TxStatus(mempool) = %+v, %v", st, err)
	}
	if st, err := e.TxStatus(ctx, unknown); err != nil || st.Known {
		t.Fatalf("TxStatus(unknown) = %+v, %v", st, err)
	}

	for _, tt := range []struct {
		target int
		rate   float64
	}{{6, 68.285}, {7, 68.285}, {1, 87.882}, {2, 87.882}, {1000, 1.027}, {5, 81.129}} {
		rate, ok, err := e.EstimateFeeRate(ctx, tt.target)
		if err != nil || !ok || rate != tt.rate {
			t.Errorf("EstimateFeeRate(%d) = %v, %v, %v; want %v", tt.target, rate, ok, err, tt.rate)
		}
	}

	if _, err := e.TestMempoolAccept(ctx, spendTx(t), 0); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("TestMempoolAccept: %v", err)
	}

	tx := spendTx(t)
	got, err := e.SendRawTransaction(ctx, tx, 0)
	if err != nil || got != tx.TxHash() {
		t.Fatalf("send: %s, %v", got, err)
	}
	if raw, _ := encodeTx(tx); len(s.posted) != 1 || s.posted[0] != raw {
		t.Fatalf("posted %q", s.posted)
	}
}

func TestEsploraSendErrors(t *testing.T) {
	ctx := context.Background()
	tx := spendTx(t)
	txid := tx.TxHash()
	tests := []struct {
		file string
		is   error
		want string
	}{
		{"post_tx_inchain", ErrAlreadyKnown, "Transaction already in block chain"},
		{"post_tx_rejected", nil, "rejected transaction " + txid.String() + ": min relay fee not met, 100 < 141 (RPC error -26)"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := newEsploraServer(t, tt.file)
			_, err := s.esplora(t).SendRawTransaction(ctx, tx, 0)
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) ||
				(tt.is == nil && errors.Is(err, ErrAlreadyKnown)) {
				t.Fatalf("error %v, want %q (is %v)", err, tt.want, tt.is)
			}
			if n := s.hit("POST /tx"); n != 1 {
				t.Fatalf("POST /tx %d times", n)
			}
		})
	}

	// A 502 or a timeout on POST is not retried and says the outcome is unknown.
	s := newEsploraServer(t)
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Method+" "+r.URL.Path]++
		s.mu.Unlock()
		http.Error(w, "bad gateway", http.StatusBadGateway)
	})
	_, err := s.esplora(t).SendRawTransaction(ctx, tx, 0)
	if err == nil || !strings.Contains(err.Error(), "may have reached the node") || s.hit("POST /api/tx") != 1 {
		t.Fatalf("502: %v after %d posts", err, s.hit("POST /api/tx"))
	}
}

func TestEsploraRetries(t *testing.T) {
	ctx := context.Background()
	s := newEsploraServer(t, "rate_limited")
	_, err := s.esplora(t).TipHeight(ctx)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "rate limited (HTTP 429)") {
		t.Fatalf("429: %v", err)
	}
	if h := transport.Hints(err); len(h) != 1 || !strings.Contains(h[0], "try again later") {
		t.Fatalf("429: hints %q", h)
	}
	if n := s.hit("GET /blocks/tip/height"); n != 3 {
		t.Fatalf("429 asked %d times, want 3", n)
	}

	// Garbage where a height belongs.
	s = newEsploraServer(t)
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>hello</html>"))
	})
	if _, err := s.esplora(t).TipHeight(ctx); err == nil || !strings.Contains(err.Error(), `"<html>hello</html>" is not a height`) {
		t.Fatalf("garbage: %v", err)
	}
	if _, _, err := s.esplora(t).EstimateFeeRate(ctx, 6); err == nil || !strings.Contains(err.Error(), "unexpected reply <html>") {
		t.Fatalf("garbage estimates: %v", err)
	}

	// Timeout.
	done := make(chan struct{})
	defer close(done)
	s = newEsploraServer(t)
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-done:
		case <-r.Context().Done():
		}
	})
	e, err := NewEsplora(Config{URL: s.srv.URL, Timeout: 30 * time.Millisecond, Backoff: time.Millisecond, ReadAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.TipHeight(ctx); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "GET /blocks/tip/height: no answer within 30ms (timeout)") {
		t.Fatalf("timeout: %v", err)
	}
}

// TestProxyIsUsed checks requests go through Config.Proxy (an HTTP proxy
// here; SOCKS5 goes through the same Transport.Proxy hook).
func TestProxyIsUsed(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Method+" "+r.URL.String())
		w.Write([]byte("7"))
	}))
	defer proxy.Close()
	e, err := NewEsplora(Config{URL: "http://esplora.invalid/api", Proxy: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := e.TipHeight(context.Background()); err != nil || h != 7 {
		t.Fatalf("through proxy: %d, %v", h, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != "GET http://esplora.invalid/api/blocks/tip/height" {
		t.Fatalf("proxy saw %q", seen)
	}
}

func TestParallelStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	ran := make([]bool, 100)
	err := parallel(context.Background(), 100, func(ctx context.Context, i int) error {
		ran[i] = true
		if i == esploraParallel-1 {
			return boom
		}
		<-ctx.Done() // the others run until the error cancels them
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	for i, r := range ran {
		if r != (i < esploraParallel) {
			t.Fatalf("job %d ran=%v; want only the first %d", i, r, esploraParallel)
		}
	}
	if err := parallel(context.Background(), 0, nil); err != nil {
		t.Fatal(err)
	}
}
