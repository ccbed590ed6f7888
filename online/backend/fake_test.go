package backend

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeNode is a JSON-RPC server standing in for btcd: each method has a
// handler returning a result or an error object. It counts calls per method.
type fakeNode struct {
	t        *testing.T
	user     string
	pass     string
	srv      *httptest.Server
	mu       sync.Mutex
	calls    map[string]int
	handlers map[string]func(params []json.RawMessage) (any, *rpcErrorObject)
	// raw, if set, answers the HTTP request itself (status codes, bodies that
	// are not JSON-RPC).
	raw func(w http.ResponseWriter, r *http.Request, body []byte) bool
}

func newFakeNode(t *testing.T) *fakeNode {
	f := &fakeNode{
		t:        t,
		user:     "alice",
		pass:     "s3cret-pass",
		calls:    make(map[string]int),
		handlers: make(map[string]func([]json.RawMessage) (any, *rpcErrorObject)),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNode) config() Config {
	return Config{URL: f.srv.URL, User: f.user, Password: f.pass, Timeout: 5 * time.Second, Backoff: time.Millisecond}
}

func (f *fakeNode) btcd() *Btcd {
	f.t.Helper()
	b, err := NewBtcd(f.config())
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fakeNode) handle(method string, h func(params []json.RawMessage) (any, *rpcErrorObject)) {
	f.handlers[method] = h
}

// result makes a handler that always returns v.
func result(v any) func([]json.RawMessage) (any, *rpcErrorObject) {
	return func([]json.RawMessage) (any, *rpcErrorObject) { return v, nil }
}

// rpcErr makes a handler that always fails with code and message.
func rpcErr(code int, msg string) func([]json.RawMessage) (any, *rpcErrorObject) {
	return func([]json.RawMessage) (any, *rpcErrorObject) { return nil, &rpcErrorObject{code, msg} }
}

func (f *fakeNode) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

type fakeReq struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

type fakeReply struct {
	Result any             `json:"result"`
	Error  *rpcErrorObject `json:"error"`
	ID     json.RawMessage `json:"id"`
}

func (f *fakeNode) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if f.raw != nil && f.raw(w, r, body) {
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.pass {
		http.Error(w, "401 Unauthorized.", http.StatusUnauthorized)
		return
	}
	var reqs []fakeReq
	batch := len(body) > 0 && body[0] == '['
	if batch {
		if err := json.Unmarshal(body, &reqs); err != nil {
			f.t.Errorf("fake node: bad batch: %v", err)
		}
	} else {
		var q fakeReq
		if err := json.Unmarshal(body, &q); err != nil {
			f.t.Errorf("fake node: bad request: %v", err)
		}
		reqs = []fakeReq{q}
	}
	replies := make([]fakeReply, len(reqs))
	for i, q := range reqs {
		f.mu.Lock()
		f.calls[q.Method]++
		h := f.handlers[q.Method]
		f.mu.Unlock()
		replies[i].ID = q.ID
		if h == nil {
			replies[i].Error = &rpcErrorObject{-32601, "Method not found"}
			continue
		}
		replies[i].Result, replies[i].Error = h(q.Params)
	}
	w.Header().Set("Content-Type", "application/json")
	if batch {
		json.NewEncoder(w).Encode(replies)
	} else {
		json.NewEncoder(w).Encode(replies[0])
	}
}
