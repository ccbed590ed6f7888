package ceremony

import "strconv"

// The four ceremonies, defined once. The instructions are what witnesses read
// on paper: short sentences, plain words, no jargon the screen does not show.

func opening() Act {
	return Act{Title: "Before you start", Steps: []Step{
		{Title: "Operator", Actor: Operator, Confirm: Answer,
			Instruction: "Write the date, the place and everyone's name and role in the participants table. The operator types their name.",
			do:          doOperatorName},
		{Title: "Witnesses", Actor: Witness, Confirm: Answer,
			Instruction: "The witnesses type their names, separated by commas.",
			do:          doWitnessNames},
		{Title: "Room and laptop", Actor: Witness, Confirm: Initials,
			Instruction: "Check: the offline laptop has no network cable; Wi-Fi and Bluetooth are off; no phone or camera can see the screen; " +
				"the airsign program was checked against the release's SHA256SUMS. Then initial.",
			do: doInitials},
		{Title: "Date", Actor: Witness, Confirm: Answer, Box: "Today's date, from a witness's own calendar (YYYY-MM-DD)",
			Instruction: "A witness reads today's date from their own phone or paper calendar, not from this laptop, writes it in the box and types it as YYYY-MM-DD. " +
				"The log keeps it beside the laptop's clock, which nobody sets; the typed date is the one that counts. " +
				"A date more than 3 days from the laptop's clock is asked again: type it again to confirm, or type the right date.",
			do: doWitnessDate, check: checkDateAnswer},
		{Title: "Air-gap self-check", Actor: System, Confirm: Auto,
			Instruction: "The program checks that no network interface is up except loopback, that core dumps are off, and warns about swap. A failed check stops the ceremony.",
			do:          doAirGap},
	}}
}

// makeKeyAct is keygen's act 2 and rotate's: threshold, dice, key, fingerprint.
func makeKeyAct(what string) Act {
	return Act{Title: "Make the " + what, Steps: []Step{
		{Title: "Threshold", Actor: Operator, Confirm: Answer, Box: "T of N",
			Instruction: "Agree how many share holders there are (N, at most 16) and how many of them together can rebuild the key (T, at least 2). " +
				"Type it as T of N, for example 2 of 3, and write it in the box.",
			do: doThreshold},
		{Title: "Passphrase", Actor: Operator, Confirm: Answer, Box: "Who holds the passphrase (name, or none)",
			Instruction: "Agree whether the wallet has a BIP39 passphrase (another wallet from the same words). The operator types yes or no. If yes: type who holds it, and that person types it twice, unseen (spaces before or after it are not part of it, here or when it is typed later). " +
				"It is never written on a card or this paper: the cards alone then do not recover the wallet. Write the holder's name, or none, in the box.",
			do: doChoosePassphrase},
		{Title: "Dice", Actor: Operator, Confirm: Secret,
			Instruction: "Roll one six-sided die at least 99 times and type each face (1 to 6) as it lands. The screen shows the rolls, the count and the entropy so far; " +
				"backspace corrects a slip, and Enter before 99 keeps the rolls and asks for more. Nobody writes the rolls down. " +
				"Rolls that look made up are refused: roll them again at this same step. The program mixes the rolls with the computer's own randomness.",
			do: doDice},
		{Title: "Key", Actor: System, Confirm: Auto,
			Instruction: "The program makes the key and shows its fingerprint (8 characters), its descriptor ID, its watch-only descriptor's type and checksum (the descriptor itself is exported whole, as a file and a QR code, at the export step) and its first receive address.",
			do:          doMakeWallet},
		{Title: "Fingerprint", Actor: Witness, Confirm: ReadAloud, Box: "Fingerprint",
			Instruction: "The operator reads the fingerprint aloud. Every witness writes it in the box. One witness types it back from the paper; the program checks the copy.",
			do: compare{what: "fingerprint", value: func(r *runner) string { return r.res.Made.Fingerprint }, showFirst: true,
				ask: "Witness: type the fingerprint as written on your checklist"}.do},
		{Title: "Descriptor ID", Actor: Witness, Confirm: ReadAloud, Box: "Descriptor ID",
			Instruction: "The operator reads the descriptor ID (8 characters) aloud. Every witness writes it in the box: airsign-online shows the same ID for this wallet, " +
				"and every drill asks for it. One witness types it back from the paper.",
			do: compare{what: "descriptor ID", value: func(r *runner) string { return r.res.Made.ID }, showFirst: true,
				ask: "Witness: type the descriptor ID as written on your checklist"}.do},
	}}
}

