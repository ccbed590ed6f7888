package walletfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
)

// This file reads Bitcoin Core's descriptor wallet exports: the JSON of
// `listdescriptors` ({"wallet_name", "descriptors": [{"desc", "active",
// "internal", …}]}), an `importdescriptors` request ([{"desc",
// "internal", …}]), and Coldcard's "Bitcoin Core" export, a text around an
// `importdescriptors '[…]'` command line.

// coreEntry is one descriptor of a Bitcoin Core export.
type coreEntry struct {
	Desc     string `json:"desc"`
	Active   *bool  `json:"active"`
	Internal *bool  `json:"internal"`
}

// coreList is the result of `listdescriptors`.
type coreList struct {
	WalletName  *string     `json:"wallet_name"`
	Descriptors []coreEntry `json:"descriptors"`
}

// readCoreList reads the JSON `listdescriptors` prints.
func readCoreList(data []byte, typ string) (*Wallet, error) {
	var l coreList
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("%w: Bitcoin Core listdescriptors export: %v", ErrInconsistent, err)
	}
	w, err := coreWallet(l.Descriptors, typ, "Bitcoin Core listdescriptors export")
	if err != nil {
		return nil, err
	}
	if l.WalletName != nil {
		w.Name = *l.WalletName
	}
	return w, nil
}

// readCoreImport reads an `importdescriptors` request: a JSON array.
func readCoreImport(data []byte, typ, format string) (*Wallet, error) {
	var entries []coreEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%w: %s: not an array of {\"desc\": …} (%v)", ErrNotWalletFile, format, err)
	}
	return coreWallet(entries, typ, format)
}

// coreCommand finds the `importdescriptors '[…]'` line in Coldcard's
// Bitcoin Core export (its `importmulti` line, for old Core versions,
// says the same and is passed over) and the first receive address the
// file lists ("m/84h/1h/0h/0/0 => tb1q…"). ok is false when no line is
// such a command: the text is something else.
func coreCommand(lines []line, typ string) (w *Wallet, ok bool, err error) {
	var cmd *line
	first := ""
	for i, l := range lines {
		if strings.HasPrefix(l.text, "importdescriptors ") {
			if cmd != nil {
				return nil, true, fmt.Errorf("%w: line %d: a second importdescriptors command (the first is on line %d); keep one", ErrChoose, l.n, cmd.n)
			}
			cmd = &lines[i]
		}
		if m := firstReceive.FindStringSubmatch(l.text); m != nil && first == "" {
			first = m[1]
		}
	}
	if cmd == nil {
		return nil, false, nil
	}
	arg := strings.TrimSpace(strings.TrimPrefix(cmd.text, "importdescriptors"))
	arg = strings.TrimSuffix(strings.TrimPrefix(arg, "'"), "'")
	w, err = readCoreImport([]byte(arg), typ, fmt.Sprintf("the importdescriptors command on line %d", cmd.n))
	if errors.Is(err, ErrNotWalletFile) {
		err = fmt.Errorf("%w: line %d: the importdescriptors argument is not a JSON array of {\"desc\": …} between single quotes", ErrInconsistent, cmd.n)
	}
	if err != nil {
		return nil, true, err
	}
	w.Format, w.First = "Bitcoin Core importdescriptors command", first
	return w, true, nil
}

// firstReceive is Coldcard's example address line for index 0 of the
// receive branch.
var firstReceive = regexp.MustCompile(`^m/[0-9h'/]+/0/0\s*=>\s*([A-Za-z0-9]{14,90})$`)

// originOf finds a descriptor's first key origin, to name a wallet in
// messages without quoting its keys.
var originOf = regexp.MustCompile(`\[[0-9A-Fa-f]{8}[0-9hH'/]*\]`)

