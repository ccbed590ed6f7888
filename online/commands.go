package online

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	count "github.com/airsign/airsign/transport/plural"
	"github.com/airsign/airsign/transport/qrterm"
)

// ShowWallet prints a wallet's descriptor, network and bookkeeping.
func ShowWallet(ctx context.Context, env *Env, name string, qr transport.QROptions) error {
	qrterm.Fit(env.Stdout, &qr)
	if err := qr.CheckDescriptor(); err != nil {
		return err
	}
	w, err := LoadWallet(env, name)
	if err != nil {
		return err
	}
	env.Printf("Wallet:      %s\n", w.Name)
	env.Printf("Network:     %s\n", w.net.Name)
	kind := w.desc.Kind().String()
	if w.desc.Kind().IsMultisig() {
		kind = fmt.Sprintf("%s, %d of %d", kind, w.desc.Threshold(), len(w.desc.Keys()))
	}
	env.Printf("Type:        %s\n", kind)
	env.Printf("Descriptor:  %s\n", w.Descriptor)
	env.Printf("Descriptor ID (compare with the offline screen): %s\n", w.desc.ID())
	first, err := w.desc.FirstAddress()
	if err != nil {
		return err
	}
	env.Printf("First receive address (compare too): %s\n", first)
	for i, k := range w.desc.Keys() {
		env.Printf("Key %d:       %s\n", i+1, psbt.FormatPath(k.PSBTFingerprint(), k.Path))
	}
	env.Printf("Gap limit:   %d\n", w.GapLimit)
	if w.Birthday > 0 {
		env.Printf("Birthday:    block %d (no coin before it)\n", w.Birthday)
	} else {
		env.Printf("Birthday:    unknown (give it at import with --birthday)\n")
	}
	env.Printf("Labels:      %d\n", len(w.Labels))
	env.Printf("Frozen:      %s\n", plural(len(w.Frozen), "coin"))
	if !qr.Any() {
		return nil
	}
	// For a phone or desktop watch-only wallet (Sparrow, Keystone's
	// companions): the same UR crypto-output airsign-offline shows.
	defer qrterm.Keys(&qr)()
	lines, err := transport.WriteDescriptorQR(ctx, w.desc, qr, env.Stdout)
	for _, l := range lines {
		env.Infof("%s", l)
	}
	return err
}

// ListAddresses prints n addresses of a branch starting at start, with
// their labels.
func ListAddresses(env *Env, name string, change bool, start, n uint32) error {
	w, err := LoadWallet(env, name)
	if err != nil {
		return err
	}
	branch := uint32(0)
	if change {
		branch = 1
	}
	if !w.desc.HasBranch(branch) {
		return fmt.Errorf("this wallet's descriptor has no branch %d", branch)
	}
	if n > 10000 {
		return fmt.Errorf("-n %d is too many; list at most 10000 at a time", n)
	}
	for i := start; i < start+n; i++ {
		d, err := w.desc.Derive(branch, i)
		if err != nil {
			return err
		}
		addr := d.Address.EncodeAddress()
		line := fmt.Sprintf("%s/%d/%d  %s", pathPrefix(w), branch, i, addr)
		if l := w.Labels[addr]; l != "" {
			line += "  " + l
		}
		env.Printf("%s\n", line)
	}
	return nil
}

func pathPrefix(w *Wallet) string {
	keys := w.desc.Keys()
	if len(keys) == 1 {
		return psbt.FormatPath(keys[0].PSBTFingerprint(), keys[0].Path)
	}
	return "m/…"
}

// UTXOOptions are the inputs of `airsign-online utxos`.
type UTXOOptions struct {
	Wallet string
	JSON   bool
}

// utxoJSON is one coin in `utxos --json`.
type utxoJSON struct {
	OutPoint      string `json:"outpoint"`
	Amount        int64  `json:"amount_sat"`
	Confirmations int32  `json:"confirmations"`
	Address       string `json:"address"`
	Branch        uint32 `json:"branch"`
	Index         uint32 `json:"index"`
	Coinbase      bool   `json:"coinbase,omitempty"`
	Immature      bool   `json:"immature,omitempty"`
	Frozen        bool   `json:"frozen,omitempty"`
	Label         string `json:"label,omitempty"`
	AddressLabel  string `json:"address_label,omitempty"`
}