func splitAct(first bool) Act {
	act := Act{Title: "Split the key into shares"}
	if !first {
		act.Steps = append(act.Steps, Step{Title: "New threshold", Actor: Operator, Confirm: Answer, Box: "New T of N",
			Instruction: "Agree the new number of holders (N, at most 16) and how many are needed (T, at least 2); they may differ from the old set's. Type it as T of N and write it in the box.",
			do:          doThreshold})
	}
	act.Steps = append(act.Steps,
		Step{Title: "Split", Actor: System, Confirm: Auto,
			Instruction: "The program splits the key into N shares, any T of which rebuild it, under a new random share set id.",
			do:          doSplit},
		Step{Title: "Share set id", Actor: Witness, Confirm: ReadAloud, Box: "Share set id",
			Instruction: "The operator reads the share set id aloud. Every witness writes it in the box. One witness types it back from the paper.",
			do: compare{what: "share set id", value: func(r *runner) string { return r.res.NewSet.SetID }, showFirst: true,
				ask: "Witness: type the share set id as written on your checklist"}.do},
	)
	return act
}

func handOutAct() Act {
	return Act{Title: "Hand out the cards", Repeat: EachHolder, Steps: []Step{
		{Title: "Holder", Actor: Holder, Confirm: Answer,
			Instruction: "The next holder steps up and types their name. Everyone else looks away from the screen.",
			do:          doHolderName},
		{Title: "Card", Actor: Holder, Confirm: Ack, Word: "copied",
			Instruction: "The program shows this holder's share in numbered blocks (with --card-dir it also saves a printable card page; it drives no printer). The holder copies it by hand onto their card, " +
				"block by block, and types copied. The screen is then cleared.",
			Pauses: []string{PauseShowCard, PauseClearCard},
			do:     doShowCard},
		{Title: "Check the copy", Actor: Holder, Confirm: Secret,
			Instruction: "The holder types the share back from their own card, not from the screen. The program says whether the copy is right and, if not, which block is wrong.",
			do:          doReenter},
		{Title: "Seal", Actor: Witness, Confirm: Initials,
			Instruction: "The holder puts the card in an envelope, seals it and signs across the seal. The witness writes the holder's name and share number on the envelope and initials.",
			do:          doInitials},
	}}
}

func exportAct(rotate bool) Act {
	act := Act{Title: "Export the watch-only wallet", Steps: []Step{
		{Title: "Export", Actor: System, Confirm: Auto,
			Instruction: "The program writes the watch-only descriptor (file and QR) for the online laptop, and the wallet backup sheet (wallet-sheet-ID.html, .txt) beside it and the cards. " +
				"Afterwards print the sheet, docs/shares.md and docs/recovery.md; every holder keeps a copy of the sheet with their card, one stays with this checklist. " +
				"The sheet is private (it shows every address), not secret.",
			do: doExport},
		{Title: "First address", Actor: Witness, Confirm: ReadAloud, Box: "First receive address (all of it)",
			Instruction: "The operator reads aloud the first receive address. Every witness writes all of it in the box, in groups of four: the online laptop must show the same address, " +
				"and drills ask for its last 8 characters. One witness types the last 8 back.",
			do: compare{what: "first receive address", value: func(r *runner) string { return r.res.Made.Addresses[0] }, last: 8, showFirst: true,
				ask: "Witness: type the last 8 characters of the first receive address as written on your checklist"}.do},
	}}
	if !rotate {
		act.Steps = append(act.Steps, Step{Title: "Multisig sheet", Actor: System, Confirm: Auto, Box: MultisigBox,
			Instruction: "The program says if this key is a multisig cosigner (--cosigner); if not, write none in the box. If it is, the money is in the multisig, not the wallet above: " +
				"when the multisig is made (wallet multisig --sheet, or wallet enroll), print its sheet once per holder and once more, " +
				"file one with every card of this key and one with this checklist, and fill in the box. Drills with that sheet ask for both.",
			do: doMultisigSheet})
	}
	if rotate {
		act.Steps = append(act.Steps, Step{Title: "Forget the new key", Actor: System, Confirm: Auto,
			Instruction: "The program wipes the new key from memory; from now on it exists only on the cards.",
			do:          doWipe})
	}
	return act
}

