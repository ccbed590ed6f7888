package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Esplora is the backend for an Esplora REST server (Blockstream's electrs
// fork, self-hosted or public), optionally through a SOCKS proxy such as Tor
// (Config.Proxy). The API is documented in Blockstream/esplora API.md.
//
// Limits, from what the API offers:
//   - There is no test-accept: TestMempoolAccept returns ErrUnsupported and
//     broadcast relies on its own checks before POST /tx.
//   - UTXO.Coinbase is looked up only for outputs with fewer than 100
//     confirmations (one /tx/:txid/hex each); older outputs are mature
//     whatever they are and are reported as not coinbase.
type Esplora struct {
	base  string // URL without trailing slash, what requests go to
	shown string
	cfg   Config
	http  *http.Client
}

var _ Backend = (*Esplora)(nil)

// ErrUnsupported is wrapped when a backend cannot answer a question at all
// (Esplora has no testmempoolaccept).
var ErrUnsupported = errors.New("not supported by this backend")

// esploraParallel is how many requests a scan keeps in flight: enough to hide
// latency over Tor, few enough not to trip a public server's rate limit.
const esploraParallel = 4

// NewEsplora checks cfg (URL of the API root, e.g. https://host/api; Proxy;
// Timeout) and returns an Esplora backend. Credentials written in the URL
// (https://user:pass@host/api, for a self-hosted server behind a proxy)
// are sent as HTTP basic auth; cfg.User, Password and CookieFile are
// ignored, because they are the node's RPC credentials and an Esplora
// server may be a public one.
func NewEsplora(cfg Config) (*Esplora, error) {
	cfg.User, cfg.Password, cfg.CookieFile = "", "", ""
	const kind = "Esplora"
	if cfg.URL == "" {
		return nil, fmt.Errorf("%s: no URL given (the API root, e.g. http://127.0.0.1:3002)", kind)
	}
	u, user, pass, err := parseEndpoint(kind, "URL", "http://127.0.0.1:3002", cfg.URL)
	if err != nil {
		return nil, err
	}
	cfg.User, cfg.Password = user, pass
	u.RawQuery, u.Fragment = "", ""
	hc, err := newHTTPClient(kind, &cfg)
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(u.String(), "/")
	return &Esplora{
		base:  base,
		shown: u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/"),
		cfg:   cfg,
		http:  hc,
	}, nil
}

// Name is "Esplora at <url>".
func (e *Esplora) Name() string { return "Esplora at " + e.shown }

// httpStatusError is a non-2xx answer.
type httpStatusError struct {
	status int
	body   string
}

// get fetches path (relative to the API root) with retries for transient
// failures (transport errors, 429, 5xx).
func (e *Esplora) get(ctx context.Context, path string) ([]byte, error) {
	var body []byte
	err := e.cfg.retrier(e.cfg.ReadAttempts, e.cfg.Timeout, e.Name()+": GET "+path).run(ctx, func(ctx context.Context) (error, bool) {
		var err error
		var status int
		body, status, err = e.exchange(ctx, http.MethodGet, path, nil)
		if err != nil {
			return err, true
		}
		if status/100 != 2 {
			return &httpStatusError{status, snippet(body)}, status == http.StatusTooManyRequests || status >= 500
		}
		return nil, false
	})
	if err != nil {
		var se *httpStatusError
		if errors.As(err, &se) {
			return nil, e.statusError(path, se)
		}
		return nil, err
	}
	return body, nil
}

func (se *httpStatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", se.status, se.body) }

// statusError words a non-2xx answer to a GET.
func (e *Esplora) statusError(path string, se *httpStatusError) error {
	switch {
	case se.status == http.StatusNotFound:
		return fmt.Errorf("%s: GET %s: HTTP 404 %s: %w", e.Name(), path, se.body, ErrNotFound)
	case se.status == http.StatusUnauthorized || se.status == http.StatusForbidden:
		return fmt.Errorf("%s refused the request (HTTP %d); check the URL and credentials: %w", e.Name(), se.status, ErrUnauthorized)
	case se.status == http.StatusTooManyRequests:
		return &unavailableError{msg: fmt.Sprintf("%s: GET %s: rate limited (HTTP 429)", e.Name(), path), hint: "try again later, or use your own server (--rpc-url)"}
	case se.status >= 500:
		return &unavailableError{msg: fmt.Sprintf("%s: GET %s: HTTP %d %s", e.Name(), path, se.status, se.body), maybeDelivered: true}
	}
	return fmt.Errorf("%s: GET %s: HTTP %d %s", e.Name(), path, se.status, se.body)
}

// exchange does one HTTP request with the per-attempt timeout.
func (e *Esplora) exchange(ctx context.Context, method, path string, body []byte) ([]byte, int, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.base+path, rd)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %s %s: %v", e.Name(), method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain")
	}
	if e.cfg.User != "" || e.cfg.Password != "" {
		req.SetBasicAuth(e.cfg.User, e.cfg.Password)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return nil, 0, transportError(e.Name(), method+" "+path, e.cfg.Timeout, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1))
	if err != nil {
		return nil, 0, transportError(e.Name(), method+" "+path, e.cfg.Timeout, err)
	}
	if len(data) > maxReplyBytes {
		return nil, 0, fmt.Errorf("%s: %s %s: reply larger than %d MiB", e.Name(), method, path, maxReplyBytes>>20)
	}
	return data, resp.StatusCode, nil
}

