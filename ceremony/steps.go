package ceremony

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ---- Step functions ----

// validName checks a typed name: printable, 1 to 80 characters.
func validName(s string) error {
	if s == "" {
		return errors.New("the name is empty")
	}
	if utf8.RuneCountInString(s) > 80 {
		return errors.New("the name is longer than 80 characters")
	}
	for _, c := range s {
		if !unicode.IsPrint(c) || c == ',' {
			return errors.New("the name has a character that is not allowed (control characters, commas)")
		}
	}
	return nil
}

func doAirGap(r *runner, s *Step) error {
	checks, err := r.a.AirGapCheck(r.ctx)
	if err != nil {
		return failed(err, "the air-gap check could not run: %v", err)
	}
	if len(checks) == 0 {
		return failed(nil, "the air-gap check checked nothing")
	}
	data := map[string]string{}
	var lines []string
	var bad []string
	for _, c := range checks {
		v := "ok"
		switch {
		case !c.OK && c.Required:
			v = "FAIL"
			bad = append(bad, c.Name+": "+c.Detail)
		case !c.OK:
			v = "WARNING"
		}
		if c.Detail != "" {
			v += ": " + c.Detail
		}
		data[c.Name] = v
		lines = append(lines, fmt.Sprintf("  %-12s %s", c.Name, v))
	}
	if err := r.show("Air-gap check:\n" + strings.Join(lines, "\n")); err != nil {
		return err
	}
	if err := r.record(s, "airgap-check", data); err != nil {
		return err
	}
	if len(bad) > 0 {
		return failed(nil, "the air-gap check failed: %s", strings.Join(bad, "; "))
	}
	return nil
}

var tofnRE = regexp.MustCompile(`^(\d{1,2})\s*(?:of|/|-of-|-)\s*(\d{1,2})$`)

// ParseThreshold reads "T of N" ("2 of 3", "2-of-3", "2/3") and checks
// 2 ≤ T ≤ N ≤ 16, the limits of the share envelope.
func ParseThreshold(s string) (t, n int, err error) {
	m := tofnRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, 0, errors.New("type the threshold as T of N, for example 2 of 3")
	}
	t, _ = strconv.Atoi(m[1])
	n, _ = strconv.Atoi(m[2])
	switch {
	case n > 16:
		return 0, 0, fmt.Errorf("%d shares: at most 16", n)
	case t < 2:
		return 0, 0, errors.New("a threshold below 2 gives every holder the whole key; use at least 2")
	case t > n:
		return 0, 0, fmt.Errorf("%d of %d: the threshold cannot be more than the number of shares", t, n)
	}
	return t, n, nil
}

func checkWallet(w Wallet) (Wallet, error) {
	w.Fingerprint = strings.ToLower(w.Fingerprint)
	w.SharesFingerprint = strings.ToLower(w.SharesFingerprint)
	if len(w.Fingerprint) != 8 || !isLowerHex(w.Fingerprint) || len(w.SharesFingerprint) != 8 || !isLowerHex(w.SharesFingerprint) {
		return w, errors.New("the derived fingerprint is not 8 hex digits")
	}
	if w.Descriptor == "" || len(w.Addresses) == 0 || w.ID == "" {
		return w, errors.New("the derived wallet has no descriptor, descriptor ID or address")
	}
	return w, nil
}

// descriptorNote names the watch-only descriptor on a screen without
// showing it: at 150 characters and more (a multisig's are longer) it fits
// no 80-column line, and nobody copies it by hand. It crosses the gap as
// the file and QR code the export writes; its ID (above it on the screen)
// and its checksum name it.
func descriptorNote(w Wallet) string {
	kind, _, _ := strings.Cut(w.Descriptor, "(")
	return fmt.Sprintf("Watch-only descriptor: %s, checksum %s, ID %s. Nobody copies it by hand: the export writes it whole to descriptor.txt and as a QR code.",
		kind, descriptorChecksum(w.Descriptor), w.ID)
}

// keyOrigin matches a descriptor's key origins, "[fingerprint/path]".
var keyOrigin = regexp.MustCompile(`\[[^\]]*\]`)

