package transport

import (
	"context"
	"fmt"
	"strings"

	"github.com/airsign/airsign/psbt"
)

// ReadPacket reads one PSBT from its sources (see ReadPSBT) and decodes it.
// Every command that takes a PSBT-SOURCE reads through here, so a PSBT that
// does not decode is always reported with the source it came from.
func ReadPacket(ctx context.Context, sources []string, opts ReadOptions) ([]byte, *psbt.Packet, error) {
	data, err := ReadPSBT(ctx, sources, opts)
	if err != nil {
		return nil, nil, err
	}
	p, err := psbt.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", sourceNames(sources, opts.Camera), err)
	}
	return data, p, nil
}

// sourceNames names where a PSBT came from in an error message.
func sourceNames(sources []string, camera string) string {
	names := append([]string(nil), sources...)
	if camera != "" {
		names = append(names, "camera "+camera)
	}
	return strings.Join(names, ", ")
}
