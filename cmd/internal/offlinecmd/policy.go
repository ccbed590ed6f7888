package offlinecmd

import "github.com/airsign/airsign/psbt"

func defaultPolicy() psbt.Policy { return psbt.DefaultPolicy() }
