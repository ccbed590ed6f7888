package psbt

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/btcsuite/btcd/txscript"
)

// WriteText prints the analysis the way the operator reads it before
// signing: every input and output, what is ours, what leaves, the fee, and the
// confirmation digest to compare with the other machine's screen. The layout
// is the same on both machines, so the two screens can be compared line by
// line.
func (a *Analysis) WriteText(w io.Writer) error {
	return a.WriteTextOptions(w, TextOptions{})
}

// TextOptions adapt the printed analysis to the signer's screen.
type TextOptions struct {
	// NoDigest leaves the confirmation digest out: the signer asks for
	// the words shown on the online screen, and a match proves something
	// only if the offline screen did not show them first.
	NoDigest bool
	// Sats shows amounts in satoshis instead of BTC (--sats).
	Sats bool
}

// FormatSat formats satoshis as "1500000 sat", the --sats form of
// FormatBTC.
func FormatSat(sat int64) string { return fmt.Sprintf("%d sat", sat) }

// FormatAmount is FormatSat when sats (--sats) and FormatBTC otherwise:
// the one switch every screen and message of an amount goes through.
func FormatAmount(sat int64, sats bool) string {
	if sats {
		return FormatSat(sat)
	}
	return FormatBTC(sat)
}

// WriteTextOptions is WriteText with the signer's options. Every line fits
// ScreenWidth columns: an input's coin is shown with its txid shortened in
// the middle (the full outpoint is in --json), each address whole on a line
// of its own, and long labelled values go on on indented continuation lines.
func (a *Analysis) WriteTextOptions(w io.Writer, opts TextOptions) error {
	format := func(sat int64) string { return FormatAmount(sat, opts.Sats) }
	var b screen
	b.line("", "", "Transaction "+a.TxID)
	if opts.NoDigest {
		b.blank()
	} else {
		b.line("", "", "Confirmation digest: "+strings.ToUpper(a.Digest))
		b.blank()
	}
	if r := a.Reserves; r != nil {
		// Said first and in plain words: the operator is about to sign
		// something that looks like it spends everything, and does not.
		if a.reservesRefused() {
			// What makes a proof spend nothing is what was refused: say
			// so before anything reads like a proof.
			b.line("", "", "CLAIMS TO BE A PROOF OF RESERVES ("+r.Format.Name()+"), but it is refused below: it may spend.")
		} else {
			b.line("", "", "PROOF OF RESERVES ("+r.Format.Name()+"): spends nothing.")
		}
		b.line("  ", "    ", fmt.Sprintf("proves %s, total %s", plural(r.Coins, "coin"), format(r.Total)))
		b.line("  ", "    ", fmt.Sprintf("message: %q", r.Message))
		b.blank()
	}

	b.line("", "", fmt.Sprintf("Inputs (%d):", len(a.Inputs)))
	for _, in := range a.Inputs {
		amount := "amount unknown"
		if in.HasAmount {
			amount = format(in.Amount)
		}
		owner := "not ours"
		if in.Ours {
			owner = "ours"
		}
		b.line(fmt.Sprintf("  #%-3d ", in.Index), itemIndent, fmt.Sprintf("%s  %s  %s  %s", ShortOutpoint(in.Outpoint), amount, in.ScriptType, owner))
		var more []string
		more = append(more, in.Paths...)
		if in.Finalized {
			more = append(more, "[finalized]")
		} else if in.Signatures > 0 {
			more = append(more, "["+plural(in.Signatures, "signature")+"]")
		}
		if len(more) > 0 {
			b.line(itemIndent, itemIndent, strings.Join(more, "  "))
		}
	}
	b.blank()
	b.line("", "", fmt.Sprintf("Outputs (%d):", len(a.Outputs)))
	external := 0
	for _, out := range a.Outputs {
		kind := "EXTERNAL"
		if a.Reserves != nil && out.Script == reservesOutputHex {
			kind = "unspendable (proof of reserves)"
		}
		switch {
		case out.Change && !out.Verified:
			kind = "change (claimed) at " + out.Path
		case out.Change:
			kind = "change, verified at " + out.Path
		default:
			external++
		}
		b.line(fmt.Sprintf("  #%-3d ", out.Index), itemIndent, format(out.Amount)+"  "+kind)
		switch {
		case out.Address != "":
			b.address(itemIndent, out.Address)
		case out.Script == "":
			b.line(itemIndent, itemIndent, "an empty script")
		default:
			b.line(itemIndent, itemIndent+"       ", "script "+out.Script)
		}
	}

	b.blank()
	if len(a.Inputs) > 0 && allAmountsKnown(a) {
		b.label("Total in:", format(a.TotalIn))
		b.label("Total out:", format(a.TotalOut))
		b.label("Fee:", fmt.Sprintf("%s  (%s of the amount sent)", format(a.Fee), formatPercent(a.FeePercent)))
		b.label("Fee rate:", fmt.Sprintf("%.1f sat/vB over ~%d vB", a.FeeRate, a.VSize))
		if a.Reserves != nil && !a.reservesRefused() {
			b.label("Leaves us:", "nothing (a proof of reserves can never be mined)")
		} else {
			b.label("Leaves us:", fmt.Sprintf("%s  (%s plus the fee)", format(a.Spend), plural(external, "external output")))
		}
	} else {
		b.label("Fee:", "unknown (input amounts missing)")
	}
	b.label("Locktime:", describeLockTime(a.LockTime))
	rbf := "no"
	if a.RBF {
		rbf = "yes (can be replaced with a higher fee)"
	}
	b.label("RBF:", rbf)
	if rel := relativeLocks(a); rel != "" {
		b.label("Relative locks:", rel)
	}
	if sh := sighashes(a); sh != "" {
		b.label("Sighash:", sh)
	}
	if len(a.Problems) > 0 {
		b.blank()
		b.line("", "", "Problems:")
		for _, pr := range Condense(a.Problems) {
			tag := "warning: "
			if pr.Severity == Refuse {
				tag = "REFUSED: "
			}
			b.line("  "+tag, problemIndent, pr.String())
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func allAmountsKnown(a *Analysis) bool {
	for _, in := range a.Inputs {
		if !in.HasAmount {
			return false
		}
	}
	return true
}

func describeLockTime(lt uint32) string {
	switch {
	case lt == 0:
		return "none"
	case lt < txscript.LockTimeThreshold:
		return fmt.Sprintf("block height %d", lt)
	}
	return fmt.Sprintf("%s UTC (Unix time %d)", time.Unix(int64(lt), 0).UTC().Format("2006-01-02 15:04"), lt)
}

// relativeLocks lists BIP68 relative timelocks, which matter for inputs
// whose sequence has the disable flag cleared and tx version ≥ 2.
func relativeLocks(a *Analysis) string {
	if a.Version < 2 {
		return ""
	}
	var parts []string
	for _, in := range a.Inputs {
		seq := in.Sequence
		if seq&(1<<31) != 0 || seq >= 0xfffffffd {
			continue
		}
		v := seq & 0xffff
		if seq&(1<<22) != 0 {
			parts = append(parts, fmt.Sprintf("input %d after %d seconds", in.Index, v*512))
		} else if v > 0 {
			parts = append(parts, fmt.Sprintf("input %d after %d blocks", in.Index, v))
		}
	}
	return strings.Join(parts, "; ")
}

func sighashes(a *Analysis) string {
	seen := map[string]bool{}
	var out []string
	for _, in := range a.Inputs {
		if !seen[in.SighashType] {
			seen[in.SighashType] = true
			out = append(out, in.SighashType)
		}
	}
	if len(out) == 1 && out[0] == "DEFAULT" {
		return ""
	}
	return strings.Join(out, ", ")
}

// WriteJSON prints the analysis as indented JSON for scripts; the fields are
// the same on both machines.
func (a *Analysis) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	shown := *a
	if shown.Problems == nil {
		shown.Problems = []Problem{} // [] for scripts, not null
	}
	return enc.Encode(&shown)
}

func formatPercent(p float64) string {
	if p > 0 && p < 0.01 {
		return "<0.01%"
	}
	return fmt.Sprintf("%.2f%%", p)
}

// plural is "1 coin", "2 coins": screens are read aloud at ceremonies.
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// PageLines say in words what a PSBT's printed QR page carries, so the
// page can be checked against both screens: the confirmation digest (the
// same before and after signing), who is paid what, the change, the fee.
func (a *Analysis) PageLines() []string { return a.PageLinesOptions(TextOptions{}) }

// reservesOutputHex is the proof's unspendable output script, as Output
// shows scripts.
var reservesOutputHex = fmt.Sprintf("%x", ReservesOutputScript())

// reservesRefused reports whether a proof of reserves is refused for what
// makes it one (its commitment input, its output, its message, its
// sighash): then nothing on the screen may call it unspendable.
func (a *Analysis) reservesRefused() bool {
	for _, pr := range a.Problems {
		if pr.Severity == Refuse && strings.HasPrefix(string(pr.Code), "reserves-") {
			return true
		}
	}
	return false
}

// PageLinesOptions is PageLines with the amounts as opts say (--sats).
func (a *Analysis) PageLinesOptions(opts TextOptions) []string {
	format := func(sat int64) string { return FormatAmount(sat, opts.Sats) }
	lines := []string{"Confirmation digest: " + strings.ToUpper(a.Digest), "Transaction " + a.TxID}
	for _, out := range a.Outputs {
		dest := out.Address
		if dest == "" {
			dest = "script " + out.Script
		}
		if out.Change {
			lines = append(lines, fmt.Sprintf("Change %s to %s (ours, %s)", format(out.Amount), dest, out.Path))
		} else {
			lines = append(lines, fmt.Sprintf("Pays %s to %s", format(out.Amount), dest))
		}
	}
	if len(a.Inputs) > 0 && allAmountsKnown(a) {
		lines = append(lines, fmt.Sprintf("Fee %s (%.1f sat/vB), from %s", format(a.Fee), a.FeeRate, plural(len(a.Inputs), "input")))
	}
	return lines
}
