package online

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/airsign/airsign/psbt"
)

// ShowWallet prints a wallet's descriptor, network and first addresses.
func ShowWallet(env *Env, name string) error {
	w, err := LoadWallet(env, name)
	if err != nil {
		return err
	}
	env.Printf("Wallet:      %s\n", w.Name)
	env.Printf("Network:     %s\n", w.net.Name)
	env.Printf("Type:        %s\n", w.desc.Kind())
	env.Printf("Descriptor:  %s\n", w.Descriptor)
	env.Printf("Descriptor ID (compare with the offline screen): %s\n", w.desc.ID())
	env.Printf("Gap limit:   %d\n", w.GapLimit)
	return nil
}

// ListAddresses prints n addresses of a branch starting at start.
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
		env.Printf("%s/%d/%d  %s\n", pathPrefix(w), branch, i, d.Address.EncodeAddress())
	}
	return nil
}

func pathPrefix(w *Wallet) string {
	keys := w.desc.Keys()
	if len(keys) == 1 {
		return psbt.FormatPath(keys[0].PSBTFingerprint(), keys[0].Path)
	}
	return "m"
}

// ListUTXOs scans the wallet and prints its coins and balance.
func ListUTXOs(ctx context.Context, env *Env, name string) error {
	w, err := LoadWallet(env, name)
	if err != nil {
		return err
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return err
	}
	s, err := w.scan(ctx, b)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTPOINT\tAMOUNT\tCONF\tADDRESS\tPATH\tNOTE")
	for _, c := range s.Coins {
		note := ""
		switch {
		case c.Immature(w.net):
			note = "immature coinbase"
		case w.Frozen[c.OutPoint.String()]:
			note = "frozen"
		}
		if l := w.Labels[c.OutPoint.String()]; l != "" {
			note += " " + l
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d/%d\t%s\n", c.OutPoint, psbt.FormatBTC(int64(c.Amount)), c.Confirmations, c.Derived.Address.EncodeAddress(), c.Branch, c.Index, note)
	}
	tw.Flush()
	conf, unconf, imm := s.Balance(w)
	env.Printf("\nBalance: %s confirmed, %s unconfirmed, %s immature (tip height %d)\n", psbt.FormatBTC(int64(conf)), psbt.FormatBTC(int64(unconf)), psbt.FormatBTC(int64(imm)), s.Tip)
	return nil
}