// descriptorSummary names a descriptor on one line: its script, the
// origins of its keys and its checksum ("wpkh [47c6c7a3/84h/1h/0h]
// #r0gwur84"); the keys themselves are left out.
func descriptorSummary(desc string) string {
	kind, _, _ := strings.Cut(desc, "[")
	kind = strings.TrimRight(kind, "(,0123456789")
	return fmt.Sprintf("%s %s #%s", kind, strings.Join(keyOrigin.FindAllString(desc, -1), " "), descriptorChecksum(desc))
}

// descriptorChecksum is a descriptor's BIP380 checksum ("" without one).
func descriptorChecksum(desc string) string {
	if i := strings.LastIndexByte(desc, '#'); i >= 0 {
		return desc[i+1:]
	}
	return ""
}

func walletData(w Wallet) map[string]string {
	return map[string]string{"fingerprint": w.Fingerprint, "descriptor": w.Descriptor, "descriptor_id": w.ID, "address_0": w.Addresses[0]}
}

func doMakeWallet(r *runner, s *Step) error {
	if r.key == nil {
		return failed(nil, "no key was made before this step")
	}
	w, err := r.a.Wallet(r.ctx, r.secret())
	if err == nil {
		w, err = checkWallet(w)
	}
	if err != nil {
		return failed(err, "deriving the wallet: %v", err)
	}
	r.keyWallet, r.res.Made = w, w
	msg := fmt.Sprintf("Fingerprint: %s\nDescriptor ID: %s\n%s\nFirst receive address: %s", w.Fingerprint, w.ID, descriptorNote(w), w.Addresses[0])
	data := walletData(w)
	if r.passphrase != nil {
		msg = "With the passphrase:\n" + msg + fmt.Sprintf("\nThe shares carry the fingerprint of the words alone, %s: it is not the wallet's.", w.SharesFingerprint)
		data["passphrase"], data["shares_fingerprint"] = "yes", w.SharesFingerprint
	}
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "key-made", data)
}

func doSplit(r *runner, s *Step) error {
	if r.key == nil || r.keyWallet.SharesFingerprint == "" || r.count == 0 {
		return failed(nil, "there is no key or no threshold to split with")
	}
	// The shares hold the words, not the passphrase: they carry the
	// fingerprint of the words alone, which rebuilding them can check.
	set, err := r.a.Split(r.ctx, r.key, r.keyWallet.SharesFingerprint, r.threshold, r.count)
	if err == nil {
		switch {
		case len(set.Shares) != r.count || set.Threshold != r.threshold || set.Count != r.count:
			err = fmt.Errorf("the split made %d shares (%d of %d), not %d of %d", len(set.Shares), set.Threshold, set.Count, r.threshold, r.count)
		case set.SetID == "":
			err = errors.New("the split has no set id")
		case set.SetID == r.res.OldSetID:
			err = fmt.Errorf("the new share set has the old set's id %s", set.SetID)
		}
	}
	if err != nil {
		for _, sh := range set.Shares {
			wipe(sh)
		}
		return failed(err, "splitting the key: %v", err)
	}
	r.shares = set.Shares
	r.res.NewSet = ShareInfo{SetID: set.SetID, Threshold: set.Threshold, Count: set.Count, Fingerprint: r.keyWallet.SharesFingerprint}
	if err := r.show(fmt.Sprintf("Share set %s: %d shares, any %d rebuild the key.", set.SetID, set.Count, set.Threshold)); err != nil {
		return err
	}
	return r.record(s, "split", map[string]string{"set_id": set.SetID, "threshold": strconv.Itoa(set.Threshold),
		"shares": strconv.Itoa(set.Count), "fingerprint": r.keyWallet.SharesFingerprint})
}

func doShowCard(r *runner, s *Step) error {
	i := r.holder
	if i < 1 || i > len(r.shares) || r.shares[i-1] == nil {
		return failed(nil, "there is no card for holder %d", i)
	}
	set := r.res.NewSet
	arts, err := r.a.PrintCard(r.ctx, Card{SetID: set.SetID, Threshold: set.Threshold, Count: set.Count, Index: i,
		Fingerprint: set.Fingerprint, Holder: r.holderNames[i], Share: r.shares[i-1]})
	if err != nil {
		return failed(err, "printing card %d: %v", i, err)
	}
	r.cardsShown = append(r.cardsShown, i) // counted as out once asked for: it may be on screen
	if err := r.p.ShowSecret(r.prompt(s, fmt.Sprintf("Card %d of %d for %s — only this holder looks at the screen", i, set.Count, r.holderNames[i])), r.shares[i-1]); err != nil {
		if errors.Is(err, ErrCtrlC) {
			return interrupted(err, "Ctrl-C was pressed while card %d was shown", i)
		}
		return interrupted(err, "the card could not be shown: %v", err)
	}
	if err := r.ackWord(s); err != nil {
		return err
	}
	data := map[string]string{"holder": strconv.Itoa(i), "index": strconv.Itoa(i), "set_id": set.SetID, "typed": s.Word}
	for _, a := range arts {
		data["printed "+a.Name] = a.SHA256
	}
	return r.record(s, "card-shown", data)
}

