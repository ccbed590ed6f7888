package backend

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"
)

// Config says how to reach a JSON-RPC node (btcd or Bitcoin Core). The CLI fills
// it from flags or the environment (AIRSIGN_RPC_URL, AIRSIGN_RPC_USER,
// AIRSIGN_RPC_PASS); it is never logged.
type Config struct {
	// URL is the node's RPC endpoint, e.g. "http://127.0.0.1:18334". Credentials
	// written into the URL (http://user:pass@host) are used and then removed from
	// everything printed.
	URL string
	// User and Password authenticate with HTTP basic auth.
	User     string
	Password string
	// CookieFile, if set, holds "user:password" (Bitcoin Core's .cookie). It is
	// read before every request, because Core writes a new one on each restart;
	// it wins over User and Password.
	CookieFile string
	// TLSCertFile, for https URLs, is a PEM certificate to trust in addition to
	// the system roots (btcd's self-signed rpc.cert).
	TLSCertFile string
	// Timeout bounds one request, its retries included (default 30 s).
	Timeout time.Duration
	// ReadAttempts is how often a read-only call is tried within Timeout
	// before giving up when the node is unreachable or overloaded (default
	// 3). Sends are tried once.
	ReadAttempts int
	// Backoff is the pause before the first retry; it doubles each time
	// (default 500 ms).
	Backoff time.Duration
	// ScanTimeout bounds Bitcoin Core's scantxoutset, which reads the whole
	// UTXO set (minutes on mainnet; default 15 min).
	ScanTimeout time.Duration
	// Proxy, if set, is a proxy URL every request goes through, e.g.
	// "socks5h://127.0.0.1:9050" for Tor (socks5h: the proxy resolves names).
	// Without it no proxy is used, whatever HTTP_PROXY says.
	Proxy string
	// Progress, if set, receives a line every few seconds while a request
	// waits for its answer, and one per retry: a slow or hanging node is
	// never silent.
	Progress io.Writer
	// progressEvery is how often a wait is reported (default 5 s; tests).
	progressEvery time.Duration
}

const (
	defaultTimeout      = 30 * time.Second
	defaultReadAttempts = 3
	defaultBackoff      = 500 * time.Millisecond
	defaultScanTimeout  = 15 * time.Minute
	// defaultProgressEvery: a request waiting longer than this says so.
	defaultProgressEvery = 5 * time.Second
	// maxReplyBytes bounds a reply we read into memory (a batch of
	// searchrawtransactions pages can be large, a single raw tx is ≤ 8 MB hex).
	maxReplyBytes = 256 << 20
)

// RPCError is an error object a JSON-RPC node returned for one call.
type RPCError struct {
	Method  string
	Code    int
	Message string
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("%s: %s (RPC error %d)", e.Method, e.Message, e.Code)
}

// rpcClient is a minimal JSON-RPC 1.0 client over HTTP(S) POST with basic auth,
// shared by the btcd and Bitcoin Core backends.
type rpcClient struct {
	kind     string // "btcd", "Bitcoin Core": for messages
	endpoint string // URL without credentials, what requests go to
	shown    string // what messages show: scheme://host[/path]
	cfg      Config
	http     *http.Client
	nextID   atomic.Uint64
}

// parseEndpoint checks a backend URL (http or https, with a host) and
// returns it without its user info, and the credentials written in it;
// errors never show a password.
func parseEndpoint(kind, what, example, raw string) (u *url.URL, user, pass string, err error) {
	u, err = url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, "", "", fmt.Errorf("%s: %s %q is not a URL like %s", kind, what, redactURL(raw), example)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, "", "", fmt.Errorf("%s: %s scheme %q is not http or https", kind, what, u.Scheme)
	}
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
		u.User = nil
	}
	return u, user, pass, nil
}

