package shamir

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestRowsNumberLikeErrors: the block a checksum error names is the block
// with that number in the card layout, for a typo in every block.
func TestRowsNumberLikeErrors(t *testing.T) {
	const good = "ash1 q85v srr5 qgph 83w6 pgqm s4mg 79fa 7ny4 l2k0 ljv4 68cj xrjd mcls 28ln 3s"
	rows := Rows([]byte(good))
	if len(rows) != 3 || len(rows[0]) != BlocksPerRow || len(rows[2]) != 4 || rows[2][3].N != 16 || string(rows[2][3].Text) != "3s" {
		t.Fatalf("rows %v", rows)
	}
	blocks := strings.Fields(good)
	for n := 2; n <= len(blocks); n++ {
		typo := append([]string(nil), blocks...)
		c := []byte(typo[n-1])
		if c[0] == 'q' {
			c[0] = 'p'
		} else {
			c[0] = 'q'
		}
		typo[n-1] = string(c)
		text := strings.Join(typo, " ")
		_, err := ParseShare([]byte(text), "share 1")
		if err == nil {
			t.Fatalf("typo in block %d accepted", n)
		}
		b := Rows([]byte(text))[(n-1)/BlocksPerRow][(n-1)%BlocksPerRow]
		if b.N != n || string(b.Text) != string(c) || !regexp.MustCompile(`\bblock `+strconv.Itoa(n)+`\b`).MatchString(err.Error()) {
			t.Errorf("typo in card block %d (%s): %v", b.N, b.Text, err)
		}
	}
}
