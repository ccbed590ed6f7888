package urdescriptor

import (
	"errors"
	"fmt"

	"github.com/airsign/airsign/transport/ur"
)

// DecodeParts reads a descriptor from the UR text of one QR code, or of
// every frame of an animated series in any order (duplicates allowed).
// Parts of two different messages, an incomplete series or a UR of
// another type are refused, saying which.
func DecodeParts(parts []string) (*Decoded, error) {
	typ, msg, err := ReadParts(parts)
	if err != nil {
		return nil, err
	}
	switch typ {
	case TypeCryptoOutput, TypeOutputDescriptor:
	default:
		return nil, fmt.Errorf("the code is a UR %s, not a wallet descriptor (expected ur:%s or ur:%s)", typ, TypeCryptoOutput, TypeOutputDescriptor)
	}
	return Decode(typ, msg)
}

// ReadParts joins the UR parts of one message and returns its type and
// CBOR, for callers that take several types.
func ReadParts(parts []string) (urType string, message []byte, err error) {
	if len(parts) == 0 {
		return "", nil, errors.New("no UR code given")
	}
	dec := ur.NewDecoder()
	for i, p := range parts {
		if err := dec.Receive(p); err != nil {
			if errors.Is(err, ur.ErrMessageChanged) {
				return "", nil, fmt.Errorf("code %d belongs to another message than the codes before it; give the frames of one descriptor only", i+1)
			}
			return "", nil, fmt.Errorf("code %d: %w", i+1, err)
		}
	}
	typ, msg, err := dec.Result()
	if err != nil {
		got, total, _ := dec.Progress()
		return "", nil, fmt.Errorf("the UR series is incomplete (%d of %d fragments): give every frame of the animated code", got, total)
	}
	return typ, msg, nil
}
