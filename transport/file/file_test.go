package file

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteNewAtomicNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "signed.psbt")
	if err := WriteNewAtomic(path, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteNewAtomic(path, []byte("second"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second write: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Fatalf("file holds %q after a refused write", got)
	}
	// The link path: a name created after the check is still not replaced.
	path2 := filepath.Join(dir, "race.psbt")
	if err := write(path2, []byte("mine"), 0o644, true); err != nil {
		t.Fatal(err)
	}
	if err := write(path2, []byte("other"), 0o644, true); err == nil {
		t.Fatal("write with noReplace replaced an existing file")
	}
	if got, _ := os.ReadFile(path2); string(got) != "mine" {
		t.Fatalf("file holds %q", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestWriteAtomicReplacesAndKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wallet.json")
	for _, v := range []string{"v1", "v2"} {
		if err := WriteAtomic(path, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(got) != "v2" || st.Mode().Perm() != 0o600 {
		t.Fatalf("got %q mode %v", got, st.Mode().Perm())
	}
	if err := WriteAtomic(filepath.Join(path, "x"), nil, 0o600); err == nil {
		t.Fatal("writing below a file succeeded")
	}
}
