//go:build race

package file

// raceEnabled shortens the kill test under the race detector: the
// instrumented writer is ten times slower and the test has nothing for the
// detector to find beyond its first hundred kills.
const raceEnabled = true
