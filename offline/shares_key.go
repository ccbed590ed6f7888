package offline

import "fmt"

// combineShares rebuilds the BIP39 entropy from Shamir shares.
func combineShares(env *Env, ks KeySource) ([]byte, error) {
	return nil, fmt.Errorf("rebuilding the key from shares is not available in this build yet")
}
