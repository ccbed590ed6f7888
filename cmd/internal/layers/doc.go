// Package layers holds no code, only the test that keeps airsign's imports
// flowing one way: cmd → online | offline → transport → psbt | ceremony |
// shamir. The rule is what keeps the air-gapped binary free of the online
// code, and lets each lower package be read and audited without the ones
// above it; a test catches a wrong import the day it is written, not at the
// next review.
package layers
