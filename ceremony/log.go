package ceremony

import (
	"io"
	"strings"
	"time"

	"github.com/airsign/airsign/ceremony/chainlog"
)

// The hash-chained log lives in package chainlog, shared with the signing
// log; these names keep the ceremony code and its callers reading as before.
type (
	// Record is one line of a ceremony or signing log (chainlog.Record).
	Record = chainlog.Record
	// Head is where a log ends (chainlog.Head).
	Head = chainlog.Head
	// LogWriter appends records to a hash-chained log (chainlog.Writer).
	LogWriter = chainlog.Writer
	// VerifyError says at which record a log stops being trustworthy.
	VerifyError = chainlog.VerifyError
	// Syncer is a log destination that can make each record durable.
	Syncer = chainlog.Syncer
)

// MaxLineLen bounds one log record (chainlog.MaxLineLen).
const MaxLineLen = chainlog.MaxLineLen

// TimeFormat is the log's one time format (chainlog.TimeFormat).
const TimeFormat = chainlog.TimeFormat

// HeadWordCount is how many words HeadWords gives.
const HeadWordCount = chainlog.HeadWordCount

var (
	// GenesisHash is the prev value of every log's first record.
	GenesisHash = chainlog.GenesisHash
	// ErrLogBroken is returned by Append after an earlier write failed.
	ErrLogBroken = chainlog.ErrLogBroken
)

// GenesisHead is the Head of an empty log.
func GenesisHead() Head { return chainlog.GenesisHead() }

// NewLogWriter returns a writer appending to w after prev (chainlog.NewWriter).
func NewLogWriter(w io.Writer, prev Head) *LogWriter { return chainlog.NewWriter(w, prev) }

// HeadWords gives a log head as the Bytewords witnesses write down.
func HeadWords(head [32]byte) string { return chainlog.HeadWords(head) }

// ParseHead reads a log head as a witness wrote it down.
func ParseHead(s string) ([]byte, error) { return chainlog.ParseHead(s) }

// clip shortens text from outside for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// isLowerHex reports whether s is only lower-case hex digits.
func isLowerHex(s string) bool { return strings.Trim(s, "0123456789abcdef") == "" }

// parseTime reads a record time (chainlog.ParseTime).
func parseTime(s string) (time.Time, error) { return chainlog.ParseTime(s) }
