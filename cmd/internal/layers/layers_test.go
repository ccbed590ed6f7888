package layers

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/airsign/airsign/"

// rank is each top-level tree's layer: a package may import packages of a
// lower layer, or its own tree, and nothing else. online and offline share a
// layer and must never import each other; so must psbt, ceremony and shamir.
var rank = map[string]int{
	"cmd":       4,
	"scripts":   4,
	"online":    3,
	"offline":   3,
	"transport": 2,
	"psbt":      1,
	"ceremony":  1,
	"shamir":    1,
}

func tree(pkg string) string {
	t, _, _ := strings.Cut(strings.TrimPrefix(pkg, module), "/")
	return t
}

// allowed reports whether package from may import package to.
func allowed(from, to string) bool {
	ft, tt := tree(from), tree(to)
	if ft == tt {
		return true
	}
	return rank[ft] > rank[tt]
}

func TestImportsFlowOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{range .TestImports}} {{.}}{{end}}`, module+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 20 {
		t.Fatalf("go list gave %d packages; too few to be the whole module:\n%s", len(lines), out)
	}
	for _, line := range lines {
		f := strings.Fields(line)
		from := f[0]
		if _, ok := rank[tree(from)]; !ok {
			t.Errorf("%s is in a top-level tree with no layer; add %q to rank in this test", from, tree(from))
			continue
		}
		for _, to := range f[1:] {
			if !strings.HasPrefix(to, module) {
				continue
			}
			if !allowed(from, to) {
				t.Errorf("%s imports %s: imports flow cmd → online|offline → transport → psbt|ceremony|shamir, never back or sideways", strings.TrimPrefix(from, module), strings.TrimPrefix(to, module))
			}
		}
	}
}

// TestAllowed pins the rule itself, so the test above cannot pass by a rule
// that lets everything through.
func TestAllowed(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     bool
	}{
		{"cmd/internal/offlinecmd", "offline", true},
		{"offline", "transport/qrcode", true},
		{"online", "online/store", true},
		{"transport", "psbt/descriptor", true},
		{"online", "ceremony", true},
		{"offline", "online", false},
		{"online", "offline/x", false},
		{"transport", "online", false},
		{"psbt", "transport", false},
		{"psbt", "ceremony", false},
		{"shamir", "psbt", false},
		{"ceremony", "cmd/internal/cli", false},
	} {
		if got := allowed(module+c.from, module+c.to); got != c.want {
			t.Errorf("allowed(%s, %s) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
}