type utxosJSON struct {
	Wallet      string            `json:"wallet"`
	Tip         int32             `json:"tip_height"`
	Confirmed   int64             `json:"confirmed_sat"`
	Unconfirmed int64             `json:"unconfirmed_sat"`
	Immature    int64             `json:"immature_sat"`
	Frozen      int64             `json:"frozen_sat"`
	UsedAddrs   map[uint32]int    `json:"used_addresses"`
	NextUnused  map[uint32]uint32 `json:"next_unused"`
	Coins       []utxoJSON        `json:"coins"`
}

// ListUTXOs scans the wallet and prints its coins and balance.
func ListUTXOs(ctx context.Context, env *Env, opts UTXOOptions) error {
	w, _, s, err := env.openScanned(ctx, opts.Wallet)
	if err != nil {
		return err
	}
	conf, unconf, imm, frozen := s.Balance(w)
	if opts.JSON {
		out := utxosJSON{Wallet: w.Name, Tip: s.Tip, Confirmed: int64(conf), Unconfirmed: int64(unconf),
			Immature: int64(imm), Frozen: int64(frozen), UsedAddrs: s.Used, NextUnused: s.NextUnused, Coins: []utxoJSON{}}
		for _, c := range s.Coins {
			op, addr := c.OutPoint.String(), c.Derived.Address.EncodeAddress()
			out.Coins = append(out.Coins, utxoJSON{OutPoint: op, Amount: int64(c.Amount), Confirmations: c.Confirmations,
				Address: addr, Branch: c.Branch, Index: c.Index, Coinbase: c.Coinbase, Immature: c.Immature(w.net),
				Frozen: w.Frozen[op], Label: w.Labels[op], AddressLabel: w.Labels[addr]})
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	// Piped or redirected: one coin a line, in columns, for scripts. On a
	// console: a coin to a block of lines that fit it, the outpoint and
	// the address each whole on its own line, to be copied.
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	if env.OutWidth == 0 {
		fmt.Fprintln(tw, "OUTPOINT\tAMOUNT\tCONF\tADDRESS\tPATH\tNOTE")
	}
	for _, c := range s.Coins {
		op, addr := c.OutPoint.String(), c.Derived.Address.EncodeAddress()
		note := ""
		switch {
		case w.Frozen[op]:
			note = "[frozen]"
		case c.Immature(w.net):
			note = "[immature coinbase]"
		case c.InMempool():
			note = "[unconfirmed]"
		}
		for _, l := range []string{w.Labels[op], w.Labels[addr]} {
			if l != "" {
				if note != "" {
					note += " "
				}
				note += l
			}
		}
		if env.OutWidth == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d/%d\t%s\n", op, env.amount(int64(c.Amount)), c.Confirmations, addr, c.Branch, c.Index, note)
			continue
		}
		line := fmt.Sprintf("%s, %s, %s %d/%d", env.amount(int64(c.Amount)), plural(int(c.Confirmations), "confirmation"), branchName(c.Branch), c.Branch, c.Index)
		if note != "" {
			line += "  " + note
		}
		env.Printf("%s\n%s\n  %s\n", op, psbt.WrapText("  "+line, env.OutWidth), addr)
	}
	tw.Flush()
	env.Linef("\nBalance: %s confirmed, %s unconfirmed, %s immature (tip height %d)",
		env.amount(int64(conf)), env.amount(int64(unconf)), env.amount(int64(imm)), s.Tip)
	if frozen > 0 {
		env.Linef("Frozen:  %s in %s (not spent by prepare until unfrozen)", env.amount(int64(frozen)), plural(countFrozen(w, s), "coin"))
	}
	var used []string
	for _, br := range w.desc.Branches() {
		used = append(used, fmt.Sprintf("%d %s", s.Used[br], branchName(br)))
	}
	env.Infof("%s; used addresses: %s; gap limit %d", plural(len(s.Coins), "coin"), strings.Join(used, ", "), w.gap)
	return nil
}

func countFrozen(w *Wallet, s *Scan) int {
	n := 0
	for _, c := range s.Coins {
		if w.Frozen[c.OutPoint.String()] {
			n++
		}
	}
	return n
}

func branchName(b uint32) string {
	switch b {
	case 0:
		return "receive"
	case 1:
		return "change"
	}
	return fmt.Sprintf("branch %d", b)
}

// plural counts things on online's screens ("1 coin", "2 coins"), with the
// one helper both binaries use.
var plural = count.Of