func collectAct(what string) Act {
	return Act{Title: "Collect the " + what + " shares", Repeat: EachShare, Steps: []Step{
		{Title: "Holder", Actor: Holder, Confirm: Answer,
			Instruction: "The next holder opens their envelope in front of the witnesses and types their name.",
			do:          doHolderName},
		{Title: "Share", Actor: Holder, Confirm: Secret,
			Instruction: "The holder types their share from the card; it is not shown. The program checks it and says how many more are needed (the threshold is written in every share). A slip in the name: type name instead, then the name again.",
			do:          doCollect},
	}}
}

// MultisigBox is the keygen checklist's box for the multisig a cosigner
// key belongs to, filled in when the multisig's sheet is made.
const MultisigBox = "Multisig ID and last 8 of its first address (cosigner key; else none)"

// multisigPaper is said at the paper checks a cosigner key's drill makes
// against its multisig's sheet: those values are in another box.
const multisigPaper = " A cosigner key drilled with its multisig's sheet: use the box \"Multisig ID…\" instead."

// paperCheck is a drill-style check of the keygen checklist: a witness types
// a value from the paper before the program shows the rebuilt key's.
func paperCheck(title, what, box string, last int, value func(r *runner) string) Step {
	return paperCheckDo(title, what, box, last, value, func(c compare) stepFunc { return c.do })
}

// paperCheckDo is paperCheck with its own step function made from the
// compare (the fingerprint's, which also retries a passphrase).
func paperCheckDo(title, what, box string, last int, value func(r *runner) string, do func(compare) stepFunc) Step {
	part := "the " + what
	if last > 0 {
		part = "the last " + strconv.Itoa(last) + " characters of the " + what
	}
	ask := "Witness: type " + part + " written in the box \"" + box + "\" of the keygen (or rotate) checklist"
	return Step{Title: title, Actor: Witness, Confirm: ReadAloud, Paper: box,
		Instruction: "A witness types " + part + " from the box \"" + box + "\" of the keygen (or rotate) checklist; the program shows its own only after. " +
			"A slip may be retyped; a paper that still differs after 3 tries fails the ceremony, naming the difference.",
		do: do(compare{what: what, value: value, last: last, ask: ask})}
}

// withMultisigPaper adds to a paper check where a cosigner key's value is.
func withMultisigPaper(s Step) Step {
	s.Instruction += multisigPaper
	return s
}

// rebuildAct rebuilds a key from the shares collected and checks it: first
// against the keygen paper, typed before anything is shown, then against the
// record. A drill also checks the first address on paper and signs a test.
func rebuildAct(what string, drill bool) Act {
	if what != "" {
		what += " "
	}
	act := Act{Title: "Rebuild the " + what + "key and check it", Steps: []Step{
		{Title: "Rebuild", Actor: System, Confirm: Auto,
			Instruction: "The program rebuilds the key in memory from the shares. It shows nothing of it yet. A wrong or forged share stops it here.",
			do:          doCombine},
		{Title: "Passphrase", Actor: Operator, Confirm: Secret,
			Instruction: "If the wallet has a BIP39 passphrase (the keygen checklist names its holder; the program asks when the log says so, or with --passphrase), its holder types it, unseen (spaces before or after it are dropped, as at keygen). " +
				"A mistyped one gives another fingerprint: the next step names both and asks the passphrase again, keeping the shares.",
			do: doRebuildPassphrase},
		paperCheckDo("Fingerprint on paper", "fingerprint", "Fingerprint", 0, func(r *runner) string { return r.res.Rebuilt.Fingerprint }, doPaperFingerprint),
		withMultisigPaper(paperCheck("Descriptor ID on paper", "descriptor ID", "Descriptor ID", 0, func(r *runner) string { return r.res.Rebuilt.ID })),
	}}
	if drill {
		act.Steps = append(act.Steps, withMultisigPaper(paperCheck("First address on paper", "first receive address", "First receive address (all of it)", 8,
			func(r *runner) string { return r.res.Rebuilt.Addresses[0] })))
	}
	act.Steps = append(act.Steps, Step{Title: "Compare with the record", Actor: System, Confirm: Auto,
		Instruction: "The program compares the key's fingerprint and watch-only descriptor with the recorded wallet (the last completed keygen or rotate in the log, --record, or the wallet backup sheet given with --sheet: for a multisig, the key must be one of its cosigners), " +
			"then shows the fingerprint, descriptor ID and first receive addresses.",
		do: doCompareRecord})
	if drill {
		act.Steps = append(act.Steps, Step{Title: "Test signature", Actor: System, Confirm: Auto,
			Instruction: "The program signs a test that moves nothing and verifies it: a proof of reserves over the real coins if one was given " +
				"(shown with its coins, total and message; carry the signed proof to the online laptop for reserves verify), else a made-up coin.",
			do: doSignTest})
	}
	return act
}