func newRPCClient(kind string, cfg Config) (*rpcClient, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("%s: no RPC URL given (set --rpc-url or AIRSIGN_RPC_URL, e.g. http://127.0.0.1:18334)", kind)
	}
	u, user, pass, err := parseEndpoint(kind, "RPC URL", "http://127.0.0.1:18334", cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.User == "" {
		cfg.User = user
	}
	if cfg.Password == "" {
		cfg.Password = pass
	}
	if cfg.User == "" && cfg.Password == "" && cfg.CookieFile == "" {
		return nil, fmt.Errorf("%s at %s: no RPC credentials (set --rpc-user and AIRSIGN_RPC_PASS or --rpc-pass-file, or --rpc-cookie)", kind, u.Redacted())
	}
	hc, err := newHTTPClient(kind, &cfg)
	if err != nil {
		return nil, err
	}
	shown := u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
	return &rpcClient{
		kind:     kind,
		endpoint: u.String(),
		shown:    shown,
		cfg:      cfg,
		http:     hc,
	}, nil
}

// newHTTPClient fills cfg's defaults and builds the HTTP client for it: TLS
// roots, proxy, no client-wide timeout (each attempt gets its own deadline).
func newHTTPClient(kind string, cfg *Config) (*http.Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.ReadAttempts <= 0 {
		cfg.ReadAttempts = defaultReadAttempts
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = defaultBackoff
	}
	if cfg.ScanTimeout <= 0 {
		cfg.ScanTimeout = defaultScanTimeout
	}
	tr := &http.Transport{
		Proxy:               nil, // never $HTTP_PROXY: a node on loopback must not leave the machine
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 8,
	}
	if cfg.Proxy != "" {
		pu, err := url.Parse(cfg.Proxy)
		if err != nil || pu.Host == "" {
			return nil, fmt.Errorf("%s: proxy %q is not a URL like socks5h://127.0.0.1:9050", kind, redactURL(cfg.Proxy))
		}
		switch pu.Scheme {
		case "socks5", "socks5h", "http", "https":
		default:
			return nil, fmt.Errorf("%s: proxy scheme %q is not socks5, socks5h, http or https", kind, pu.Scheme)
		}
		tr.Proxy = http.ProxyURL(pu)
	}
	if cfg.TLSCertFile != "" {
		pem, err := os.ReadFile(cfg.TLSCertFile)
		if err != nil {
			return nil, fmt.Errorf("%s: reading TLS certificate: %w", kind, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", kind, cfg.TLSCertFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr}, nil
}

// retrier runs the attempts of one request within one deadline and says
// what it waits for: a node that hangs fails in the time --rpc-timeout
// states (not once per try, which made 30 s three times over), and not
// silently.
type retrier struct {
	attempts int
	backoff  time.Duration // the pause before the first retry; it doubles
	timeout  time.Duration // the whole request, retries included
	progress io.Writer     // nil: silent
	every    time.Duration // how often a wait is reported
	what     string        // what is asked of whom, "btcd at …: getblockcount"
}

// retrier returns the retrier of one request: attempts tries within timeout.
func (cfg *Config) retrier(attempts int, timeout time.Duration, what string) retrier {
	every := cfg.progressEvery
	if every <= 0 {
		every = defaultProgressEvery
	}
	return retrier{attempts: attempts, backoff: cfg.Backoff, timeout: timeout, progress: cfg.Progress, every: every, what: what}
}

// run runs attempt up to r.attempts times, pausing (doubling) between tries
// while it reports a transient failure, the deadline has not passed and ctx
// is alive. attempt gets the request's context, which ends at the deadline.
func (r retrier) run(ctx context.Context, attempt func(ctx context.Context) (err error, transient bool)) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if r.progress != nil {
		stop := r.reportWaiting(ctx)
		defer stop()
	}
	var lastErr error
	backoff := r.backoff
	for i := 1; i <= r.attempts; i++ {
		if i > 1 {
			if r.progress != nil {
				fmt.Fprintf(r.progress, "%s: %v; trying again (%d of %d)\n", r.what, lastErr, i, r.attempts)
			}
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return lastErr
			case <-t.C:
			}
			backoff *= 2
		}
		err, transient := attempt(ctx)
		if err == nil {
			return nil
		}
		lastErr = err
		if !transient || ctx.Err() != nil {
			break
		}
	}
	return lastErr
}

// reportWaiting prints "waiting for …" every r.every while the request is
// outstanding; stop ends it.
func (r retrier) reportWaiting(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		t := time.NewTicker(r.every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				fmt.Fprintf(r.progress, "waiting for %s: no answer for %s (gives up after %s)\n", r.what, time.Since(start).Round(time.Second), r.timeout)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// name is "btcd at http://127.0.0.1:18334".
func (c *rpcClient) name() string { return c.kind + " at " + c.shown }

// call is one JSON-RPC request. retry says whether the call may be repeated when
// the node is unreachable (reads only; never a send).
type call struct {
	method string
	params []any
}

// reply is one JSON-RPC response.
type reply struct {
	Result json.RawMessage  `json:"result"`
	Error  *json.RawMessage `json:"error"`
	ID     json.RawMessage  `json:"id"`
}

// rpcErrorObject is the error member of a reply.
type rpcErrorObject struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// do performs one call and decodes its result into out (which may be nil).
func (c *rpcClient) do(ctx context.Context, retry bool, out any, method string, params ...any) error {
	res, err := c.batch(ctx, retry, []call{{method, params}})
	if err != nil {
		return err
	}
	return c.decode(res[0], method, out)
}

// decode turns one reply into out or an *RPCError (wrapped with the backend name).
func (c *rpcClient) decode(r reply, method string, out any) error {
	if r.Error != nil && string(*r.Error) != "null" {
		var obj rpcErrorObject
		if err := json.Unmarshal(*r.Error, &obj); err != nil {
			return fmt.Errorf("%s: %s: error reply is not a JSON-RPC error object: %s",
				c.name(), method, snippet(*r.Error))
		}
		return fmt.Errorf("%s: %w", c.name(), &RPCError{Method: method, Code: obj.Code, Message: obj.Message})
	}
	if out == nil {
		return nil
	}
	if len(r.Result) == 0 {
		return fmt.Errorf("%s: %s: reply has no result", c.name(), method)
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("%s: %s: unexpected result %s: %v", c.name(), method, snippet(r.Result), err)
	}
	return nil
}

// batch sends calls (one request, or a JSON-RPC batch if several) and returns
// the replies in call order. RPC error objects are not errors here: each reply
// is decoded by the caller. retry allows repeating the whole request on
// transport failures and HTTP 5xx replies without a JSON-RPC body.
func (c *rpcClient) batch(ctx context.Context, retry bool, calls []call) ([]reply, error) {
	return c.batchTimeout(ctx, retry, c.cfg.Timeout, calls)
}

// batchTimeout is batch with a per-attempt timeout other than cfg.Timeout.
func (c *rpcClient) batchTimeout(ctx context.Context, retry bool, timeout time.Duration, calls []call) ([]reply, error) {
	if len(calls) == 0 {
		return nil, nil
	}
	attempts := 1
	if retry {
		attempts = c.cfg.ReadAttempts
	}
	var replies []reply
	err := c.cfg.retrier(attempts, timeout, c.name()+": "+calls[0].method).run(ctx, func(ctx context.Context) (error, bool) {
		var err error
		var transient bool
		replies, err, transient = c.roundTrip(ctx, timeout, calls)
		return err, transient
	})
	if err != nil {
		return nil, err
	}
	return replies, nil
}

// roundTrip does one HTTP exchange. transient reports failures worth retrying.
func (c *rpcClient) roundTrip(ctx context.Context, timeout time.Duration, calls []call) (replies []reply, err error, transient bool) {
	method := calls[0].method
	type request struct {
		JSONRPC string `json:"jsonrpc"`
		ID      uint64 `json:"id"`
		Method  string `json:"method"`
		Params  []any  `json:"params"`
	}
	reqs := make([]request, len(calls))
	ids := make(map[uint64]int, len(calls))
	for i, cl := range calls {
		id := c.nextID.Add(1)
		params := cl.params
		if params == nil {
			params = []any{}
		}
		reqs[i] = request{JSONRPC: "1.0", ID: id, Method: cl.method, Params: params}
		ids[id] = i
	}
	var body []byte
	if len(reqs) == 1 {
		body, err = json.Marshal(reqs[0])
	} else {
		body, err = json.Marshal(reqs)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s: encoding request: %v", c.name(), method, err), false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %v", c.name(), method, err), false
	}
	req.Header.Set("Content-Type", "application/json")
	user, pass, err := c.credentials()
	if err != nil {
		return nil, err, false
	}
	req.SetBasicAuth(user, pass)

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(c.name(), method, timeout, err), true
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1))
	if err != nil {
		return nil, transportError(c.name(), method, timeout, err), true
	}
	if len(data) > maxReplyBytes {
		return nil, fmt.Errorf("%s: %s: reply larger than %d MiB", c.name(), method, maxReplyBytes>>20), false
	}

	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return nil, fmt.Errorf("%s rejected the RPC user/password (HTTP 401); check --rpc-user and AIRSIGN_RPC_PASS or --rpc-pass-file: %w",
			c.name(), ErrUnauthorized), false
	case http.StatusForbidden:
		return nil, fmt.Errorf("%s refused this client (HTTP 403); the node must allow RPC from this address (Bitcoin Core: rpcallowip)",
			c.name()), false
	}

	return c.parseReplies(resp.StatusCode, data, calls, ids)
}

