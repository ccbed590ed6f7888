package backend

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"
)

// fixture is one reply from testdata/core or testdata/esplora.
type fixture struct {
	Source string          `json:"source"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	f, err := readFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// readFixture is loadFixture for server goroutines (which must not Fatal).
func readFixture(name string) (fixture, error) {
	var f fixture
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("%s: %v", name, err)
	}
	if f.Source == "" || f.Status == 0 {
		return f, fmt.Errorf("%s: no source or status", name)
	}
	return f, nil
}

// spendTx is testdata/spend.hex.
func spendTx(t testing.TB) *wire.MsgTx {
	t.Helper()
	tx, err := decodeTx("test", "spend.hex", strings.TrimSpace(string(readTestdata(t, "spend.hex"))), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// coreServer answers JSON-RPC requests with fixtures from testdata/core. By
// default method m gets core/m.json; route picks another file from the params.
type coreServer struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	route map[string]func(params []json.RawMessage) string
	calls []string // "method params" of every call, in order
}

func newCoreServer(t *testing.T) *coreServer {
	s := &coreServer{t: t, route: make(map[string]func([]json.RawMessage) string)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *coreServer) use(method, file string) {
	s.route[method] = func([]json.RawMessage) string { return file }
}

func (s *coreServer) core(t *testing.T) *Core {
	c, err := NewCore(Config{URL: s.srv.URL, User: "u", Password: "p", Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *coreServer) called(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func (s *coreServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	type req struct {
		ID     json.RawMessage   `json:"id"`
		Method string            `json:"method"`
		Params []json.RawMessage `json:"params"`
	}
	answer := func(q req) (int, []byte) {
		var ps []string
		for _, p := range q.Params {
			ps = append(ps, string(p))
		}
		s.mu.Lock()
		s.calls = append(s.calls, q.Method+" "+strings.Join(ps, " "))
		route := s.route[q.Method]
		s.mu.Unlock()
		name := q.Method
		if route != nil {
			name = route(q.Params)
		}
		f, err := readFixture("core/" + name + ".json")
		if err != nil {
			s.t.Errorf("core server: %v", err)
			return http.StatusNotFound, []byte(`{"result":null,"error":{"code":-32601,"message":"no fixture"},"id":null}`)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(f.Body, &m); err != nil {
			s.t.Errorf("core/%s.json body: %v", name, err)
		}
		m["id"] = q.ID
		out, _ := json.Marshal(m)
		return f.Status, out
	}
	w.Header().Set("Content-Type", "application/json")
	if bytes.HasPrefix(body, []byte("[")) {
		var qs []req
		json.Unmarshal(body, &qs)
		var outs []json.RawMessage
		for _, q := range qs {
			_, out := answer(q)
			outs = append(outs, out)
		}
		data, _ := json.Marshal(outs)
		w.Write(data)
		return
	}
	var q req
	json.Unmarshal(body, &q)
	status, out := answer(q)
	w.WriteHeader(status)
	w.Write(out)
}

// esploraServer answers REST requests with fixtures from testdata/esplora.
type esploraServer struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string]string // "GET /path" → fixture name
	hits  map[string]int
	// posted holds the bodies of POST /tx.
	posted []string
}

func newEsploraServer(t *testing.T, names ...string) *esploraServer {
	s := &esploraServer{t: t, files: make(map[string]string), hits: make(map[string]int)}
	for _, n := range names {
		s.use(n)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// use serves fixture name at the method and path it names.
func (s *esploraServer) use(name string) {
	f := loadFixture(s.t, "esplora/"+name+".json")
	s.mu.Lock()
	s.files[f.Method+" "+f.Path] = name
	s.mu.Unlock()
}

func (s *esploraServer) esplora(t *testing.T) *Esplora {
	e, err := NewEsplora(Config{URL: s.srv.URL + "/api/", Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (s *esploraServer) hit(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

func (s *esploraServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path, ok := strings.CutPrefix(r.URL.Path, "/api")
	if !ok {
		http.NotFound(w, r)
		return
	}
	key := r.Method + " " + path
	s.mu.Lock()
	s.hits[key]++
	name, ok := s.files[key]
	if r.Method == http.MethodPost {
		s.posted = append(s.posted, string(body))
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "no fixture for "+key, http.StatusNotFound)
		return
	}
	f, err := readFixture("esplora/" + name + ".json")
	if err != nil {
		s.t.Errorf("esplora server: %v", err)
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	var text string
	out := []byte(f.Body)
	if json.Unmarshal(f.Body, &text) == nil {
		if text == "TXID" {
			tx, err := decodeTx("test", "post", string(body), nil)
			if err != nil {
				http.Error(w, "bad tx", http.StatusBadRequest)
				return
			}
			text = tx.TxHash().String()
		}
		out = []byte(text)
		w.Header().Set("Content-Type", "text/plain")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(f.Status)
	w.Write(out)
}

// TestFixturesNameTheirSource keeps every documentation fixture honest about
// where its shape comes from.
func TestFixturesNameTheirSource(t *testing.T) {
	for _, dir := range []string{"core", "esplora"} {
		entries, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, de := range entries {
			e := de.Name()
			if !strings.HasSuffix(e, ".json") {
				continue
			}
			f := loadFixture(t, dir+"/"+e)
			if !strings.Contains(f.Source, "Bitcoin Core") && !strings.Contains(f.Source, "esplora") {
				t.Errorf("%s/%s: source %q names no documentation", dir, e, f.Source)
			}
			n++
		}
		if n < 10 {
			t.Errorf("%s: only %d fixtures", dir, n)
		}
	}
}
