package bip39_test

import (
	"encoding/hex"
	"fmt"

	"github.com/airsign/airsign/psbt/bip39"
)

func Example() {
	entropy := make([]byte, 16) // from the Shamir shares, in airsign
	mnemonic, _ := bip39.EntropyToMnemonic(entropy)
	fmt.Println(string(mnemonic))

	// What an operator types back: any case, any spacing.
	back, _ := bip39.MnemonicToEntropy([]byte("Abandon abandon ABANDON abandon abandon abandon\nabandon abandon abandon abandon abandon  about"))
	fmt.Println(hex.EncodeToString(back))

	seed, _ := bip39.Seed(mnemonic, []byte("TREZOR"))
	fmt.Println(hex.EncodeToString(seed[:8]))

	// A mistyped word is named by position, never quoted.
	_, err := bip39.MnemonicToEntropy([]byte("abandon abandon abandon abandon abandon abandon abandom abandon abandon abandon abandon about"))
	fmt.Println(err)
	_, err = bip39.MnemonicToEntropy([]byte("about abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"))
	fmt.Println(err)
	// Output:
	// abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about
	// 00000000000000000000000000000000
	// c55257c360c07c72
	// bip39: word 7 is not in the BIP39 English list
	// bip39: the mnemonic's checksum is wrong: a word is mistyped or the order is wrong
}