func doExport(r *runner, s *Step) error {
	w := r.res.Made
	w.PassphraseHolder = r.res.PassphraseHolder
	w.SharesSetID = r.res.NewSet.SetID
	arts, err := r.a.Export(r.ctx, w)
	for _, a := range arts {
		r.exported = append(r.exported, a.Name)
	}
	if len(arts) == 0 && err != nil {
		r.exported = append(r.exported, "possibly partial files in the export directory")
	}
	if err != nil {
		return failed(err, "exporting the watch-only wallet: %v", err)
	}
	data := map[string]string{"fingerprint": w.Fingerprint, "descriptor": w.Descriptor}
	var lines []string
	for _, a := range arts {
		data["file "+a.Name] = a.SHA256
		// A file and its hash on one line when it fits 80 columns, else
		// the hash under the file: neither is cut.
		line := fmt.Sprintf("  %s  sha256 %s", a.Name, a.SHA256)
		if utf8.RuneCountInString(line) > 80 {
			line = fmt.Sprintf("  %s\n    sha256 %s", a.Name, a.SHA256)
		}
		lines = append(lines, line)
	}
	if err := r.show("Watch-only wallet written:\n" + strings.Join(lines, "\n")); err != nil {
		return err
	}
	return r.record(s, "exported", data)
}

// doMultisigSheet says whether the key made is a multisig cosigner and, if
// so, that its wallet is the multisig whose sheet is filed with the cards.
func doMultisigSheet(r *runner, s *Step) error {
	w := r.res.Made
	if w.Cosigner == "" {
		if err := r.show("This key is not a multisig cosigner: write none in the box \"" + s.Box + "\"."); err != nil {
			return err
		}
		return r.record(s, "cosigner-note", map[string]string{"cosigner": "no"})
	}
	msg := "This key is a COSIGNER of a multisig wallet: " + w.Cosigner + "\n" +
		"The money will be in the multisig, not in the single-key wallet " + w.ID + " above, which only proves the key at drills. " +
		"When the multisig is built (airsign-offline wallet multisig --sheet DIR, or wallet enroll, which writes the sheet beside --out), " +
		"print its sheet once per holder and once more, file a copy with every card of this key and one with this checklist, " +
		"and write its wallet ID and the last 8 characters of its first receive address in the box."
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "cosigner-note", map[string]string{"cosigner": "yes", "cosigner_key": w.Cosigner})
}

func doWipe(r *runner, s *Step) error {
	r.wipeAll()
	r.keyWallet = Wallet{}
	if err := r.show("The key and the shares are wiped from memory."); err != nil {
		return err
	}
	return r.record(s, "key-wiped", nil)
}

// acceptShare checks a share's header against the shares already collected.
func (r *runner) acceptShare(info ShareInfo) error {
	switch {
	case info.SetID == "":
		return errors.New("the share has no set id")
	case info.Threshold < 2 || info.Count < info.Threshold || info.Count > 16 || info.Index < 1 || info.Index > info.Count:
		return fmt.Errorf("the share says it is %d of a %d-of-%d set, which is impossible", info.Index, info.Threshold, info.Count)
	case r.opts.VoidSets[info.SetID] != "":
		return fmt.Errorf("share set %s is void (%s): its cards must be destroyed; use the shares of the set that was completed", info.SetID, r.opts.VoidSets[info.SetID])
	case r.opts.RevokedSets[info.SetID] != "":
		return fmt.Errorf("share set %s was %s: its cards are VOID and are to be destroyed in front of the witnesses; type a card of the current set", info.SetID, r.opts.RevokedSets[info.SetID])
	case r.res.NewSet.SetID != "" && info.SetID == r.res.NewSet.SetID:
		return fmt.Errorf("this share is from the new set %s made in this ceremony; the old key needs the old set's shares", info.SetID)
	case r.opts.CurrentSet != "" && !strings.EqualFold(info.SetID, r.opts.CurrentSet):
		// Known from the log: a card of another wallet (or a stray set)
		// is refused as it is typed. Taken first, it once made every right
		// card "mixing two share sets" until the ceremony was stopped.
		return fmt.Errorf("this is a card of share set %s, but this wallet's cards are of set %s (the box \"Share set ID\" of its checklist): type a card of set %s", info.SetID, r.opts.CurrentSet, r.opts.CurrentSet)
	}
	if len(r.collected) == 0 {
		return nil
	}
	first := r.collected[0]
	if info.SetID != first.SetID {
		return fmt.Errorf("you are mixing two share sets: this share is from set %s, the first share was from set %s", info.SetID, first.SetID)
	}
	for _, c := range r.collected {
		if c.Index == info.Index {
			return fmt.Errorf("share %d was already entered", info.Index)
		}
	}
	return nil
}

