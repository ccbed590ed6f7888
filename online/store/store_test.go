package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func addWallet(t testing.TB, s *Store, name string) int64 {
	t.Helper()
	var id int64
	err := s.Update(context.Background(), func(tx *Tx) (err error) {
		id, err = tx.AddWallet(WalletRecord{Name: name, Descriptor: "wpkh(x)#y", Network: "regtest", GapLimit: 20})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestWalletsLabelsFreezes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	id := addWallet(t, s, "w")
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.AddWallet(WalletRecord{Name: "w", Descriptor: "d", Network: "regtest", GapLimit: 20})
		return err
	})
	if !errors.Is(err, ErrWalletExists) {
		t.Fatalf("second wallet w: %v", err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		for _, c := range []struct {
			l    Label
			want bool
		}{
			{Label{Type: LabelAddr, Ref: "a", Label: "one"}, true},
			{Label{Type: LabelAddr, Ref: "a", Label: "one"}, false},
			{Label{Type: LabelAddr, Ref: "a", Label: "two"}, true},
			{Label{Type: LabelTx, Ref: "a", Label: "two"}, true},
		} {
			if got, err := tx.PutLabel(id, c.l); err != nil || got != c.want {
				return fmt.Errorf("PutLabel %+v: %v, %v; want changed %v", c.l, got, err, c.want)
			}
		}
		if _, err := tx.PutLabel(id, Label{Type: "bogus", Ref: "a", Label: "x"}); err == nil {
			return errors.New("a bogus label type was stored")
		}
		if ch, err := tx.SetFrozen(id, "op:1", true); err != nil || !ch {
			return fmt.Errorf("freeze: %v %v", ch, err)
		}
		if ch, err := tx.SetFrozen(id, "op:1", true); err != nil || ch {
			return fmt.Errorf("freeze again: %v %v", ch, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A failed transaction leaves nothing behind.
	boom := errors.New("boom")
	err = s.Update(ctx, func(tx *Tx) error {
		tx.PutLabel(id, Label{Type: LabelAddr, Ref: "b", Label: "lost"})
		tx.SetFrozen(id, "op:1", false)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		labels, err := tx.Labels(id)
		if err != nil || len(labels) != 2 || labels[0] != (Label{Type: LabelAddr, Ref: "a", Label: "two"}) {
			t.Errorf("labels %+v %v", labels, err)
		}
		if fr, err := tx.Frozen(id); err != nil || len(fr) != 1 {
			t.Errorf("frozen %v %v", fr, err)
		}
		return nil
	})
}

func TestScanRecords(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	id := addWallet(t, s, "w")
	txid := strings.Repeat("ab", 32)
	first := ScanResult{
		Addresses: []AddressSeen{{0, 0, "a0", true}, {0, 1, "a1", false}, {1, 0, "c0", true}},
		Coins:     []CoinRecord{{OutPoint: txid + ":0", Amount: 5, Height: 7}, {OutPoint: txid + ":1", Amount: 6, Height: 7, Branch: 1}},
	}
	// The second scan sees a1 unused again (cannot be: used stays used)
	// and one coin spent.
	second := ScanResult{
		Addresses: []AddressSeen{{0, 0, "a0", false}, {0, 1, "a1", true}},
		Coins:     []CoinRecord{{OutPoint: txid + ":1", Amount: 6, Height: 7, Branch: 1}},
	}
	for _, r := range []ScanResult{first, second} {
		if err := s.Update(ctx, func(tx *Tx) error { return tx.RecordScan(id, r) }); err != nil {
			t.Fatal(err)
		}
	}
	s.View(ctx, func(tx *Tx) error {
		used, err := tx.UsedAddresses(id)
		if err != nil || used[0] != 2 || used[1] != 1 {
			t.Errorf("used %v %v", used, err)
		}
		coins, err := tx.Coins(id)
		if err != nil || len(coins) != 1 || coins[0].OutPoint != txid+":1" {
			t.Errorf("coins %+v %v", coins, err)
		}
		hist, err := tx.Transactions(id)
		if err != nil || len(hist) != 1 || hist[0].Txid != txid || hist[0].Height != 7 {
			t.Errorf("history %+v %v", hist, err)
		}
		return nil
	})
}

func TestOtherRecords(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	id := addWallet(t, s, "w")
	err := s.Update(ctx, func(tx *Tx) error {
		for _, r := range []PSBTRecord{{Kind: PSBTPrepared, Digest: "d1", Txid: "t1"}, {Kind: PSBTPrepared, Digest: "d1", Txid: "t1"}, {Kind: PSBTBroadcast, Digest: "d2", Txid: "t2"}} {
			if err := tx.RecordPSBT(id, r); err != nil {
				return err
			}
		}
		if err := tx.RecordPSBT(id, PSBTRecord{Kind: "signed"}); err == nil {
			return errors.New("kind signed accepted")
		}
		if err := tx.SetWatchState(id, WatchState{TipHeight: 9, TipHash: "h"}); err != nil {
			return err
		}
		if _, err := tx.AddReservesProof(ReservesProof{WalletID: id, Message: "m", Amount: 1, Proof: []byte{1}}); err != nil {
			return err
		}
		for i, want := range []bool{true, false} {
			added, err := tx.AddDrillReport(DrillReport{LogHead: "head", Report: "ok"})
			if err != nil || added != want {
				t.Errorf("AddDrillReport #%d = %v, %v; want %v (the same run is recorded once)", i+1, added, err, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		if p, err := tx.PSBTs(id, PSBTPrepared); err != nil || len(p) != 1 || p[0].Txid != "t1" {
			t.Errorf("prepared %+v %v", p, err)
		}
		if p, err := tx.PSBTs(id, ""); err != nil || len(p) != 2 {
			t.Errorf("all PSBTs %+v %v", p, err)
		}
		if w, ok, err := tx.WatchState(id); err != nil || !ok || w.TipHeight != 9 || w.State != "{}" {
			t.Errorf("watch %+v %v %v", w, ok, err)
		}
		if p, err := tx.ReservesProofs(); err != nil || len(p) != 1 || p[0].WalletID != id {
			t.Errorf("proofs %+v %v", p, err)
		}
		if r, err := tx.DrillReports(0); err != nil || len(r) != 1 || r[0].WalletID != 0 {
			t.Errorf("drills %+v %v", r, err)
		}
		return nil
	})
}

// TestNewerStoreRefused: an older airsign-online refuses a store whose
// schema it does not know, naming the file and what to do.
func TestNewerStoreRefused(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), dir)
	if !errors.Is(err, ErrTooNew) || !strings.Contains(err.Error(), Path(dir)) || !strings.Contains(err.Error(), "Run the newer airsign-online") {
		t.Fatalf("newer store: %v", err)
	}
}

// TestUpgradeInPlace: a store of an older schema is upgraded by Open and
// keeps its data. Version 0 is "before the store": JSON wallets.
func TestUpgradeInPlace(t *testing.T) {
	dir := t.TempDir()
	// A store file that some earlier build created empty.
	db, err := sql.Open("sqlite", Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE scratch (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := openTest(t, dir)
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("version %d %v", v, err)
	}
	addWallet(t, s, "w")
}

// TestUpgradeFromV1File: testdata/v1.db, written by the version-1 code
// (see testdata/README.md), opens at the current version with all it held,
// and the next Open finds nothing to do.
func TestUpgradeFromV1File(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/v1.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(Path(dir), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if v := fileVersion(t, Path(dir)); v != 1 {
		t.Fatalf("the fixture is version %d, want 1", v)
	}
	for range 2 {
		s := openTest(t, dir)
		err := s.View(context.Background(), func(tx *Tx) error {
			w, err := tx.Wallet("cold")
			if err != nil {
				return err
			}
			if w.Birthday != 101 || w.GapLimit != 20 || w.Network != "regtest" {
				t.Errorf("wallet %+v", w)
			}
			if c, err := tx.Coins(w.ID); err != nil || len(c) != 1 || c[0].Amount != 150000 {
				t.Errorf("coins %+v %v", c, err)
			}
			if l, err := tx.LabelOf(w.ID, LabelTx, "1111111111111111111111111111111111111111111111111111111111111111"); err != nil || l != "first deposit" {
				t.Errorf("label %q %v", l, err)
			}
			if f, err := tx.Frozen(w.ID); err != nil || len(f) != 1 {
				t.Errorf("frozen %v %v", f, err)
			}
			if p, err := tx.ReservesProofs(); err != nil || len(p) != 1 || p[0].Message != "audit 2026" {
				t.Errorf("proofs %+v %v", p, err)
			}
			if r, err := tx.DrillReports(w.ID); err != nil || len(r) != 1 || r[0].LogHead != "aa" {
				t.Errorf("drill reports %+v %v", r, err)
			}
			if u, err := tx.UsedAddresses(w.ID); err != nil || len(u) == 0 {
				t.Errorf("used addresses %v %v", u, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// What version 2 added works on the upgraded file.
		err = s.Update(context.Background(), func(tx *Tx) error {
			added, err := tx.AddDrillReport(DrillReport{WalletID: 1, LogHead: "aa", Report: "{}"})
			if err != nil || added {
				t.Errorf("the v1 report's run recorded again: %v %v", added, err)
			}
			_, err = tx.exec(`INSERT INTO drill_reports (wallet_id, log_head, report, verified_at) VALUES (1, 'aa', '{}', 0)`)
			if !isConstraint(err) {
				t.Errorf("a second row of one run: %v, want the unique index to refuse it", err)
			}
			_, err = tx.exec(`UPDATE addresses SET handed_out = 1 WHERE wallet_id = 1 AND branch = 0 AND idx = 1`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if v := fileVersion(t, Path(dir)); v != SchemaVersion() {
			t.Fatalf("upgraded to version %d, want %d", v, SchemaVersion())
		}
	}
}

func fileVersion(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestConcurrentWriters: goroutines each with their own Store (as
// separate commands have) all get their change in.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	id := addWallet(t, openTest(t, dir), "w")
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), dir)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			errs[i] = s.Update(context.Background(), func(tx *Tx) error {
				_, err := tx.PutLabel(id, Label{Type: LabelAddr, Ref: fmt.Sprint(i), Label: "x"})
				return err
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := openTest(t, dir)
	s.View(context.Background(), func(tx *Tx) error {
		if l, err := tx.Labels(id); err != nil || len(l) != n {
			t.Errorf("%d labels, want %d (%v)", len(l), n, err)
		}
		return nil
	})
}

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	id := addWallet(t, s, "w")
	put := func(ref string) {
		if err := s.Update(ctx, func(tx *Tx) error {
			_, err := tx.PutLabel(id, Label{Type: LabelAddr, Ref: ref, Label: ref})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	put("before")
	bk := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, bk); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, bk); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("backup over a backup: %v", err)
	}
	put("after")
	if names, err := CheckBackup(ctx, bk); err != nil || len(names) != 1 {
		t.Fatalf("check backup: %v %v", names, err)
	}
	kept, err := Restore(ctx, dir, bk)
	if err != nil {
		t.Fatal(err)
	}
	labels := func(s *Store) (refs []string) {
		s.View(ctx, func(tx *Tx) error {
			l, _ := tx.Labels(id)
			for _, x := range l {
				refs = append(refs, x.Ref)
			}
			return nil
		})
		return refs
	}
	// The open store sees the restored content.
	if got := labels(s); len(got) != 1 || got[0] != "before" {
		t.Fatalf("after restore: %v", got)
	}
	// What was replaced is kept.
	k, err := openFile(kept, true)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if got := labels(k); len(got) != 2 {
		t.Fatalf("kept store: %v", got)
	}

	// Bad backups are refused before anything changes.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 400)), 0o600)
	for path, want := range map[string]string{
		junk:                    "junk.db is not a readable airsign-online backup",
		junk + ".missing":       "reading the backup",
		Path(t.TempDir()) + "x": "reading the backup",
	} {
		if _, err := Restore(ctx, dir, path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("restore %s: %v, want %q", path, err, want)
		}
	}
	if got := labels(s); len(got) != 1 {
		t.Fatalf("a refused restore changed the store: %v", got)
	}
}

// TestRestoreOverDamaged: a damaged store is moved aside and the backup
// put in its place.
func TestRestoreOverDamaged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	addWallet(t, s, "w")
	bk := filepath.Join(t.TempDir(), "b.db")
	if err := s.Backup(ctx, bk); err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Remove(Path(dir) + "-wal")
	os.Remove(Path(dir) + "-shm")
	os.WriteFile(Path(dir), []byte(strings.Repeat("garbage!", 1000)), 0o600)
	if _, err := Open(ctx, dir); !errors.As(err, new(*CorruptError)) {
		t.Fatalf("open damaged: %v", err)
	}
	kept, err := Restore(ctx, dir, bk)
	if err != nil || !strings.Contains(kept, ".damaged-") {
		t.Fatalf("restore: %q %v", kept, err)
	}
	s = openTest(t, dir)
	s.View(ctx, func(tx *Tx) error {
		if _, err := tx.Wallet("w"); err != nil {
			t.Error(err)
		}
		return nil
	})
}
