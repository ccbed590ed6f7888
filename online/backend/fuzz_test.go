package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
)

// stubTransport answers each request from a function, without a network.
type stubTransport func(r *http.Request) (status int, body []byte)

func (f stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	status, body := f(r)
	return &http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader(body)), Header: http.Header{}, Request: r}, nil
}

// fixtureBody is a fixture's body as the server would send it: a JSON string
// as its text, anything else as compact JSON.
func fixtureBody(f *testing.F, name string) []byte {
	fx := loadFixture(f, name)
	var s string
	if json.Unmarshal(fx.Body, &s) == nil {
		return []byte(s)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, fx.Body); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzEsploraScan feeds arbitrary /address, /utxo and /tx/…/hex bodies to an
// Esplora scan: it must not panic, and what it returns must be sane.
func FuzzEsploraScan(f *testing.F) {
	f.Add(fixtureBody(f, "esplora/address.json"), fixtureBody(f, "esplora/address_utxo.json"), fixtureBody(f, "esplora/tx_hex.json"))
	f.Add(fixtureBody(f, "esplora/address_unused.json"), []byte("[]"), []byte(""))
	f.Add([]byte(`{"chain_stats":{"tx_count":1}}`), []byte(`[{"txid":"`+strings.Repeat("ab", 32)+`","vout":4294967295,"value":1,"status":{"confirmed":true,"block_height":150}}]`), []byte("00"))
	f.Fuzz(func(t *testing.T, addrBody, utxoBody, txBody []byte) {
		e, err := NewEsplora(Config{URL: "http://esplora.test", Backoff: time.Microsecond, ReadAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		e.http = &http.Client{Transport: stubTransport(func(r *http.Request) (int, []byte) {
			p := r.URL.Path
			switch {
			case p == "/blocks/tip/hash":
				return 200, []byte(strings.Repeat("cd", 32))
			case p == "/blocks/tip/height":
				return 200, []byte("150")
			case strings.HasSuffix(p, "/utxo"):
				return 200, utxoBody
			case strings.HasPrefix(p, "/address/"):
				return 200, addrBody
			case strings.HasPrefix(p, "/tx/"):
				return 200, txBody
			}
			return 404, nil
		})}
		a, _ := btcutil.DecodeAddress(fxAddr, testParams)
		res, err := e.ScanAddresses(context.Background(), []btcutil.Address{a})
		if err != nil {
			return
		}
		for _, u := range res[fxAddr].UTXOs {
			if u.Amount <= 0 || u.Confirmations < 0 || u.Confirmations > 151 || (u.Confirmations == 0) != (u.Height == 0) {
				t.Fatalf("insane UTXO %+v", u)
			}
		}
	})
}

// FuzzCoreScan feeds arbitrary scantxoutset and gettxout replies to a Core scan.
func FuzzCoreScan(f *testing.F) {
	f.Add(fixtureBody(f, "core/scantxoutset.json"), fixtureBody(f, "core/gettxout.json"))
	f.Add(fixtureBody(f, "core/scantxoutset_v018.json"), fixtureBody(f, "core/gettxout_null.json"))
	f.Add(fixtureBody(f, "core/scantxoutset_foreign.json"), fixtureBody(f, "core/gettxout_other.json"))
	f.Fuzz(func(t *testing.T, scanBody, txoutBody []byte) {
		c, err := NewCore(Config{URL: "http://core.test", User: "u", Password: "p", Backoff: time.Microsecond, ReadAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		c.rpc.http = &http.Client{Transport: stubTransport(func(r *http.Request) (int, []byte) {
			body, _ := io.ReadAll(r.Body)
			switch {
			case bytes.Contains(body, []byte(`"scantxoutset"`)):
				return 200, scanBody
			case bytes.HasPrefix(body, []byte("[")):
				// a gettxout batch: answer every id with the same reply
				var out [][]byte
				for i := 1; i < 600; i++ {
					out = append(out, bytes.Replace(txoutBody, []byte(`"id":1`), []byte(`"id":`+strconv.Itoa(i)), 1))
				}
				return 200, append(append([]byte("["), bytes.Join(out, []byte(","))...), ']')
			case bytes.Contains(body, []byte(`"getblockcount"`)):
				return 200, []byte(`{"result":101,"error":null,"id":` + idOf(body) + `}`)
			}
			return 200, bytes.Replace(txoutBody, []byte(`"id":1`), []byte(`"id":`+idOf(body)), 1)
		})}
		a, _ := btcutil.DecodeAddress(fxAddr, testParams)
		res, err := c.ScanAddresses(context.Background(), []btcutil.Address{a})
		if err != nil {
			return
		}
		for _, u := range res[fxAddr].UTXOs {
			if u.Amount <= 0 || u.Confirmations < 1 {
				t.Fatalf("insane UTXO %+v", u)
			}
		}
	})
}

// FuzzRPCErrorFromBody parses electrs error bodies.
func FuzzRPCErrorFromBody(f *testing.F) {
	f.Add(fixtureBody(f, "esplora/post_tx_inchain.json"))
	f.Add(fixtureBody(f, "esplora/post_tx_rejected.json"))
	f.Add([]byte(`{"code":-26,"message":"a\"b\\u0041"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if e := rpcErrorFromBody(body); e != nil && len(e.Message) > 130 {
			t.Fatalf("message not shortened: %d bytes", len(e.Message))
		}
	})
}

// idOf pulls the numeric id out of a single JSON-RPC request body.
func idOf(body []byte) string {
	i := bytes.Index(body, []byte(`"id":`))
	if i < 0 {
		return "null"
	}
	rest := body[i+5:]
	j := bytes.IndexAny(rest, ",}")
	if j < 0 {
		return "null"
	}
	return string(rest[:j])
}