// parseReplies reads the body of a reply to calls (ids maps each request id to
// its call's index). Nodes send JSON-RPC error objects with HTTP 200 (btcd) or
// 404/500 (Bitcoin Core), so a JSON-RPC body is looked for whatever the status.
func (c *rpcClient) parseReplies(status int, data []byte, calls []call, ids map[uint64]int) (replies []reply, err error, transient bool) {
	method := calls[0].method
	trimmed := bytes.TrimSpace(data)
	if len(calls) > 1 && len(trimmed) > 0 && trimmed[0] == '[' {
		var rs []reply
		if err := json.Unmarshal(trimmed, &rs); err != nil {
			return nil, c.malformed(method, status, data), status >= 500
		}
		out := make([]reply, len(calls))
		seen := make([]bool, len(calls))
		for _, r := range rs {
			var id uint64
			if err := json.Unmarshal(r.ID, &id); err != nil {
				return nil, fmt.Errorf("%s: %s: batch reply with id %s we did not send", c.name(), method, snippet(r.ID)), false
			}
			i, ok := ids[id]
			if !ok || seen[i] {
				return nil, fmt.Errorf("%s: %s: batch reply with id %d we did not send or got twice", c.name(), method, id), false
			}
			if len(r.Result) == 0 && r.Error == nil {
				return nil, fmt.Errorf("%s: %s: batch reply %d has neither result nor error", c.name(), calls[i].method, i+1), false
			}
			out[i], seen[i] = r, true
		}
		for i, ok := range seen {
			if !ok {
				return nil, fmt.Errorf("%s: %s: batch reply lacks the answer to call %d of %d", c.name(), calls[i].method, i+1, len(calls)), false
			}
		}
		return out, nil, false
	}
	var r reply
	if err := json.Unmarshal(trimmed, &r); err != nil || (len(r.Result) == 0 && r.Error == nil) {
		return nil, c.malformed(method, status, data), status >= 500
	}
	if len(calls) > 1 {
		// A single object answering a batch is an error about the whole batch.
		if err := c.decode(r, method, nil); err != nil {
			return nil, err, false
		}
		return nil, fmt.Errorf("%s: %s: node answered a batch with a single reply", c.name(), method), false
	}
	var id uint64
	if len(r.ID) > 0 && string(r.ID) != "null" {
		if json.Unmarshal(r.ID, &id) != nil {
			return nil, fmt.Errorf("%s: %s: reply with id %s we did not send", c.name(), method, snippet(r.ID)), false
		}
		if i, ok := ids[id]; !ok || i != 0 {
			return nil, fmt.Errorf("%s: %s: reply with id %d we did not send", c.name(), method, id), false
		}
	}
	if r.Error != nil && string(*r.Error) != "null" {
		var obj rpcErrorObject
		if json.Unmarshal(*r.Error, &obj) == nil && obj.Code == rpcInWarmup {
			// The node is still loading: worth waiting for.
			return nil, c.decode(r, method, nil), true
		}
	}
	return []reply{r}, nil, false
}

