package online

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/airsign/airsign/transport"
	"io"
	"os"
	"strings"

	"github.com/airsign/airsign/psbt"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/mempool"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Payout is one payment of a batch and where the operator wrote it, so an
// error can name the flag or the CSV line at fault.
type Payout struct {
	Payment
	// Origin is "--to #2" or "payouts.csv line 7".
	Origin string
}

// maxPayoutFile bounds a --to-file: a line is under 120 bytes, and a
// standard transaction holds fewer than 3,000 outputs.
const maxPayoutFile = 1 << 20

// ParsePayoutsCSV reads a batch of payments, one "ADDRESS,AMOUNT" per line
// (AMOUNT as for --to: BTC, or satoshis with a "sat" suffix). A first line
// in which neither field parses is a header and skipped; blank lines and
// lines starting with '#' are skipped. Every error names the line. Checks
// that need all payouts together (duplicates, dust) are done by
// CheckPayouts.
func ParsePayoutsCSV(r io.Reader, name string, net *chaincfg.Params) ([]Payout, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPayoutFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > maxPayoutFile {
		return nil, fmt.Errorf("%s is larger than %d MiB: split the batch", name, maxPayoutFile>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	var out []Payout
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s line %d: %v", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("%s line %d", name, line)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("%s: expected ADDRESS,AMOUNT, found %s", where, plural(len(rec), "field"))
		}
		addr, aerr := ParseAddress(rec[0], net)
		amt, merr := ParseAmount(rec[1])
		if first && aerr != nil && merr != nil && !strings.ContainsAny(rec[1], "0123456789") {
			// A header such as "address,amount". A first line whose amount
			// has digits is a payment with a mistake, not a header: it is
			// reported below, never dropped.
			first = false
			continue
		}
		first = false
		if aerr != nil {
			return nil, fmt.Errorf("%s: %w", where, aerr)
		}
		if merr != nil {
			return nil, fmt.Errorf("%s: %w", where, merr)
		}
		out = append(out, Payout{Payment: Payment{Address: addr, Amount: amt}, Origin: where})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no payment: expected lines of ADDRESS,AMOUNT", name)
	}
	return out, nil
}

// readPayoutsFile reads --to-file (or stdin for "-").
func readPayoutsFile(env *Env, path string, net *chaincfg.Params) ([]Payout, error) {
	if path == "-" {
		return ParsePayoutsCSV(env.Stdin, "stdin", net)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--to-file: %w", err)
	}
	defer f.Close()
	return ParsePayoutsCSV(f, path, net)
}

// CheckPayouts refuses what no node would relay or no operator means: an
// address paid twice (pay it once, the sum) and an amount below the dust
// limit of its address type.
func CheckPayouts(pays []Payout) error {
	seen := map[string]string{}
	for _, p := range pays {
		key := p.Address.EncodeAddress()
		if prev, dup := seen[key]; dup {
			return transport.WithHint(fmt.Errorf("%s: address %s is already paid by %s", p.Origin, key, prev),
				"pay an address once per transaction (add the amounts)")
		}
		seen[key] = p.Origin
		script, err := payScript(p.Address)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Origin, err)
		}
		if isDust(p.Amount, script) {
			return fmt.Errorf("%s: %s to %s is below the dust limit for this address type (%s); nodes would not relay it",
				p.Origin, psbt.FormatBTC(p.Amount), key, psbt.FormatBTC(dustLimit(script)))
		}
	}
	return nil
}

// payScript is the output script paying a.
func payScript(a btcutil.Address) ([]byte, error) {
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		return nil, fmt.Errorf("address %s: no output script for this address type: %v", a.EncodeAddress(), err)
	}
	return s, nil
}

// isDust reports whether an output of amount to script would be dust at
// the default minimum relay fee (1 sat/vB), the rule btcd and Core apply.
func isDust(amount int64, script []byte) bool {
	return mempool.IsDust(wire.NewTxOut(amount, script), minRelayFee)
}

// dustLimit is the smallest amount to script that is not dust.
func dustLimit(script []byte) int64 {
	lo, hi := int64(0), int64(1_000_000)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if isDust(mid, script) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}