func doCombine(r *runner, s *Step) error {
	if len(r.collected) == 0 {
		return failed(nil, "no shares were collected")
	}
	key, err := r.a.Combine(r.ctx, r.typed)
	for _, t := range r.typed {
		wipe(t)
	}
	r.typed = nil
	if err != nil {
		wipe(key)
		return failed(err, "the shares do not rebuild a key: %v", err)
	}
	wipe(r.key)
	r.key = key
	wipe(r.passphrase)
	r.passphrase = nil
	w, err := r.a.Wallet(r.ctx, Key{Entropy: key})
	if err == nil {
		w, err = checkWallet(w)
	}
	if err != nil {
		return failed(err, "deriving the rebuilt key's wallet: %v", err)
	}
	first := r.collected[0]
	if first.Fingerprint != "" && !strings.EqualFold(first.Fingerprint, w.SharesFingerprint) {
		return failed(nil, "the rebuilt key's fingerprint %s is not the %s written on the shares", w.SharesFingerprint, first.Fingerprint)
	}
	var idx []int
	for _, c := range r.collected {
		idx = append(idx, c.Index)
	}
	slices.Sort(idx)
	r.res.OldSetID, r.res.SharesUsed = first.SetID, idx
	if r.opts.RebuildPassphrase {
		// The wallet is the words with the passphrase, asked next.
		r.keyWallet, r.res.Rebuilt = Wallet{}, Wallet{}
		if err := r.show("The words are rebuilt in memory from the shares (their own fingerprint matches the shares). The wallet's passphrase is asked next."); err != nil {
			return err
		}
		return r.record(s, "key-rebuilt", map[string]string{"shares_fingerprint": w.SharesFingerprint, "set_id": first.SetID, "shares_used": joinInts(idx), "passphrase": "yes"})
	}
	r.keyWallet, r.res.Rebuilt = w, w
	// Its values are not shown yet: the witnesses first type them from the
	// keygen checklist, so the drill tests the paper, not the screen.
	if err := r.show("The key is rebuilt in memory. Its fingerprint, descriptor ID and first address are shown after the witnesses have typed them from the paper."); err != nil {
		return err
	}
	data := walletData(w)
	data["set_id"], data["shares_used"] = first.SetID, joinInts(idx)
	return r.record(s, "key-rebuilt", data)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func doCompareRecord(r *runner, s *Step) error {
	rec, err := r.a.RecordedWallet(r.ctx)
	if err != nil {
		return failed(err, "no recorded wallet to compare with: %v", err)
	}
	w := r.res.Rebuilt
	if !strings.EqualFold(rec.Fingerprint, w.Fingerprint) {
		return failed(nil, "the rebuilt key's fingerprint %s is not the recorded wallet's %s (the last keygen or rotate in the log, or --record FILE): these shares are of another key, or give --record with the right wallet's descriptor", w.Fingerprint, rec.Fingerprint)
	}
	if rec.Descriptor != w.Descriptor {
		// Named by what fits a line (script, key origins, checksum): a whole
		// descriptor passes 80 columns; both are in the log.
		return failed(nil, "the rebuilt key's descriptor differs from the recorded wallet's:\n  rebuilt  %s\n  recorded %s", descriptorSummary(w.Descriptor), descriptorSummary(rec.Descriptor))
	}
	var lines []string
	for i, a := range w.Addresses {
		lines = append(lines, fmt.Sprintf("  receive address %d: %s", i, a))
	}
	if err := r.show(fmt.Sprintf("The rebuilt key is the recorded wallet's:\n  fingerprint %s\n  descriptor ID %s\n%s\n  the same watch-only descriptor (checksum %s)",
		w.Fingerprint, w.ID, strings.Join(lines, "\n"), descriptorChecksum(w.Descriptor))); err != nil {
		return err
	}
	return r.record(s, "matches-record", map[string]string{"fingerprint": w.Fingerprint, "descriptor": w.Descriptor, "descriptor_id": w.ID})
}

func doSignTest(r *runner, s *Step) error {
	ts, err := r.a.SignTest(r.ctx, r.secret(), r.res.Rebuilt)
	if err != nil {
		return failed(err, "the test signing failed: %v", err)
	}
	if !ts.Verified {
		return failed(nil, "the test signature did not verify")
	}
	data := map[string]string{"psbt_sha256": ts.PSBTSHA256, "inputs": strconv.Itoa(ts.Inputs), "verified": "yes"}
	msg := fmt.Sprintf("Test transaction signed and verified (%d inputs, PSBT sha256 %s). It spends nothing real.", ts.Inputs, ts.PSBTSHA256)
	if rs := ts.Reserves; rs != nil {
		msg = fmt.Sprintf("Proof of reserves signed and verified: %d coins, %d.%08d BTC, for the message %q.\n"+
			"It moves nothing. The signed proof is in %s: carry it to the online laptop and run\n  airsign-online reserves verify %s",
			rs.Coins, rs.TotalSat/1e8, rs.TotalSat%1e8, rs.Message, rs.Written, rs.Written)
		data["reserves"] = "yes"
		data["reserves_coins"] = strconv.Itoa(rs.Coins)
		data["reserves_total_sat"] = strconv.FormatInt(rs.TotalSat, 10)
		data["reserves_message"] = rs.Message
	}
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "test-signed", data)
}

