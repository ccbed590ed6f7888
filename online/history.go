package online

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// HistoryOptions are the inputs of `airsign-online history`.
type HistoryOptions struct {
	Wallet string
	JSON   bool
}

// HistoryEntry is one transaction of the wallet as history shows it.
// Amounts are satoshis in JSON, as everywhere (fields end in _sat).
type HistoryEntry struct {
	TxID string `json:"txid"`
	// Known is false when the node has the transaction no more (replaced by
	// a bump, or dropped from the mempool).
	Known         bool  `json:"known"`
	Confirmations int32 `json:"confirmations"`
	Height        int32 `json:"height"`
	// Received is what it paid to the wallet's addresses; Sent what it spent
	// of the wallet's coins; Net is Received - Sent.
	Received int64 `json:"received_sat"`
	Sent     int64 `json:"sent_sat"`
	Net      int64 `json:"net_sat"`
	// Fee is nil when it cannot be known (a coinbase, a previous transaction
	// the node does not have).
	Fee   *int64 `json:"fee_sat"`
	Label string `json:"label,omitempty"`
}

// History lists the wallet's transactions, newest first, with what each
// did to the wallet, its fee, confirmations and label. They are the
// transactions the store knows — every one a scan saw pay or spend the
// wallet's addresses (this command scans first), and every one broadcast
// from here — each looked up on the node again, so amounts and
// confirmations are the chain's, not remembered ones. With btcd the scan
// lists every transaction of each address, so a payment whose coin was
// spent before any scan saw it is listed too; Bitcoin Core's and Esplora's
// scans see only unspent outputs, so there such a payment is not.
func History(ctx context.Context, env *Env, opts HistoryOptions) error {
	w, b, s, err := env.openScanned(ctx, opts.Wallet)
	if err != nil {
		return err
	}
	var recs []store.TxRecord
	txLabels := map[string]string{}
	err = env.view(func(t *store.Tx) error {
		var err error
		if recs, err = t.Transactions(w.id); err != nil {
			return err
		}
		labels, err := t.Labels(w.id)
		for _, l := range labels {
			if l.Type == store.LabelTx {
				txLabels[l.Ref] = l.Label
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	prevs := map[chainhash.Hash]*wire.MsgTx{}
	var entries []HistoryEntry
	for _, r := range recs {
		e, err := historyEntry(ctx, b, w, s, prevs, r.Txid)
		if err != nil {
			return err
		}
		if l := txLabels[r.Txid]; l != "" {
			e.Label = l
		}
		entries = append(entries, e)
	}
	// Newest first by the node's word (the store may not know a
	// height yet): the mempool on top, then by block height.
	sort.SliceStable(entries, func(i, j int) bool { return newer(entries[i], entries[j]) })
	if opts.JSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if entries == nil {
			entries = []HistoryEntry{}
		}
		return enc.Encode(entries)
	}
	if len(entries) == 0 {
		env.Infof("wallet %q has no transactions yet (receive shows an address to pay)", w.Name)
		return nil
	}
	for _, e := range entries {
		env.Printf("%s\n", e.TxID)
		env.Linef("  %s", describeEntry(env, e))
	}
	return nil
}

// historyEntry looks a transaction up and works out what it did to the
// wallet (the scan's scripts tell which outputs are the wallet's). Its
// label is that of its outputs' addresses or coins, if any.
func historyEntry(ctx context.Context, b backend.Backend, w *Wallet, s *Scan, prevs map[chainhash.Hash]*wire.MsgTx, txid string) (HistoryEntry, error) {
	e := HistoryEntry{TxID: txid}
	h, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		return e, fmt.Errorf("the store holds a bad txid %q", txid)
	}
	st, err := b.TxStatus(ctx, *h)
	if err != nil {
		return e, err
	}
	e.Known, e.Confirmations, e.Height = st.Known, st.Confirmations, st.BlockHeight
	tx, err := b.RawTransaction(ctx, *h)
	if errors.Is(err, backend.ErrNotFound) {
		e.Known = false
		return e, nil
	}
	if err != nil {
		return e, err
	}
	var in, out int64
	feeKnown := !isCoinbaseTx(tx)
	var outLabels []string
	for i, o := range tx.TxOut {
		out += o.Value
		d, ours := s.byScript[string(o.PkScript)]
		if ours {
			e.Received += o.Value
		}
		for _, k := range []string{fmt.Sprintf("%s:%d", txid, i), addressOf(d, o.PkScript, w.net)} {
			if l := w.Labels[k]; k != "" && l != "" && !slices.Contains(outLabels, l) {
				outLabels = append(outLabels, l)
			}
		}
	}
	e.Label = strings.Join(outLabels, "; ")
	for _, ti := range tx.TxIn {
		if !feeKnown {
			break
		}
		prev, ok := prevs[ti.PreviousOutPoint.Hash]
		if !ok {
			prev, err = b.RawTransaction(ctx, ti.PreviousOutPoint.Hash)
			if errors.Is(err, backend.ErrNotFound) {
				feeKnown = false
				continue
			}
			if err != nil {
				return e, err
			}
			prevs[ti.PreviousOutPoint.Hash] = prev
		}
		if int(ti.PreviousOutPoint.Index) >= len(prev.TxOut) {
			feeKnown = false
			continue
		}
		po := prev.TxOut[ti.PreviousOutPoint.Index]
		in += po.Value
		if _, ours := s.byScript[string(po.PkScript)]; ours {
			e.Sent += po.Value
		}
	}
	e.Net = e.Received - e.Sent
	if feeKnown {
		fee := in - out
		e.Fee = &fee
	}
	return e, nil
}

func newer(a, b HistoryEntry) bool {
	rank := func(e HistoryEntry) int32 {
		switch {
		case !e.Known:
			return 1<<31 - 1 // replaced or dropped: on top, to be seen
		case e.Confirmations == 0:
			return 1<<31 - 2
		}
		return e.Height
	}
	return rank(a) > rank(b)
}

func isCoinbaseTx(tx *wire.MsgTx) bool {
	return len(tx.TxIn) == 1 && tx.TxIn[0].PreviousOutPoint.Index == wire.MaxPrevOutIndex &&
		tx.TxIn[0].PreviousOutPoint.Hash == (chainhash.Hash{})
}

// describeEntry is the line under a txid: what it did, its state, its fee.
func describeEntry(env *Env, e HistoryEntry) string {
	what := "received " + env.amount(e.Net)
	switch {
	case e.Sent > 0 && e.Net <= 0:
		what = "sent " + env.amount(-e.Net)
		if e.Fee != nil {
			what = "sent " + env.amount(-e.Net-*e.Fee) + " + fee"
		}
	case !e.Known && e.Received == 0 && e.Sent == 0:
		what = "not found"
	}
	state := plural(int(e.Confirmations), "confirmation")
	switch {
	case !e.Known:
		state = "unknown to the node (replaced or dropped)"
	case e.Confirmations == 0:
		state = "unconfirmed (in the mempool)"
	}
	line := what + ", " + state
	if e.Fee != nil {
		line += ", fee " + env.amount(*e.Fee)
	}
	if e.Label != "" {
		line += ", \"" + transport.Printable(e.Label) + "\""
	}
	return line
}

// addressOf is the address of an output script, "" when it has none on
// the wallet's network.
func addressOf(d *descriptor.Derived, script []byte, net *chaincfg.Params) string {
	if d != nil {
		return d.Address.EncodeAddress()
	}
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(script, net)
	if err != nil || len(addrs) != 1 {
		return ""
	}
	return addrs[0].EncodeAddress()
}
