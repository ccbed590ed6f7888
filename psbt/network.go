package psbt

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
)

// ParseNetwork returns the chain parameters for a network name as operators
// type it (and as airsign stores it with a wallet). Both binaries use it, so
// "regtest" means the same thing on either side of the air gap.
func ParseNetwork(name string) (*chaincfg.Params, error) {
	switch name {
	case "mainnet", "main", "bitcoin":
		return &chaincfg.MainNetParams, nil
	case "testnet", "testnet3":
		return &chaincfg.TestNet3Params, nil
	case "signet":
		return &chaincfg.SigNetParams, nil
	case "regtest":
		return &chaincfg.RegressionNetParams, nil
	}
	return nil, fmt.Errorf("unknown network %q: use mainnet, testnet, signet or regtest", name)
}