// rpcInWarmup is the code Bitcoin Core (and btcd) use while starting up.
const rpcInWarmup = -28

// credentials returns the basic-auth pair, reading the cookie file if set.
func (c *rpcClient) credentials() (string, string, error) {
	if c.cfg.CookieFile == "" {
		return c.cfg.User, c.cfg.Password, nil
	}
	data, err := os.ReadFile(c.cfg.CookieFile)
	if err != nil {
		return "", "", fmt.Errorf("%s: reading the RPC cookie file: %v (is the node running, and is this its data directory?)", c.name(), err)
	}
	user, pass, ok := strings.Cut(strings.TrimSpace(string(data)), ":")
	if !ok || user == "" {
		return "", "", fmt.Errorf("%s: the RPC cookie file %s is not user:password", c.name(), c.cfg.CookieFile)
	}
	return user, pass, nil
}

// malformed describes a reply that is not JSON-RPC.
func (c *rpcClient) malformed(method string, status int, data []byte) error {
	if status >= 500 {
		return &unavailableError{
			msg:            fmt.Sprintf("%s: %s: HTTP %d without a JSON-RPC reply: %s", c.name(), method, status, snippet(data)),
			maybeDelivered: true,
		}
	}
	if status != http.StatusOK {
		return fmt.Errorf("%s: %s: HTTP %d without a JSON-RPC reply: %s (is this the node's RPC port?)", c.name(), method, status, snippet(data))
	}
	return fmt.Errorf("%s: %s: the reply is not JSON-RPC: %s (is this the node's RPC port?)", c.name(), method, snippet(data))
}