// getJSON fetches path and decodes its JSON body into out.
func (e *Esplora) getJSON(ctx context.Context, path string, out any) error {
	body, err := e.get(ctx, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: GET %s: unexpected reply %s: %v", e.Name(), path, snippet(body), err)
	}
	return nil
}

// getText fetches path and returns its body trimmed.
func (e *Esplora) getText(ctx context.Context, path string) (string, error) {
	body, err := e.get(ctx, path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(body)), nil
}

// GenesisHash asks for the block at height 0.
func (e *Esplora) GenesisHash(ctx context.Context) (chainhash.Hash, error) {
	s, err := e.getText(ctx, "/block-height/0")
	if err != nil {
		return chainhash.Hash{}, err
	}
	return parseHash(e.Name(), "GET /block-height/0", s)
}

// TipHeight asks for the tip's height.
func (e *Esplora) TipHeight(ctx context.Context) (int32, error) {
	s, err := e.getText(ctx, "/blocks/tip/height")
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: GET /blocks/tip/height: %q is not a height", e.Name(), snippet([]byte(s)))
	}
	return int32(n), nil
}

// esploraStatus is a transaction's status object.
type esploraStatus struct {
	Confirmed   bool   `json:"confirmed"`
	BlockHeight *int64 `json:"block_height"`
	BlockHash   string `json:"block_hash"`
}

// esploraAddress is GET /address/:address.
type esploraAddress struct {
	ChainStats struct {
		TxCount int64 `json:"tx_count"`
	} `json:"chain_stats"`
	MempoolStats struct {
		TxCount int64 `json:"tx_count"`
	} `json:"mempool_stats"`
}

// esploraUTXO is one entry of GET /address/:address/utxo.
type esploraUTXO struct {
	Txid   string        `json:"txid"`
	Vout   uint32        `json:"vout"`
	Value  int64         `json:"value"`
	Status esploraStatus `json:"status"`
}

// ScanAddresses asks, per address, GET /address/:address (transaction counts
// in chain and mempool: "used") and GET /address/:address/utxo (which electrs
// answers with mempool outputs added and mempool-spent ones removed). The scan
// is repeated if the tip moves meanwhile.
func (e *Esplora) ScanAddresses(ctx context.Context, addrs []btcutil.Address) (map[string]AddressInfo, error) {
	var order []btcutil.Address
	seen := make(map[string]bool)
	for i, a := range addrs {
		if a == nil {
			return nil, fmt.Errorf("scan: address %d is missing", i+1)
		}
		if _, err := txscript.PayToAddrScript(a); err != nil {
			return nil, fmt.Errorf("scan: address %d (%s): %v", i+1, a.EncodeAddress(), err)
		}
		if !seen[a.EncodeAddress()] {
			seen[a.EncodeAddress()] = true
			order = append(order, a)
		}
	}
	for attempt := 1; ; attempt++ {
		before, err := e.getText(ctx, "/blocks/tip/hash")
		if err != nil {
			return nil, err
		}
		tip, err := e.TipHeight(ctx)
		if err != nil {
			return nil, err
		}
		res, err := e.scanOnce(ctx, order, tip)
		if err != nil {
			return nil, err
		}
		after, err := e.getText(ctx, "/blocks/tip/hash")
		if err != nil {
			return nil, err
		}
		if after == before {
			return res, nil
		}
		if attempt == scanAttemptsOnReorg {
			return nil, tipMoved(e.Name(), attempt)
		}
	}
}

