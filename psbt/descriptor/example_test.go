package descriptor_test

import (
	"fmt"

	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// The offline side builds the watch-only descriptor from the master key;
// the online side parses it and derives addresses.
func Example() {
	seed, _ := bip39.Seed([]byte("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"), nil)
	master, _ := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)

	d, err := descriptor.New(descriptor.WPKH, master, 0, &chaincfg.MainNetParams)
	if err != nil {
		panic(err)
	}
	fmt.Println(d)

	w, err := descriptor.Parse(d.String(), &chaincfg.MainNetParams)
	if err != nil {
		panic(err)
	}
	first, _ := w.Derive(0, 0)
	fmt.Println(first.Address, descriptor.FormatPath(first.Keys[0].Path))
	change, _ := w.Derive(1, 0)
	fmt.Println(change.Address, descriptor.FormatPath(change.Keys[0].Path))
	// Output:
	// wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/<0;1>/*)#qf45pmyh
	// bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu m/84h/0h/0h/0/0
	// bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el m/84h/0h/0h/1/0
}

func ExampleParse_errors() {
	_, err := descriptor.Parse("wpkh([d34db33f/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/<0;1>/*)", &chaincfg.RegressionNetParams)
	fmt.Println(err)
	_, err = descriptor.Parse("tr([73c5da0a/86h/0h/0h]xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ/<0;1>/*,pk(xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ/2/*))", &chaincfg.MainNetParams)
	fmt.Println(err)
	// Output:
	// this descriptor's key is for mainnet but airsign is set to regtest
	// taproot script paths are not supported: airsign takes only key-path tr(KEY) wallets, without a script tree
}
