// Package plural counts things in English for the screens of both
// binaries: "1 code", "3 codes", never "1 codes" or "3 code(s)". It lives
// under transport so airsign-online and airsign-offline share one copy.
package plural

import (
	"strconv"
	"strings"
)

// Of is n followed by word, in the plural unless n is 1: "1 input",
// "2 inputs", "0 addresses", "3 entries". word is a singular noun, or a
// phrase ending in one ("QR frame", "share card"); its last word takes the
// plural.
func Of(n int, word string) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " " + word
	}
	return strconv.Itoa(n) + " " + Noun(word)
}

// Noun is the plural of a regular English noun: -s, -es after s, x, z, ch
// and sh, -ies after a consonant and y.
func Noun(word string) string {
	switch {
	case word == "":
		return word
	case strings.HasSuffix(word, "s"), strings.HasSuffix(word, "x"), strings.HasSuffix(word, "z"),
		strings.HasSuffix(word, "ch"), strings.HasSuffix(word, "sh"):
		return word + "es"
	case strings.HasSuffix(word, "y") && len(word) > 1 && !strings.ContainsRune("aeiou", rune(word[len(word)-2])):
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}
