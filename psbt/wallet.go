package psbt

import "github.com/airsign/airsign/psbt/descriptor"

// DescriptorWallet adapts a watch-only descriptor to the Wallet the analysis
// uses to prove change.
func DescriptorWallet(d *descriptor.Descriptor) Wallet { return descWallet{d} }

type descWallet struct{ d *descriptor.Descriptor }

func (w descWallet) ScriptAt(fp uint32, path []uint32) ([]byte, uint32, uint32, bool) {
	branch, index, ok := w.d.Locate(fp, path)
	if !ok {
		return nil, 0, 0, false
	}
	der, err := w.d.Derive(branch, index)
	if err != nil {
		return nil, 0, 0, false
	}
	return der.Script, branch, index, true
}