// parallel runs f(i) for i in [0,n) with at most esploraParallel at a time and
// returns the first error.
func parallel(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, esploraParallel)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(ctx, i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

func (e *Esplora) scanOnce(ctx context.Context, addrs []btcutil.Address, tip int32) (map[string]AddressInfo, error) {
	infos := make([]AddressInfo, len(addrs))
	err := parallel(ctx, len(addrs), func(ctx context.Context, i int) error {
		a := addrs[i]
		enc := a.EncodeAddress()
		path := "/address/" + url.PathEscape(enc)
		var st esploraAddress
		if err := e.getJSON(ctx, path, &st); err != nil {
			return fmt.Errorf("scanning %s: %w", enc, err)
		}
		if st.ChainStats.TxCount < 0 || st.MempoolStats.TxCount < 0 {
			return fmt.Errorf("%s: GET %s: negative transaction count", e.Name(), path)
		}
		info := AddressInfo{Used: st.ChainStats.TxCount+st.MempoolStats.TxCount > 0}
		if !info.Used {
			infos[i] = info
			return nil
		}
		var us []esploraUTXO
		if err := e.getJSON(ctx, path+"/utxo", &us); err != nil {
			return fmt.Errorf("scanning %s: %w", enc, err)
		}
		pk, _ := txscript.PayToAddrScript(a)
		for j, u := range us {
			txid, err := chainhash.NewHashFromStr(u.Txid)
			if err != nil || len(u.Txid) != 2*chainhash.HashSize {
				return fmt.Errorf("%s: GET %s/utxo: entry %d: bad txid %q", e.Name(), path, j+1, snippet([]byte(u.Txid)))
			}
			if u.Value <= 0 || u.Value > btcutil.MaxSatoshi {
				return fmt.Errorf("%s: GET %s/utxo: entry %d: bad value %d", e.Name(), path, j+1, u.Value)
			}
			utxo := UTXO{OutPoint: wire.OutPoint{Hash: *txid, Index: u.Vout}, Amount: btcutil.Amount(u.Value), PkScript: pk}
			if u.Status.Confirmed {
				if u.Status.BlockHeight == nil || *u.Status.BlockHeight < 0 || *u.Status.BlockHeight > int64(tip) {
					return fmt.Errorf("%s: GET %s/utxo: entry %d: confirmed at a height beyond the tip %d", e.Name(), path, j+1, tip)
				}
				utxo.Height = int32(*u.Status.BlockHeight)
				utxo.Confirmations = tip - utxo.Height + 1
			}
			info.UTXOs = append(info.UTXOs, utxo)
		}
		infos[i] = info
		return nil
	})
	if err != nil {
		return nil, err
	}

	// Coinbase-ness matters only while an output is immature.
	type ref struct{ i, j int }
	var young []ref
	for i, info := range infos {
		for j, u := range info.UTXOs {
			if u.Confirmations > 0 && u.Confirmations < 100 {
				young = append(young, ref{i, j})
			}
		}
	}
	err = parallel(ctx, len(young), func(ctx context.Context, k int) error {
		r := young[k]
		u := &infos[r.i].UTXOs[r.j]
		tx, err := e.RawTransaction(ctx, u.OutPoint.Hash)
		if err != nil {
			return err
		}
		if int(u.OutPoint.Index) >= len(tx.TxOut) || tx.TxOut[u.OutPoint.Index].Value != int64(u.Amount) ||
			!bytes.Equal(tx.TxOut[u.OutPoint.Index].PkScript, u.PkScript) {
			return fmt.Errorf("%s: output %s is not what /address/…/utxo said", e.Name(), u.OutPoint)
		}
		u.Coinbase = isCoinbase(tx)
		return nil
	})
	if err != nil {
		return nil, err
	}

	res := make(map[string]AddressInfo, len(addrs))
	for i, a := range addrs {
		sortUTXOs(infos[i].UTXOs)
		res[a.EncodeAddress()] = infos[i]
	}
	return res, nil
}

// RawTransaction fetches GET /tx/:txid/hex and checks the hash.
func (e *Esplora) RawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	path := "/tx/" + txid.String() + "/hex"
	s, err := e.getText(ctx, path)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%s does not know transaction %s: %w", e.Name(), txid, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeTx(e.Name(), "GET "+path, s, &txid)
}

// TestMempoolAccept is not offered by Esplora.
func (e *Esplora) TestMempoolAccept(ctx context.Context, tx *wire.MsgTx, maxFeeRate float64) (Acceptance, error) {
	return Acceptance{}, fmt.Errorf("%s cannot test a transaction without sending it: %w", e.Name(), ErrUnsupported)
}

// rpcErrorInBody finds the bitcoind error electrs passes on, as in
// `sendrawtransaction RPC error: {"code":-26,"message":"…"}`.
var rpcErrorInBody = regexp.MustCompile(`\{"code":\s*(-?\d+),\s*"message":\s*"((?:[^"\\]|\\.)*)"\}`)