// passphraseWarning is said at every ceremony that makes a key.
const passphraseWarning = "A wallet with a BIP39 passphrase is NOT recovered by the share cards alone: the passphrase is needed too. " +
	"It is never written on a card or this checklist; the person named in the box \"Who holds the passphrase\" keeps it, apart from the cards, and must be able to give it at every drill."

// Keygen is the key generation ceremony.
func Keygen() *Definition {
	return numbered(&Definition{
		Name:  "keygen",
		Title: "Key generation",
		Purpose: "Make a new cold-storage key from dice and the computer's randomness, split it into share cards for the holders, " +
			"check every copy, and export the watch-only wallet for the online laptop. The key itself is never stored.",
		Warnings: []string{
			"Nobody photographs the screen or the cards, and nobody writes down the dice rolls.",
			"Each card is shown to its holder only. Everyone else looks away while a card is on the screen.",
			passphraseWarning,
		},
		Participants: []Role{Operator, Witness, Witness, Holder, Holder, Holder, Holder, Holder},
		Acts: []Act{
			opening(),
			makeKeyAct("key"),
			splitAct(true),
			handOutAct(),
			exportAct(false),
			{Title: "Close", Steps: []Step{
				{Title: "Forget the key", Actor: System, Confirm: Auto,
					Instruction: "The program wipes the key and the shares from memory. From now on the key exists only on the cards.",
					do:          doWipe},
				{Title: "Pack up", Actor: Operator, Confirm: Ack, Word: "done",
					Instruction: "Take out the USB stick with the watch-only wallet and the wallet sheet. Print the sheet (wallet-sheet-ID.html) once per holder and once more, with docs/shares.md and docs/recovery.md: every holder keeps a copy with their card; one stays with this checklist. " +
						"Type done. After the final head words are written, switch the laptop off.",
					do: doAck},
			}},
		},
	})
}

// Drill is the recovery drill: prove that the shares still rebuild the key.
func Drill() *Definition {
	return numbered(&Definition{
		Name:  "drill",
		Title: "Recovery drill",
		Purpose: "Prove that the share cards still rebuild the key: collect T shares, rebuild the key in memory, compare it with the record, " +
			"sign a test transaction that spends nothing, and write a drill report. Run it at least once a year, and whenever a holder changes.",
		Warnings: []string{
			"The drill rebuilds the real key. Run it on the offline laptop only, with the same care as key generation.",
		},
		Participants: []Role{Operator, Witness, Holder, Holder, Holder},
		report:       true,
		Acts: []Act{
			opening(),
			collectAct("key's"),
			rebuildAct("", true),
			{Title: "Report", Steps: []Step{
				{Title: "Drill report", Actor: System, Confirm: Auto,
					Instruction: "The program writes the drill report to the log: pass or fail, who took part, when, and which share numbers were used.",
					do:          doDrillReport},
				{Title: "Forget the key", Actor: System, Confirm: Auto,
					Instruction: "The program wipes the rebuilt key from memory.",
					do:          doWipe},
				{Title: "Result on paper", Actor: Witness, Confirm: Initials, Box: "PASS or FAIL, share numbers used",
					Instruction: "Write PASS or FAIL and the share numbers used in the box, and initial. The holders seal their cards again.",
					do:          doInitials},
			}},
		},
	})
}

// Reshare issues a new share set for the same key.
func Reshare() *Definition {
	return numbered(&Definition{
		Name:  "reshare",
		Title: "Share re-issue",
		Purpose: "Rebuild the key from T shares of the current set and split it again into a new set, with a new set id and possibly a new T and N, " +
			"for example when a card is worn or a holder is added. The old set is recorded as revoked.",
		Warnings: []string{
			"The old shares still rebuild the same key. Revoking a set is a note in the log, not a lock: " +
				"anyone with T old cards can still rebuild the key. To cut off a holder who left, run the rotate ceremony, which moves the funds to a new key.",
		},
		Participants: []Role{Operator, Witness, Witness, Holder, Holder, Holder, Holder, Holder},
		Acts: []Act{
			opening(),
			collectAct("current"),
			rebuildAct("", false),
			splitAct(false),
			handOutAct(),
			{Title: "Revoke the old set", Steps: []Step{
				{Title: "Revoke", Actor: System, Confirm: Auto,
					Instruction: "The program records in the log that the old share set is revoked and replaced by the new one.",
					do:          doRevoke},
				{Title: "Old shares still work", Actor: Operator, Confirm: Ack, Word: "understood",
					Instruction: "Read aloud: the old shares still rebuild the same key. To cut off a holder who left, run rotate. Type understood.",
					do:          doAck},
				{Title: "Destroy old cards", Actor: Witness, Confirm: Initials, Box: "Old cards destroyed (numbers)",
					Instruction: "Old cards handed back are destroyed (shredded or burnt) in front of the witnesses. Write their numbers in the box and initial.",
					do:          doInitials},
				{Title: "Forget the key", Actor: System, Confirm: Auto,
					Instruction: "The program wipes the key and the shares from memory.",
					do:          doWipe},
			}},
		},
	})
}