func (r *runner) drillReport(result, reason string) map[string]string {
	d := map[string]string{
		"result":      result,
		"operator":    r.operator,
		"witnesses":   strings.Join(r.witnesses, ", "),
		"shares_used": joinInts(r.res.SharesUsed),
	}
	if len(r.res.SharesUsed) == 0 {
		var idx []int
		for _, c := range r.collected {
			idx = append(idx, c.Index)
		}
		d["shares_entered"] = joinInts(idx)
	}
	var holders []string
	for h := 1; h <= len(r.holderNames); h++ {
		holders = append(holders, r.holderNames[h])
	}
	d["holders"] = strings.Join(holders, ", ")
	if r.res.OldSetID != "" {
		d["set_id"] = r.res.OldSetID
	}
	if r.res.Rebuilt.Fingerprint != "" {
		d["fingerprint"] = r.res.Rebuilt.Fingerprint
	}
	if reason != "" {
		d["reason"] = reason
	}
	if r.opts.RebuildPassphrase {
		d["passphrase"] = "yes"
	}
	return d
}

func doDrillReport(r *runner, s *Step) error {
	if cur := r.opts.CurrentSet; cur != "" && r.res.OldSetID != cur {
		return failed(nil, "the shares are of set %s, not of the current share set %s that the log records: a drill passes only with cards of the current set", r.res.OldSetID, cur)
	}
	r.res.DrillPassed = true
	d := r.drillReport("pass", "")
	msg := fmt.Sprintf("Drill report: PASS\n  key fingerprint %s, share set %s\n  shares used: %s\n  operator: %s\n  witnesses: %s\n  holders: %s",
		d["fingerprint"], d["set_id"], d["shares_used"], d["operator"], d["witnesses"], d["holders"])
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "drill-report", d)
}

func doRevoke(r *runner, s *Step) error {
	if r.res.OldSetID == "" || r.res.NewSet.SetID == "" {
		return failed(nil, "there is no old and new share set")
	}
	msg := fmt.Sprintf("Share set %s is revoked and replaced by %s.\nThe old shares still rebuild the same key: to cut off a departed holder, run rotate.",
		r.res.OldSetID, r.res.NewSet.SetID)
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "share-set-revoked", map[string]string{"set_id": r.res.OldSetID, "replaced_by": r.res.NewSet.SetID,
		"fingerprint": r.res.Rebuilt.Fingerprint, "note": "revoked on paper only: old shares still rebuild the same key"})
}

