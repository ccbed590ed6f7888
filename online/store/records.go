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

// DrillReport is a recovery drill's report verified here.
type DrillReport struct {
	ID         int64
	WalletID   int64 // 0: not tied to one of the store's wallets
	LogHead    string
	Report     string
	VerifiedAt int64
}

// AddDrillReport records a verified drill report and returns its id.
func (t *Tx) AddDrillReport(r DrillReport) (int64, error) {
	res, err := t.exec(`INSERT INTO drill_reports (wallet_id, log_head, report, verified_at) VALUES (?, ?, ?, ?)`,
		nullID(r.WalletID), r.LogHead, r.Report, now())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// DrillReports lists the recorded drill reports, oldest first.
func (t *Tx) DrillReports() ([]DrillReport, error) {
	return selectAll(t, func(rows *sql.Rows, r *DrillReport) error {
		return rows.Scan(&r.ID, &r.WalletID, &r.LogHead, &r.Report, &r.VerifiedAt)
	},
		`SELECT id, coalesce(wallet_id, 0), log_head, report, verified_at FROM drill_reports ORDER BY id`)
}

// nullID stores 0 as NULL (no wallet).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