// Rotate moves the funds to a new key: keygen, then a sweep signed with the
// old key.
func Rotate() *Definition {
	return numbered(&Definition{
		Name:  "rotate",
		Title: "Key rotation",
		Purpose: "Make a new key with new share cards, then move all funds from the old wallet to the new one with a sweep transaction " +
			"prepared on the online laptop and signed here with the old key. This is the only way to cut off a holder who left.",
		Warnings: []string{
			"The old key keeps working until the sweep is confirmed on the chain. Keep the old cards safe until then; destroy them after.",
			"Nobody photographs the screen or the cards, and nobody writes down the dice rolls.",
			passphraseWarning,
		},
		Participants: []Role{Operator, Witness, Witness, Holder, Holder, Holder, Holder, Holder},
		Acts: []Act{
			opening(),
			makeKeyAct("new key"),
			splitAct(true),
			handOutAct(),
			exportAct(true),
			{Title: "Prepare the sweep online", Steps: []Step{
				{Title: "Sweep PSBT", Actor: Operator, Confirm: Ack, Word: "ready",
					Instruction: "Import the new watch-only file on the online laptop (airsign-online wallet import) and check its first address against the box \"First receive address (all of it)\". " +
						"Prepare the sweep to it (airsign-online prepare --sweep ADDRESS), bring the unsigned sweep back as the --sweep file, and type ready. " +
						"The program checks it before any old share is typed; if wrong, it says what to fix and asks again.",
					do: doSweepReady},
			}},
			collectAct("old key's"),
			rebuildAct("old", false),
			{Title: "Sign the sweep", Steps: []Step{
				{Title: "Read the sweep", Actor: System, Confirm: Auto,
					Instruction: "The program reads the unsigned sweep, checks that it spends the old wallet and pays one of the new wallet's first addresses, and shows the amount and fee.",
					do:          doLoadSweep},
				{Title: "Destination", Actor: Witness, Confirm: ReadAloud,
					Instruction: "The operator reads the destination address aloud. A witness compares it with the box \"First receive address (all of it)\" of this checklist and types its last 8 characters.",
					do: compare{what: "sweep destination", value: func(r *runner) string { return r.sweep.Destination }, last: 8, showFirst: true,
						ask: "Witness: type the last 8 characters of the new wallet's first address as written in its box"}.do},
				{Title: "Amount and fee", Actor: Witness, Confirm: Initials, Box: "Amount swept and fee",
					Instruction: "A witness checks the amount against the old wallet's balance on the online laptop and that the fee is sensible, writes both in the box and initials.",
					do:          doInitials},
				{Title: "Sign", Actor: System, Confirm: Auto,
					Instruction: "The program signs the sweep with the old key, writes it to the file named with --sweep-out and shows its txid.",
					do:          doSignSweep},
				{Title: "Forget the old key", Actor: System, Confirm: Auto,
					Instruction: "The program wipes the old key from memory.",
					do:          doWipe},
				{Title: "Broadcast", Actor: Operator, Confirm: Ack, Word: "done",
					Instruction: "Take the signed sweep to the online laptop and broadcast it (airsign-online broadcast). Keep the old cards until it is confirmed, then destroy them. Type done.",
					do:          doAck},
			}},
		},
	})
}

// numbered numbers d's acts 1, 2, 3… and their steps "act.step" by
// position: the ids on screen, on paper, in answers files and in the log
// all come from here, never from a hand-written literal.
func numbered(d *Definition) *Definition {
	for a := range d.Acts {
		d.Acts[a].Number = a + 1
		for s := range d.Acts[a].Steps {
			d.Acts[a].Steps[s].ID = strconv.Itoa(a+1) + "." + strconv.Itoa(s+1)
		}
	}
	return d
}
