package ceremony

import (
	"fmt"
	"io"
	"strings"
)

// The signing sheet: the paper of a signing session. A signing is no
// ceremony (no dice, no cards made), but its log is chained the same way
// and the next signing asks for the head words of the last one
// (`airsign-offline sign --log-head`), so the words need a box on paper,
// named as the program names them; and the witness needs the values the
// screen shows to compare with the request that came from the online side.

// signSheetBoxes are the values written during a signing, in order, each
// with where it comes from.
var signSheetBoxes = []struct{ box, from string }{
	{"Date", "from the calendar"},
	{"Request", "what is to be paid, to whom, as asked for in writing"},
	{"Confirmation digest", "4 words, from the online machine's screen or its printed page"},
	{"Previous log head words", "from the last signing sheet's box \"Log head words\" (none for the first signing)"},
	{"Key", "the fingerprint on the share cards: \"rebuild key …\""},
	{"Transaction", "the first and last 8 characters of the transaction ID on the screen"},
	{"Log head words", "6 words, shown after the signature: the next signing's --log-head"},
}

// signSheetSteps are the steps of a signing session.
var signSheetSteps = []string{
	"Fill in \"Date\", \"Request\" and, from the online machine, \"Confirmation digest\".",
	"On the offline laptop: `airsign-offline sign PSBT --shares --log-head 'WORDS'`, the words from \"Previous log head words\" (leave out `--log-head` for the first signing). Add `--wallet FILE` for an enrolled wallet.",
	"The screen says whether the laptop is offline. Read aloud what it shows: every payee and amount, what leaves the wallet, the fee, and every warning. Compare with \"Request\". Any REFUSED line, or anything that differs: stop here.",
	"The operator types the 4 digest words when asked; they must be the words of \"Confirmation digest\".",
	"Each holder types their card when asked (secret entry: nobody else looks). A card of another key is refused as it is typed; the cards already accepted are kept.",
	"Write \"Key\" and \"Transaction\" as the screen shows them.",
	"Write the 6 words the screen shows under \"Log head words\". The next signing asks for them.",
	"Carry the signed PSBT back as the screen says; the online side broadcasts it (a proof of reserves is verified instead).",
}

// WriteSigningSheet writes the signing sheet as Markdown, with the heading
// level a section of CEREMONY.md has.
func WriteSigningSheet(w io.Writer) error {
	var b strings.Builder
	b.WriteString("---\n\n## Signing session — `airsign-offline sign`\n\n")
	b.WriteString("One sheet per signing, kept with the USB stick that holds the signing log. " +
		"Roles: the **operator** at the offline laptop, at least one **witness**, and the **holders** of enough share cards.\n\n")
	b.WriteString("**Values**\n\n| Box | Where it comes from | Value |\n|-----|---------------------|-------|\n")
	for _, bx := range signSheetBoxes {
		fmt.Fprintf(&b, "| %s | %s | |\n", bx.box, bx.from)
	}
	b.WriteString("\n**Steps**\n\n| # | Step | Done | Initials | Time |\n|---|------|------|----------|------|\n")
	for i, s := range signSheetSteps {
		fmt.Fprintf(&b, "| %d | %s | ☐ | | |\n", i+1, s)
	}
	b.WriteString("\n**Sign-off**\n\n| Role | Name | Signature |\n|------|------|-----------|\n| Operator | | |\n| Witness | | |\n\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteDocument writes CEREMONY.md: every ceremony's checklist, then the
// signing sheet.
func WriteDocument(w io.Writer) error {
	if err := WriteChecklist(w, Definitions()...); err != nil {
		return err
	}
	return WriteSigningSheet(w)
}