// coreWallet picks the wallet out of a Bitcoin Core export's descriptors:
// the active ones (listdescriptors also lists retired ones), grouped into
// receive/change pairs. One pair (or the pair of --type) is the wallet;
// several are refused, naming them.
func coreWallet(entries []coreEntry, typ, format string) (*Wallet, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: %s holds no descriptors", ErrMissing, format)
	}
	groups := map[string][]found{} // by the descriptor with <0;1>
	var order []string
	for i, e := range entries {
		n := i + 1
		if e.Active != nil && !*e.Active {
			continue
		}
		body, err := splitEntry(e, n, format)
		if err != nil {
			return nil, err
		}
		if e.Internal != nil {
			want := map[bool]string{false: "/0/*", true: "/1/*"}[*e.Internal]
			if !strings.Contains(body, want) && !strings.Contains(body, "/<0;1>/*") {
				return nil, fmt.Errorf("%w: %s, descriptor %d: \"internal\": %v but its keys do not end in %s", ErrInconsistent, format, n, *e.Internal, want)
			}
		}
		norm, err := standardKeys(body)
		if err != nil {
			return nil, fmt.Errorf("%s, descriptor %d: %w", format, n, err)
		}
		norm = branch.ReplaceAllString(norm, "/<0;1>/*")
		if typ != "" && typeOf(norm) != typ {
			continue
		}
		if _, ok := groups[norm]; !ok {
			order = append(order, norm)
		}
		groups[norm] = append(groups[norm], found{n, e.Desc, false})
	}
	switch {
	case len(order) == 0 && typ != "":
		return nil, fmt.Errorf("%w: %s has no active %s descriptor", ErrMissing, format, typ)
	case len(order) == 0:
		return nil, fmt.Errorf("%w: %s has no active descriptor", ErrMissing, format)
	case len(order) > 1:
		return nil, chooseCore(order, typ, format)
	}
	w, err := joinDescriptors(groups[order[0]])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", format, err)
	}
	w.Format, w.Picked = format, typ != ""
	return w, nil
}

// splitEntry checks one entry's descriptor: present and watch-only.
func splitEntry(e coreEntry, n int, format string) (string, error) {
	if strings.TrimSpace(e.Desc) == "" {
		return "", fmt.Errorf("%w: %s, descriptor %d has no \"desc\"", ErrMissing, format, n)
	}
	if strings.Contains(e.Desc, "prv") {
		return "", fmt.Errorf("%w: %s, descriptor %d holds a private key (listdescriptors true): export it again with listdescriptors, without true, and destroy this file", ErrUnsupported, format, n)
	}
	body, _, err := descriptor.SplitChecksum(strings.TrimSpace(e.Desc))
	if err != nil {
		return "", fmt.Errorf("%s, descriptor %d: %w", format, n, err)
	}
	return body, nil
}

// typeOf is the --type of a descriptor's script, "" if none fits.
func typeOf(desc string) string {
	for t, shape := range shapes {
		if prefix, _, _ := strings.Cut(shape, "%s"); strings.HasPrefix(desc, prefix) {
			return t
		}
	}
	return ""
}

// chooseCore refuses an export of several wallets, naming each by its
// script and first key origin (not its keys), and says how to pick one.
func chooseCore(order []string, typ, format string) error {
	var names, types []string
	for _, norm := range order {
		fn, _, _ := strings.Cut(norm, "[")
		names = append(names, fn+originOf.FindString(norm)+"…")
		if t := typeOf(norm); t != "" && !contains(types, t) {
			types = append(types, t)
		}
	}
	sort.Strings(types)
	list := strings.Join(names, ", ")
	if typ == "" && len(types) > 1 {
		return fmt.Errorf("%w: %s holds %d active wallets (%s); choose one with --type (%s)", ErrChoose, format, len(order), list, strings.Join(types, ", "))
	}
	return fmt.Errorf("%w: %s holds %d active wallets (%s) that --type cannot tell apart; export the one wallet to import alone, or keep only its receive and change descriptors in the file", ErrChoose, format, len(order), list)
}
