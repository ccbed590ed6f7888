package shamir

import "bytes"

// BlocksPerRow is how many blocks of a share's text form one row holds,
// on the card and on the screen alike, so a holder copying from the screen
// and a holder reading the card see the same rows and the same numbers.
// The longest share (87 characters, 22 blocks) takes 4 rows.
const BlocksPerRow = 6

// Block is one numbered block of a share's text form: "ash1" is block 1,
// as in the errors that say "block 8 looks mistyped".
type Block struct {
	N    int
	Text []byte
}

// Rows groups a share's text form (blocks separated by spaces, as
// MarshalText writes it) into rows of BlocksPerRow numbered blocks. The
// blocks are slices of text, not copies: wiping text wipes them.
func Rows(text []byte) [][]Block {
	var rows [][]Block
	for i, b := range bytes.Fields(text) {
		if i%BlocksPerRow == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], Block{N: i + 1, Text: b})
	}
	return rows
}
