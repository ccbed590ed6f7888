//go:build race

package file

// raceEnabled shortens the kill test under the race detector: the
// instrumented writer is ten times slower to start and the test has little
// for the detector to watch (two workers' shared counters).
const raceEnabled = true