// unavailableError is a failure to get any JSON-RPC answer. maybeDelivered is
// true when the request may have reached the node (a timeout, a dropped
// connection, an HTTP 5xx), false when it certainly did not (connection
// refused, unknown host, untrusted certificate).
type unavailableError struct {
	msg            string
	hint           string
	maybeDelivered bool
}

func (e *unavailableError) Error() string        { return e.msg }
func (e *unavailableError) Hint() string         { return e.hint }
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

// transportError explains a failure to talk to the backend called name at all,
// naming it and what to check. It never includes credentials (names have none).
func transportError(name, what string, timeout time.Duration, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var nerr net.Error
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var unknownAuth x509.UnknownAuthorityError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return &unavailableError{msg: name + ": connection refused — is the node running? check --rpc-url"}
	case errors.Is(err, context.Canceled):
		return &unavailableError{msg: fmt.Sprintf("%s: %s: canceled", name, what), maybeDelivered: true}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()):
		return &unavailableError{msg: fmt.Sprintf("%s: %s: no answer within %s (timeout)", name, what, timeout), maybeDelivered: true}
	case errors.As(err, &dnsErr):
		return &unavailableError{msg: fmt.Sprintf("%s: cannot resolve host %q — check --rpc-url", name, dnsErr.Name)}
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &unknownAuth):
		return &unavailableError{msg: fmt.Sprintf("%s: TLS certificate not trusted (%v); give the node's certificate (btcd: rpc.cert)", name, err)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return &unavailableError{msg: fmt.Sprintf("%s: %s: the node closed the connection without a reply (http vs https mismatch? node shutting down?)", name, what), maybeDelivered: true}
	}
	return &unavailableError{msg: fmt.Sprintf("%s: %s: %v", name, what, err), maybeDelivered: true}
}

// snippet shortens outside text for an error message and drops control bytes.
func snippet(b []byte) string {
	const max = 120
	// Invalid UTF-8 becomes '?' (one byte, where strings.Map would write a
	// three-byte U+FFFD per bad byte and triple the length), and C0 and C1
	// controls (ESC, CSI…) become spaces, so a node's reply can neither
	// grow past the bound nor drive the operator's terminal.
	s := strings.ToValidUTF8(strings.TrimSpace(string(b)), "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return ' '
		}
		return r
	}, s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// redactURL removes credentials from a URL string that may not even parse.
func redactURL(s string) string {
	// Only a URL with a host has its user info where Redacted looks:
	// "user:pass@host:8332" parses with "user" as the scheme and the
	// password in Opaque, so anything else falls through to the cut below.
	if u, err := url.Parse(s); err == nil && u.Opaque == "" {
		return u.Redacted()
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "…@" + s[i+1:]
		}
		return "…@" + s[i+1:]
	}
	return s
}