// checkSweep reads the unsigned sweep and checks what needs no key: it
// decodes, spends the from wallet's coins, pays the new wallet's first
// address with its one output, and moves something.
func (r *runner) checkSweep(from, to Wallet) (Sweep, error) {
	sw, err := r.a.LoadSweep(r.ctx, from, to)
	if err != nil {
		return Sweep{}, err
	}
	// Address 0 only: it is the one the witnesses wrote in the box "First
	// receive address (all of it)" and compare at the sweep's destination step.
	if len(to.Addresses) == 0 || sw.Destination != to.Addresses[0] {
		return Sweep{}, fmt.Errorf("the sweep pays %s, not the new wallet's first address (in the box \"First receive address\" of this checklist): prepare the sweep again to that address", sw.Destination)
	}
	if sw.AmountSats <= 0 || sw.FeeSats < 0 || sw.Inputs < 1 {
		return Sweep{}, fmt.Errorf("the sweep moves nothing (%d inputs, %d sat)", sw.Inputs, sw.AmountSats)
	}
	return sw, nil
}

// doSweepReady is rotate's "ready" for the unsigned sweep: before the old
// key's holders type a share, the sweep is read and checked against the
// old wallet the log records and the new wallet made; a sweep that is
// missing or wrong is named and "ready" asked again.
func doSweepReady(r *runner, s *Step) error {
	var sw Sweep
	err := r.askUntil(s, fmt.Sprintf("%s: type %q when the unsigned sweep is on the USB stick (or stop)", r.actor(s), s.Word), func(ans string) error {
		if !strings.EqualFold(ans, s.Word) {
			return again("That is not %q. Type %q to go on, or stop to end the ceremony.", s.Word, s.Word)
		}
		old, err := r.a.RecordedWallet(r.ctx)
		if err != nil {
			return failed(err, "no recorded old wallet to check the sweep with: %v", err)
		}
		sw, err = r.checkSweep(old, r.res.Made)
		if err != nil {
			return again("The sweep cannot be signed as it is: %v\nNothing is lost: fix it (on the online laptop or the USB stick), then type %q again.", err, s.Word)
		}
		return nil
	})
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("The unsigned sweep is checked: %d inputs of the old wallet, %s BTC to %s, fee %s BTC (PSBT sha256 %s). It is signed after the old key is rebuilt.",
		sw.Inputs, btc(sw.AmountSats), sw.Destination, btc(sw.FeeSats), sw.PSBTSHA256)
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "ack", map[string]string{"typed": s.Word, "sweep_checked": "yes", "psbt_sha256": sw.PSBTSHA256})
}

func doLoadSweep(r *runner, s *Step) error {
	from, to := r.res.Rebuilt, r.res.Made
	sw, err := r.checkSweep(from, to)
	if err != nil {
		return failed(err, "reading the sweep: %v", err)
	}
	r.sweep = sw
	msg := fmt.Sprintf("Sweep from %s to %s:\n  %d inputs, %s BTC to %s, fee %s BTC\n  PSBT sha256 %s",
		from.Fingerprint, to.Fingerprint, sw.Inputs, btc(sw.AmountSats), sw.Destination, btc(sw.FeeSats), sw.PSBTSHA256)
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "sweep-loaded", map[string]string{"psbt_sha256": sw.PSBTSHA256, "inputs": strconv.Itoa(sw.Inputs),
		"amount_sats": strconv.FormatInt(sw.AmountSats, 10), "fee_sats": strconv.FormatInt(sw.FeeSats, 10), "destination": sw.Destination})
}

func btc(sat int64) string {
	neg := ""
	if sat < 0 {
		neg, sat = "-", -sat
	}
	return fmt.Sprintf("%s%d.%08d", neg, sat/100_000_000, sat%100_000_000)
}