// rpcErrorFromBody extracts the node's error from an electrs error body, or
// returns nil.
func rpcErrorFromBody(body []byte) *RPCError {
	m := rpcErrorInBody.FindSubmatch(body)
	if m == nil {
		return nil
	}
	code, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return nil
	}
	var msg string
	if json.Unmarshal(append(append([]byte{'"'}, m[2]...), '"'), &msg) != nil {
		msg = string(m[2])
	}
	return &RPCError{Code: code, Message: snippet([]byte(msg))}
}

// SendRawTransaction POSTs the hex to /tx once; maxFeeRate is not supported
// by the API (broadcast checks the fee rate itself).
func (e *Esplora) SendRawTransaction(ctx context.Context, tx *wire.MsgTx, maxFeeRate float64) (chainhash.Hash, error) {
	rawHex, err := encodeTx(tx)
	if err != nil {
		return chainhash.Hash{}, err
	}
	txid := tx.TxHash()
	body, status, err := e.exchange(ctx, http.MethodPost, "/tx", []byte(rawHex))
	if err != nil {
		return chainhash.Hash{}, sendError(e.Name(), txid, err)
	}
	if status/100 != 2 {
		if rerr := rpcErrorFromBody(body); rerr != nil {
			rerr.Method = "POST /tx"
			return chainhash.Hash{}, sendError(e.Name(), txid, rerr)
		}
		if alreadyKnownReason(string(body)) {
			return chainhash.Hash{}, fmt.Errorf("%s: transaction %s: %s: %w", e.Name(), txid, snippet(body), ErrAlreadyKnown)
		}
		if status >= 500 {
			return chainhash.Hash{}, sendError(e.Name(), txid, &unavailableError{
				msg: fmt.Sprintf("%s: POST /tx: HTTP %d %s", e.Name(), status, snippet(body)), maybeDelivered: true})
		}
		return chainhash.Hash{}, fmt.Errorf("%s rejected transaction %s: HTTP %d %s", e.Name(), txid, status, snippet(body))
	}
	got, err := parseHash(e.Name(), "POST /tx", strings.TrimSpace(string(body)))
	if err != nil {
		return chainhash.Hash{}, err
	}
	if got != txid {
		return chainhash.Hash{}, fmt.Errorf("%s: POST /tx returned txid %s for transaction %s", e.Name(), got, txid)
	}
	return txid, nil
}

// TxStatus asks GET /tx/:txid/status and the tip height for confirmations.
func (e *Esplora) TxStatus(ctx context.Context, txid chainhash.Hash) (TxStatus, error) {
	var st esploraStatus
	err := e.getJSON(ctx, "/tx/"+txid.String()+"/status", &st)
	if errors.Is(err, ErrNotFound) {
		return TxStatus{}, nil
	}
	if err != nil {
		return TxStatus{}, err
	}
	if !st.Confirmed {
		return TxStatus{Known: true, InMempool: true}, nil
	}
	if st.BlockHeight == nil || *st.BlockHeight < 0 {
		return TxStatus{}, fmt.Errorf("%s: status of %s: confirmed without a block height", e.Name(), txid)
	}
	bh, err := parseHash(e.Name(), "GET /tx/…/status", st.BlockHash)
	if err != nil {
		return TxStatus{}, err
	}
	tip, err := e.TipHeight(ctx)
	if err != nil {
		return TxStatus{}, err
	}
	if *st.BlockHeight > int64(tip) {
		return TxStatus{}, fmt.Errorf("%s: transaction %s at height %d above the tip %d", e.Name(), txid, *st.BlockHeight, tip)
	}
	h := int32(*st.BlockHeight)
	return TxStatus{Known: true, Confirmations: tip - h + 1, BlockHash: bh, BlockHeight: h}, nil
}

// EstimateFeeRate reads GET /fee-estimates (target → sat/vB) and takes the
// estimate for the largest target not above targetBlocks (a faster target's
// rate is the safe side), or the smallest target offered.
func (e *Esplora) EstimateFeeRate(ctx context.Context, targetBlocks int) (float64, bool, error) {
	var m map[string]float64
	if err := e.getJSON(ctx, "/fee-estimates", &m); err != nil {
		return 0, false, err
	}
	type est struct {
		target int
		rate   float64
	}
	var ests []est
	for k, v := range m {
		t, err := strconv.Atoi(k)
		if err != nil || t < 1 || v <= 0 {
			continue
		}
		ests = append(ests, est{t, v})
	}
	if len(ests) == 0 {
		return 0, false, nil
	}
	sort.Slice(ests, func(i, j int) bool { return ests[i].target < ests[j].target })
	pick := ests[0]
	for _, x := range ests {
		if x.target <= targetBlocks {
			pick = x
		}
	}
	return pick.rate, true, nil
}
