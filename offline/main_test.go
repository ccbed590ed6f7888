package offline

import (
	"os"
	"testing"
)

// TestMain runs the package's tests as on an air-gapped machine, so a test
// of what a command does with the key does not depend on the network of
// the machine running it. The refusal on a networked machine is tested
// through the binary (cmd/airsign-offline/testdata/script/airgap_key.txtar,
// sign.txtar).
func TestMain(m *testing.M) {
	machineReport = func() AirgapReport { return AirgapReport{} }
	os.Exit(m.Run())
}
