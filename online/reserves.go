package online

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrterm"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// ReservesPrepareOptions are the inputs of `airsign-online reserves prepare`.
type ReservesPrepareOptions struct {
	Wallet string
	// Message is the proof's commitment; empty makes one from the wallet,
	// the height, the date and a random challenge.
	Message string
	// Format is the commitment's format name (bip127, bdk, elements;
	// empty is bip127): the one the auditor's verifier takes.
	Format string
	Out    string
	QR     transport.QROptions
	JSON   bool
	// Now is the date written into a default message (time.Now if zero).
	Now time.Time
}

// ReservesPrepare builds the BIP127 proof-of-reserves PSBT over every
// confirmed coin of the wallet (frozen ones too: they are still ours), to be
// signed offline, usually during a recovery drill. Nothing it makes can move
// a coin: the proof spends an input that cannot exist.
func ReservesPrepare(ctx context.Context, env *Env, opts ReservesPrepareOptions) error {
	qrterm.Fit(env.Stdout, &opts.QR)
	if err := transport.CheckOutput(opts.Out, opts.QR, "the proof-of-reserves PSBT", nil); err != nil {
		return err
	}
	if opts.Message != "" {
		if err := psbt.CheckReservesMessage(opts.Message); err != nil {
			return fmt.Errorf("--message: %w", err)
		}
	}
	format, err := psbt.ParseReservesFormat(opts.Format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if err := format.CheckSigning(opts.Message); err != nil {
		return fmt.Errorf("--message: %w", err)
	}
	w, b, s, err := env.openScanned(ctx, opts.Wallet)
	if err != nil {
		return err
	}
	var ins []psbt.InputSpec
	var unconfirmed int
	for _, c := range s.Coins {
		if c.InMempool() {
			unconfirmed++
			continue
		}
		prev, err := b.RawTransaction(ctx, c.OutPoint.Hash)
		if err != nil {
			return fmt.Errorf("fetching the previous transaction of %s: %w", c.OutPoint, err)
		}
		ins = append(ins, inputSpec(w, c.Derived, prev, c.OutPoint.Index, wire.MaxTxInSequenceNum))
	}
	if unconfirmed > 0 {
		env.Warnf("%s left out: a proof is made at a block height, and an unconfirmed coin is in none yet", plural(unconfirmed, "unconfirmed coin"))
	}
	if len(ins) == 0 {
		return fmt.Errorf("wallet %q has no confirmed coin to prove", w.Name)
	}
	msg := opts.Message
	if msg == "" {
		if msg, err = defaultReservesMessage(w.Name, s.Tip, opts.Now); err != nil {
			return err
		}
	}
	p, err := psbt.BuildReserves(format, msg, ins)
	if err != nil {
		return err
	}
	if p, err = psbt.AddGlobalXPubs(p, w.desc); err != nil {
		return err
	}
	a := psbt.Analyze(p, w.net, walletFingerprint(w), psbt.DescriptorWallet(w.desc))
	if refusals := a.Refusals(); len(refusals) > 0 {
		// Our own builder made it; a refusal here is a bug, never
		// something to hand to the signer.
		return fmt.Errorf("the proof just built would be refused by the signer: %v", refusals[0])
	}
	if err := writeAnalysis(env, a, opts.JSON); err != nil {
		return err
	}
	data, err := p.Encode()
	if err != nil {
		return err
	}
	if opts.Out != "" {
		if err := file.WriteNewAtomic(opts.Out, data, 0o644); err != nil {
			return err
		}
	}
	if err := writeQR(ctx, env, data, opts.QR); err != nil {
		return err
	}
	env.Infof("proof of reserves at height %d: %s, %s; message %q; commitment: %s", s.Tip, plural(len(ins), "coin"), env.amount(a.Reserves.Total), msg, format.Describe())
	env.Infof("sign it offline (airsign-offline sign, or during the drill), then: airsign-online reserves verify SIGNED.psbt")
	return nil
}

// defaultReservesMessage names the wallet, the height and the date, and adds a
// random challenge so that no proof made earlier can be passed off as this one.
func defaultReservesMessage(wallet string, tip int32, now time.Time) (string, error) {
	if now.IsZero() {
		now = time.Now()
	}
	var c [8]byte
	if _, err := rand.Read(c[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("airsign proof of reserves, wallet %s, height %d, %s, challenge %s",
		wallet, tip, now.UTC().Format("2006-01-02"), hex.EncodeToString(c[:])), nil
}

// ReservesVerifyOptions are the inputs of `airsign-online reserves verify`.
type ReservesVerifyOptions struct {
	Wallet string
	// Sources are the signed proof: one signed PSBT, one per cosigner of a
	// multisig (combined here), or the final transaction in hex.
	Sources []string
	// Message is required for a final transaction (a PSBT carries it) and,
	// when given with a PSBT, must match it.
	Message string
	// Height is the block the proof is judged at; 0 is the node's tip.
	Height int32
	// Out writes the final proof transaction (hex), the form BIP127
	// verifiers and ElementsProject's reserves take.
	Out string
	// OutPSBT writes the combined, finalized proof PSBT: the form
	// bdk-reserves' verify_proof takes.
	OutPSBT string
	JSON    bool
}

// ReservesReport is what a verified proof proves.
type ReservesReport struct {
	Message string `json:"message"`
	// Format is how the commitment input commits to the message.
	Format psbt.ReservesFormat `json:"format"`
	Height int32               `json:"height"`
	Total  int64               `json:"total_sat"`
	Coins  int                 `json:"coins"`
	// Moved lists the coins spent by now: their signatures are valid and
	// they were confirmed at Height, but they are not unspent at the tip.
	// The node cannot tell whether they were spent before or after Height,
	// so Unspent, not Total, is what the wallet is shown to hold now.
	Moved []string `json:"moved_since,omitempty"`
	// Unspent is the part of Total still unspent at the node's tip.
	Unspent int64  `json:"unspent_now_sat"`
	TxHex   string `json:"proof_tx_hex"`
}

// ReservesVerify checks a signed proof of reserves against the chain: every
// signature runs through btcd's script engine against the coins as the node
// has them, every coin must have been confirmed at the height given, and the
// report says which coins are spent by now and what is still held.
func ReservesVerify(ctx context.Context, env *Env, opts ReservesVerifyOptions) error {
	if len(opts.Sources) == 0 {
		return errors.New("no proof given: name the signed proof-of-reserves PSBT(s), or the final transaction in hex with --message")
	}
	if opts.Height < 0 {
		return fmt.Errorf("--height %d: a block height is 0 (the tip) or more", opts.Height)
	}
	for _, out := range []string{opts.Out, opts.OutPSBT} {
		if err := file.CheckNew(out); err != nil {
			return err
		}
	}
	proofPSBT, tx, msg, err := readReservesProof(ctx, env, opts.Sources, opts.Message)
	if err != nil {
		return err
	}
	if opts.OutPSBT != "" && proofPSBT == nil {
		return errors.New("--out-psbt: the proof was given as a final transaction, which holds no PSBT to write; give the signed PSBT(s)")
	}
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return err
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return err
	}
	rep, err := checkReservesOnChain(ctx, b, w.net, tx, msg, opts.Height)
	if err != nil {
		return err
	}
	if opts.Out != "" {
		if err := file.WriteNewAtomic(opts.Out, []byte(rep.TxHex+"\n"), 0o644); err != nil {
			return err
		}
	}
	if opts.OutPSBT != "" {
		data, err := proofPSBT.Encode()
		if err == nil {
			err = file.WriteNewAtomic(opts.OutPSBT, data, 0o644)
		}
		if err != nil {
			return err
		}
	}
	// Kept so `watch` and an auditor can see when reserves were last
	// proven, without the offline laptop.
	proofTx, _ := hex.DecodeString(rep.TxHex)
	if err := env.update(func(t *store.Tx) error {
		_, err := t.AddReservesProof(store.ReservesProof{WalletID: w.id, Message: rep.Message, Amount: rep.Total, Height: rep.Height, Proof: proofTx})
		return err
	}); err != nil {
		return fmt.Errorf("the proof verified, but the store could not record it: %w", err)
	}
	if opts.JSON {
		return writeJSON(env.Stdout, rep)
	}
	env.Printf("Proof of reserves VERIFIED at height %d\n", rep.Height)
	env.Printf("  message: %q\n", rep.Message)
	env.Printf("  commitment: %s\n", rep.Format.Describe())
	env.Printf("  proven:  %s in %s, every signature checked by btcd's script engine\n", env.amount(rep.Total), plural(rep.Coins, "coin"))
	if len(rep.Moved) == 0 {
		env.Printf("  all of it is still unspent now\n")
		return nil
	}
	// Said plainly: a proof over coins that are gone does not show they
	// are held, and this node cannot tell when they were spent.
	env.Printf("  WARNING: spent by now: %s; still held: %s\n", plural(len(rep.Moved), "coin"), env.amount(rep.Unspent))
	env.Printf("  (this node cannot tell whether they were spent before or after height %d)\n", rep.Height)
	const show = 10
	for i, op := range rep.Moved {
		if i == show {
			env.Printf("    … and %d more (--json lists them all)\n", len(rep.Moved)-show)
			break
		}
		env.Printf("    spent: %s\n", op)
	}
	return nil
}

// readReservesProof reads signed proof PSBTs (combined and finalized here;
// the finalized PSBT is returned too) or a final proof transaction in hex.
// A PSBT from bdk-reserves carries no PSBT_IN_POR_COMMITMENT field: with
// --message it is read as the proof of that message when its commitment
// input says so.
func readReservesProof(ctx context.Context, env *Env, sources []string, message string) (*psbt.Packet, *wire.MsgTx, string, error) {
	if len(sources) == 1 {
		if raw, err := os.ReadFile(sources[0]); err == nil && len(raw) <= psbt.MaxSize {
			if tx, ok := parseHexTx(raw); ok {
				if message == "" {
					return nil, nil, "", fmt.Errorf("%s is a final transaction, which does not carry its message: give it with --message", sources[0])
				}
				return nil, tx, message, nil
			}
		}
	}
	var packets []*psbt.Packet
	for _, src := range sources {
		_, p, err := transport.ReadPacket(ctx, []string{src}, transport.ReadOptions{Stdin: env.Stdin, Progress: env.Stderr})
		if err != nil {
			return nil, nil, "", err
		}
		if !p.IsReserves() {
			if message == "" {
				return nil, nil, "", fmt.Errorf("%s is not a proof of reserves with its message (its first input carries no BIP127 commitment field); a proof from bdk-reserves needs --message", src)
			}
			if err := p.SetReservesMessage(message); err != nil {
				return nil, nil, "", fmt.Errorf("%s: %w", src, err)
			}
		}
		packets = append(packets, p)
	}
	p, err := psbt.Combine(packets...)
	if err != nil {
		return nil, nil, "", err
	}
	msg := p.ReservesMessage()
	if message != "" && message != msg {
		return nil, nil, "", fmt.Errorf("the proof commits to %q, not to the --message given", msg)
	}
	tx, err := psbt.FinalizeReserves(p)
	if err != nil {
		return nil, nil, "", err
	}
	return p, tx, msg, nil
}

// checkReservesOnChain fetches every coin the proof spends and verifies it.
func checkReservesOnChain(ctx context.Context, b backend.Backend, net *chaincfg.Params, tx *wire.MsgTx, msg string, height int32) (*ReservesReport, error) {
	tip, err := b.TipHeight(ctx)
	if err != nil {
		return nil, err
	}
	if height == 0 {
		height = tip
	}
	if height > tip {
		return nil, fmt.Errorf("--height %d is above the node's tip %d", height, tip)
	}
	prevOuts := map[wire.OutPoint]*wire.TxOut{}
	created := map[wire.OutPoint]int32{}
	for i, in := range tx.TxIn {
		if i == 0 {
			continue
		}
		op := in.PreviousOutPoint
		prev, err := b.RawTransaction(ctx, op.Hash)
		if errors.Is(err, backend.ErrNotFound) {
			return nil, fmt.Errorf("input %d: the coin %s is not in the chain the node knows", i, op)
		}
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		if int(op.Index) >= len(prev.TxOut) {
			return nil, fmt.Errorf("input %d: transaction %s has no output %d", i, op.Hash, op.Index)
		}
		st, err := b.TxStatus(ctx, op.Hash)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		h := st.BlockHeight
		if st.Confirmations <= 0 || h > height {
			return nil, fmt.Errorf("input %d: the coin %s was not confirmed at height %d; it cannot be part of a proof made there", i, op, height)
		}
		prevOuts[op] = prev.TxOut[op.Index]
		created[op] = h
	}
	proof, err := psbt.VerifyReserves(tx, msg, prevOuts)
	if err != nil {
		return nil, fmt.Errorf("the proof does not verify: %w", err)
	}
	rep := &ReservesReport{Message: msg, Format: proof.Format, Height: height, Total: proof.Total, Coins: len(proof.Coins), TxHex: txHex(tx)}
	unspent, err := unspentNow(ctx, b, net, proof.Coins, prevOuts)
	if err != nil {
		return nil, err
	}
	for _, op := range proof.Coins {
		if unspent[op] {
			rep.Unspent += prevOuts[op].Value
		} else {
			rep.Moved = append(rep.Moved, op.String())
		}
	}
	return rep, nil
}

// unspentNow asks the node which of the coins are unspent at its tip.
func unspentNow(ctx context.Context, b backend.Backend, net *chaincfg.Params, coins []wire.OutPoint, prevOuts map[wire.OutPoint]*wire.TxOut) (map[wire.OutPoint]bool, error) {
	var addrs []btcutil.Address
	seen := map[string]bool{}
	for _, op := range coins {
		_, as, _, err := txscript.ExtractPkScriptAddrs(prevOuts[op].PkScript, net)
		if err != nil || len(as) != 1 {
			continue
		}
		if !seen[as[0].EncodeAddress()] {
			seen[as[0].EncodeAddress()] = true
			addrs = append(addrs, as[0])
		}
	}
	info, err := b.ScanAddresses(ctx, addrs)
	if err != nil {
		return nil, err
	}
	out := map[wire.OutPoint]bool{}
	for _, ai := range info {
		for _, u := range ai.UTXOs {
			out[u.OutPoint] = true
		}
	}
	return out, nil
}

// parseHexTx reads a final transaction given as hex text.
func parseHexTx(raw []byte) (*wire.MsgTx, bool) {
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(b) == 0 {
		return nil, false
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(b)); err != nil {
		return nil, false
	}
	return &tx, true
}

func txHex(tx *wire.MsgTx) string {
	var buf bytes.Buffer
	_ = tx.Serialize(&buf)
	return hex.EncodeToString(buf.Bytes())
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