func doSignSweep(r *runner, s *Step) error {
	ss, err := r.a.SignSweep(r.ctx, r.secret(), r.sweep)
	if err != nil {
		return failed(err, "signing the sweep: %v", err)
	}
	if len(ss.TxID) != 64 || !isLowerHex(strings.ToLower(ss.TxID)) {
		return failed(nil, "the signed sweep has no valid txid")
	}
	r.res.SweepTxID = strings.ToLower(ss.TxID)
	r.sweepSigned = true
	data := map[string]string{"old_fingerprint": r.res.Rebuilt.Fingerprint, "new_fingerprint": r.res.Made.Fingerprint, "txid": r.res.SweepTxID}
	var lines []string
	for _, a := range ss.Artefacts {
		data["file "+a.Name] = a.SHA256
		// A file and its hash on one line when it fits 80 columns, else
		// the hash under the file: neither is cut.
		line := fmt.Sprintf("  %s  sha256 %s", a.Name, a.SHA256)
		if utf8.RuneCountInString(line) > 80 {
			line = fmt.Sprintf("  %s\n    sha256 %s", a.Name, a.SHA256)
		}
		lines = append(lines, line)
	}
	if err := r.show(fmt.Sprintf("Sweep signed with the old key.\n  txid %s\n%s", r.res.SweepTxID, strings.Join(lines, "\n"))); err != nil {
		return err
	}
	return r.record(s, "sweep-signed", data)
}

func doReenter(r *runner, s *Step) error {
	i := r.holder
	if i < 1 || i > len(r.shares) || r.shares[i-1] == nil {
		return failed(nil, "there is no card for holder %d", i)
	}
	err := r.retry(0, func() error {
		typed, err := r.askSecret(s, fmt.Sprintf("Holder %d: type your share from your own copy (not from the screen)", i))
		if err != nil {
			return err
		}
		err = r.a.CheckCopy(r.ctx, r.shares[i-1], typed)
		wipe(typed)
		if err == nil {
			return nil
		}
		if e := r.show(fmt.Sprintf("The copy does not match the card: %v\nThe card is shown again: correct the copy.", err)); e != nil {
			return e
		}
		if e := r.p.ShowSecret(r.prompt(s, fmt.Sprintf("Card %d again — correct your copy", i)), r.shares[i-1]); e != nil {
			return interrupted(e, "the card could not be shown: %v", e)
		}
		return again("Holder %d: type the corrected copy.", i)
	}, nil)
	if err != nil {
		return err
	}
	wipe(r.shares[i-1])
	r.shares[i-1] = nil
	if err := r.show(fmt.Sprintf("Holder %d's copy is correct.", i)); err != nil {
		return err
	}
	return r.record(s, "copy-checked", map[string]string{"holder": strconv.Itoa(i), "index": strconv.Itoa(i), "result": "match"})
}

func doCollect(r *runner, s *Step) error {
	h := r.holder
	if h > 16 {
		return failed(nil, "more shares were entered than a set can have")
	}
	var info ShareInfo
	err := r.retry(0, func() error {
		typed, err := r.askSecret(s, fmt.Sprintf("Holder %d: type your share (it is not shown); or type name to correct the name %q", h, r.holderNames[h]))
		if err != nil {
			return err
		}
		if strings.EqualFold(string(typed), "name") {
			// A slip in the name typed at the step before: corrected here,
			// before the card is typed, keeping the shares accepted.
			wipe(typed)
			was := r.holderNames[h]
			if err := r.askHolderName(s, fmt.Sprintf("Holder %d: type your name again (it was typed as %q)", h, was)); err != nil {
				return err
			}
			if err := r.record(s, "holder", map[string]string{"holder": strconv.Itoa(h), "name": r.holderNames[h], "corrects": was}); err != nil {
				return err
			}
			return again("Holder %d's name is now %q. Type your share.", h, r.holderNames[h])
		}
		info, err = r.a.ParseShare(r.ctx, typed)
		if err == nil {
			err = r.acceptShare(info)
		}
		if err != nil {
			wipe(typed)
			return again("This share is not accepted: %v\nThe shares accepted so far are kept. Type the card again, or another one.", err)
		}
		r.typed = append(r.typed, typed)
		return nil
	}, nil)
	if err != nil {
		return err
	}
	r.collected = append(r.collected, info)
	if r.need == 0 {
		r.need = info.Threshold
	}
	msg := fmt.Sprintf("Share %d of set %s accepted: %d of %d needed.", info.Index, info.SetID, len(r.collected), r.need)
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "share-entered", map[string]string{"holder": strconv.Itoa(h), "index": strconv.Itoa(info.Index),
		"set_id": info.SetID, "threshold": strconv.Itoa(info.Threshold)})
}
