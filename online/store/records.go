package store

import "database/sql"

// Records of checks this side made, kept so an auditor can see when a
// proof of reserves or a drill report was last verified and what it said.

// ReservesProof is a BIP127 proof of reserves prepared or verified here.
type ReservesProof struct {
	ID         int64
	WalletID   int64 // 0: not one of the store's wallets
	Message    string
	Amount     int64
	Height     int32
	Proof      []byte // the proof PSBT
	VerifiedAt int64
}

// AddReservesProof records a proof and returns its id.
func (t *Tx) AddReservesProof(p ReservesProof) (int64, error) {
	res, err := t.exec(`INSERT INTO reserves_proofs (wallet_id, message, amount, height, proof, verified_at) VALUES (?, ?, ?, ?, ?, ?)`,
		nullID(p.WalletID), p.Message, p.Amount, p.Height, p.Proof, now())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// ReservesProofs lists the recorded proofs, oldest first.
func (t *Tx) ReservesProofs() ([]ReservesProof, error) {
	return selectAll(t, func(rows *sql.Rows, p *ReservesProof) error {
		return rows.Scan(&p.ID, &p.WalletID, &p.Message, &p.Amount, &p.Height, &p.Proof, &p.VerifiedAt)
	},
		`SELECT id, coalesce(wallet_id, 0), message, amount, height, proof, verified_at FROM reserves_proofs ORDER BY id`)
}

// DrillReport is the report of one ceremony run (a keygen, rotate,
// reshare or drill) from an airsign-offline log verified here.
type DrillReport struct {
	ID       int64
	WalletID int64 // 0: not tied to one of the store's wallets
	// LogHead names the run: the log's chain hash at its last record
	// (ceremony.Report.Head), the same in any copy of the log.
	LogHead string
	// Report is the run's ceremony.Report as JSON.
	Report     string
	VerifiedAt int64
}

// AddDrillReport records a verified report unless the wallet already has
// the report of that run (the same LogHead): importing a log twice, or a
// longer copy of it, adds nothing twice. It reports whether it added it.
func (t *Tx) AddDrillReport(r DrillReport) (added bool, err error) {
	res, err := t.exec(`INSERT INTO drill_reports (wallet_id, log_head, report, verified_at)
		SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM drill_reports WHERE wallet_id IS ? AND log_head = ?)`,
		nullID(r.WalletID), r.LogHead, r.Report, now(), nullID(r.WalletID), r.LogHead)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DrillReports lists the recorded reports, oldest first: of one wallet,
// or of all when walletID is 0.
func (t *Tx) DrillReports(walletID int64) ([]DrillReport, error) {
	return selectAll(t, func(rows *sql.Rows, r *DrillReport) error {
		return rows.Scan(&r.ID, &r.WalletID, &r.LogHead, &r.Report, &r.VerifiedAt)
	},
		`SELECT id, coalesce(wallet_id, 0), log_head, report, verified_at FROM drill_reports WHERE ? = 0 OR wallet_id = ? ORDER BY id`, walletID, walletID)
}

// nullID stores 0 as NULL (no wallet).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
