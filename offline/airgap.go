package offline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/airsign/airsign/ceremony"
)

// AirgapReport is what the machine looks like from inside: the things that
// would let a key leave an air-gapped laptop.
type AirgapReport struct {
	// Interfaces lists network interfaces that are up, other than loopback.
	Interfaces []string `json:"interfaces_up"`
	// Wireless lists wireless interfaces present, up or not.
	Wireless []string `json:"wireless"`
	// Swap lists active swap devices (memory may be written to disk).
	Swap []string `json:"swap"`
	// CoreDumps is true if this process could write a core dump.
	CoreDumps bool `json:"core_dumps_allowed"`
	// Binary is the SHA-256 of the running binary, to compare with the
	// release's SHA256SUMS.
	Binary string `json:"binary_sha256"`
}

// Problems lists the findings that make the machine not air-gapped.
func (r AirgapReport) Problems() []string {
	var out []string
	for _, i := range r.Interfaces {
		out = append(out, fmt.Sprintf("network interface %s is up", i))
	}
	for _, w := range r.Wireless {
		out = append(out, fmt.Sprintf("wireless interface %s is present (remove or disable the radio)", w))
	}
	for _, s := range r.Swap {
		out = append(out, fmt.Sprintf("swap is active on %s (memory holding the key may reach the disk)", s))
	}
	if r.CoreDumps {
		out = append(out, "core dumps are allowed (a crash could write the key to disk)")
	}
	return out
}

// sysRoot lets tests point the checks at a fake /sys and /proc.
var sysRoot = "/"

// machineReport is the check the commands run before secrets are typed;
// the package's unit tests replace it with an air-gapped machine (the CLI
// tests run the real one on a networked machine).
var machineReport = CheckAirgap

// CheckAirgap inspects network interfaces, radios, swap and core dumps. It
// reads /sys and /proc only: the offline binary links no network code.
func CheckAirgap() AirgapReport {
	var r AirgapReport
	netDir := filepath.Join(sysRoot, "sys/class/net")
	entries, _ := os.ReadDir(netDir)
	for _, e := range entries {
		name := e.Name()
		if name == "lo" {
			continue
		}
		if _, err := os.Stat(filepath.Join(netDir, name, "wireless")); err == nil {
			r.Wireless = append(r.Wireless, name)
		} else if _, err := os.Stat(filepath.Join(netDir, name, "phy80211")); err == nil {
			r.Wireless = append(r.Wireless, name)
		}
		state, _ := os.ReadFile(filepath.Join(netDir, name, "operstate"))
		flags, _ := os.ReadFile(filepath.Join(netDir, name, "flags"))
		if s := strings.TrimSpace(string(state)); s == "up" || s == "unknown" && ifaceFlagUp(flags) {
			r.Interfaces = append(r.Interfaces, name)
		}
	}
	if swaps, err := os.ReadFile(filepath.Join(sysRoot, "proc/swaps")); err == nil {
		lines := strings.Split(strings.TrimSpace(string(swaps)), "\n")
		for _, l := range lines[1:] {
			if f := strings.Fields(l); len(f) > 0 {
				r.Swap = append(r.Swap, f[0])
			}
		}
	}
	r.CoreDumps = coreDumpsAllowed()
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			h := sha256.New()
			io.Copy(h, f)
			f.Close()
			r.Binary = hex.EncodeToString(h.Sum(nil))
		}
	}
	return r
}

// ifaceFlagUp reads IFF_UP from /sys/class/net/X/flags (hex).
func ifaceFlagUp(flags []byte) bool {
	var v uint64
	_, err := fmt.Sscanf(strings.TrimSpace(string(flags)), "0x%x", &v)
	return err == nil && v&1 == 1
}

// AirgapCheck prints the report; with refuse it fails when the machine is
// not air-gapped.
func AirgapCheck(env *Env, asJSON bool) error {
	r := CheckAirgap()
	if asJSON {
		return writeJSON(env.Stdout, r)
	}
	env.Printf("binary sha256: %s\n", r.Binary)
	problems := r.Problems()
	if len(problems) == 0 {
		env.Printf("OK: no network interface up, no radio, no swap, core dumps off\n")
		return nil
	}
	for _, p := range problems {
		env.Printf("NOT AIR-GAPPED: %s\n", p)
	}
	return fmt.Errorf("%w: this machine is not air-gapped (%s above)", ErrRefused, plural(len(problems), "problem"))
}

// requireAirgap runs before signing and ceremonies: it refuses unless the
// operator overrides, and says what was overridden so it can be logged.
func requireAirgap(env *Env, allowOnline bool) (overridden []string, err error) {
	problems := machineReport().Problems()
	if len(problems) == 0 {
		return nil, nil
	}
	if !allowOnline {
		return nil, fmt.Errorf("%w: this machine is not air-gapped:\n  %s\nunplug the network (or pass --allow-online for a drill on a test machine; it is logged)", ErrRefused, strings.Join(problems, "\n  "))
	}
	for _, p := range problems {
		env.Warnf("--allow-online: %s", p)
	}
	return problems, nil
}

// requireAirgapForSecrets is requireAirgap for the commands other than sign
// and the ceremonies that rebuild the key or read shares (address, export,
// wallet, shares): the same refusal, the same --allow-online escape, and the
// override written to the signing log, since those commands have no log of
// their own.
func requireAirgapForSecrets(env *Env, allowOnline bool) error {
	overridden, err := requireAirgap(env, allowOnline)
	if err != nil || len(overridden) == 0 {
		return err
	}
	log, closeLog, err := openLog(DefaultLogPath())
	if err != nil {
		return fmt.Errorf("--allow-online is logged, and the log cannot be opened: %w", err)
	}
	defer closeLog()
	_, err = log.Append(ceremony.Record{Ceremony: "key", Step: "-", Actor: "operator", Event: "allow-online",
		Data: map[string]string{"allow_online": strings.Join(overridden, "; "), "command": commandName()}})
	if err != nil {
		return fmt.Errorf("--allow-online is logged, and the log cannot be written: %w", err)
	}
	return nil
}

// commandName is the command being run, for the log: the words before the
// first flag (no argument of these commands is a secret, and flags are
// left out all the same).
func commandName() string {
	var words []string
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-") {
			break
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}
