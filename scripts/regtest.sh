#!/usr/bin/env bash
# regtest.sh — a throwaway btcd regtest node on loopback, for tests and the demo.
#
# Usage:
#   scripts/regtest.sh install            build btcd + btcctl (pinned) into .cache/bin
#   scripts/regtest.sh start [MINING_ADDR] start the node (MINING_ADDR or $MINING_ADDR),
#                                          wait until RPC answers, write the env file
#   scripts/regtest.sh mine N             mine N blocks to the mining address
#   scripts/regtest.sh rpc METHOD ARGS…   call any RPC through btcctl
#   scripts/regtest.sh env                print the env file (source it: eval "$(… env)")
#   scripts/regtest.sh status             say whether the node runs, and its height
#                                          (exit status 1 when it does not)
#   scripts/regtest.sh stop               stop the node and delete its data directory
#
# Environment:
#   AIRSIGN_REGTEST_DIR      where the node lives (default: <repo>/.cache/regtest).
#                            One directory = one node; tests that want their own node
#                            point this at a temporary directory.
#   AIRSIGN_REGTEST_RPCPORT  fixed RPC port (default: a free random port)
#   AIRSIGN_REGTEST_PORT     fixed P2P port (default: a free random port)
#   AIRSIGN_BIN_DIR          where btcd/btcctl are installed (default: <repo>/.cache/bin)
#   MINING_ADDR              mining address when `start` gets none
#
# The env file ($AIRSIGN_REGTEST_DIR/env, mode 0600) holds shell assignments, one per
# line, no quoting needed (values never contain spaces or quotes):
#   AIRSIGN_BACKEND=btcd
#   AIRSIGN_NETWORK=regtest
#   AIRSIGN_RPC_URL=http://127.0.0.1:RPCPORT
#   AIRSIGN_RPC_USER=airsign-<random>
#   AIRSIGN_RPC_PASS=<random hex>
#   AIRSIGN_REGTEST_PID=<btcd pid>
#   AIRSIGN_REGTEST_P2P=127.0.0.1:PORT
#   AIRSIGN_REGTEST_MINING_ADDR=<address>
#   AIRSIGN_REGTEST_DATADIR=<dir>
# The names match what airsign-online reads, so `set -a; . "$DIR/env"; set +a` points
# airsign-online at the node.
#
# Choices, so nobody has to rediscover them:
# - RPC without TLS (--notls). btcd allows that only when RPC is bound to loopback, which
#   is all this node ever does; it spares the client a self-signed certificate. Use TLS
#   (btcd's default) for any node that is not on 127.0.0.1.
# - User and password are random per start and live only in files of mode 0600 in the
#   node directory (btcd.conf, btcctl.conf, env): never on a command line, so `ps` does
#   not show them.
# - No peers: regtest has no DNS seeds, --connect is not given, P2P listens on loopback.
# - `generate` works with --miningaddr alone (no --generate). Bech32 (P2WPKH, P2WSH) and
#   bech32m (P2TR) regtest addresses are accepted as mining addresses.
# - btcd v0.26.2 regtest forces segwit, CSV and taproot active from height 1
#   (chaincfg/v2 RegressionNetParams: AlwaysActiveHeight 1). Older btcd releases needed
#   version-bits signalling (about 432 blocks); we do not, but the tests still mine 101
#   blocks for coinbase maturity (100 on regtest). The regtest subsidy halves every
#   150 blocks: 50 BTC for heights 1–149, 25 BTC for 150–299, 12.5 for 300–449, …
set -euo pipefail

BTCD_VERSION=v0.26.2 # pinned: newest btcd release; the go.mod library version is separate
BTCD_MODULE=github.com/btcsuite/btcd

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=${AIRSIGN_BIN_DIR:-$ROOT/.cache/bin}
DIR=${AIRSIGN_REGTEST_DIR:-$ROOT/.cache/regtest}
NODE_DIR=$DIR/node
ENV_FILE=$DIR/env
BTCD=$BIN_DIR/btcd
BTCCTL=$BIN_DIR/btcctl

die() {
	echo "regtest.sh: error: $*" >&2
	exit 1
}
say() { echo "regtest.sh: $*" >&2; }

# installed_ok BINARY: is BINARY built from btcd at $BTCD_VERSION?
installed_ok() {
	[ -x "$1" ] || return 1
	go version -m "$1" 2>/dev/null |
		awk -v v="$BTCD_VERSION" -v m="$BTCD_MODULE" '$1 == "mod" && $2 == m && $3 == v { ok = 1 } END { exit !ok }'
}

cmd_install() {
	if installed_ok "$BTCD" && installed_ok "$BTCCTL"; then
		return 0
	fi
	command -v go >/dev/null || die "go is not on PATH; install Go to build btcd"
	say "installing btcd and btcctl $BTCD_VERSION into $BIN_DIR"
	mkdir -p "$BIN_DIR"
	# go install pkg@version ignores our go.mod; GOTOOLCHAIN=auto fetches the Go
	# release btcd asks for if the local one is older.
	(cd "$ROOT" && GOBIN="$BIN_DIR" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
		go install "$BTCD_MODULE@$BTCD_VERSION" "$BTCD_MODULE/cmd/btcctl@$BTCD_VERSION") ||
		die "go install $BTCD_MODULE@$BTCD_VERSION failed"
	installed_ok "$BTCD" || die "$BTCD is not btcd $BTCD_VERSION after install"
	installed_ok "$BTCCTL" || die "$BTCCTL is not btcctl $BTCD_VERSION after install"
}

# env_get NAME: a value from the env file (empty if absent).
env_get() {
	[ -f "$ENV_FILE" ] || return 0
	sed -n "s/^$1=//p" "$ENV_FILE" | head -n 1
}

# our_pid: the pid of this directory's btcd if it is alive, else nothing. The pid is
# only trusted if that process is btcd running on our data directory (pids get reused).
our_pid() {
	local pid
	pid=$(env_get AIRSIGN_REGTEST_PID)
	[ -n "$pid" ] || return 0
	[ -r "/proc/$pid/cmdline" ] || {
		kill -0 "$pid" 2>/dev/null && echo "$pid"
		return 0
	}
	if tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "--datadir=$NODE_DIR/data"; then
		echo "$pid"
	fi
}

ctl() {
	"$BTCCTL" --configfile="$NODE_DIR/btcctl.conf" "$@"
}

port_free() {
	# A port is taken if something accepts a connection on it.
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if port_free "$p"; then
			echo "$p"
			return 0
		fi
	done
	die "found no free port on 127.0.0.1"
}

random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

with_lock() {
	mkdir -p "$DIR"
	if command -v flock >/dev/null; then
		exec 9>"$DIR/.lock"
		flock 9
	fi
}

cmd_start() {
	local addr=${1:-${MINING_ADDR:-}}
	[ -n "$addr" ] || die "no mining address: give one (regtest.sh start ADDR) or set MINING_ADDR"
	case $addr in
	*[!A-Za-z0-9]*) die "mining address '$addr' has characters no address has" ;;
	esac
	cmd_install
	with_lock

	local pid
	pid=$(our_pid)
	if [ -n "$pid" ]; then
		local old
		old=$(env_get AIRSIGN_REGTEST_MINING_ADDR)
		if [ "$old" = "$addr" ]; then
			say "node already running (pid $pid) at $(env_get AIRSIGN_RPC_URL)"
			return 0
		fi
		die "node already running (pid $pid) with mining address $old; run 'regtest.sh stop' first or use another AIRSIGN_REGTEST_DIR"
	fi

	# Leftovers of a node that died: start from scratch.
	rm -rf "$NODE_DIR" "$ENV_FILE"

	local attempt
	for attempt in 1 2 3; do
		if start_once "$addr"; then
			say "btcd regtest running (pid $(env_get AIRSIGN_REGTEST_PID)) at $(env_get AIRSIGN_RPC_URL), mining to $addr"
			return 0
		fi
		# Retry only a port clash on ports we picked ourselves (another process may
		# have taken one between our check and btcd's bind).
		if [ -n "${AIRSIGN_REGTEST_RPCPORT:-}" ] && [ -n "${AIRSIGN_REGTEST_PORT:-}" ]; then
			break
		fi
		grep -qi "address already in use" "$NODE_DIR/btcd.out" "$NODE_DIR/logs"/*/btcd.log 2>/dev/null || break
		say "start attempt $attempt hit a port in use; retrying with other ports"
	done
	die "btcd did not start; its log was printed above"
}

start_once() {
	local addr=$1
	local rpcport=${AIRSIGN_REGTEST_RPCPORT:-$(pick_port)}
	local port=${AIRSIGN_REGTEST_PORT:-$(pick_port)}
	local user pass
	user=airsign-$(random_hex 4)
	pass=$(random_hex 24)

	rm -rf "$NODE_DIR" "$ENV_FILE"
	mkdir -p "$NODE_DIR/data" "$NODE_DIR/logs"
	chmod 700 "$NODE_DIR"
	(
		umask 077
		cat >"$NODE_DIR/btcd.conf" <<EOF
rpcuser=$user
rpcpass=$pass
EOF
		cat >"$NODE_DIR/btcctl.conf" <<EOF
rpcuser=$user
rpcpass=$pass
rpcserver=127.0.0.1:$rpcport
notls=1
regtest=1
EOF
	)

	# setsid: the node outlives this script and is not hit by the caller's ^C.
	# --nocfilters and a small UTXO cache: nothing here needs BIP157 filters,
	# and tests may run several nodes at once on a small machine.
	setsid "$BTCD" \
		--configfile="$NODE_DIR/btcd.conf" \
		--datadir="$NODE_DIR/data" \
		--logdir="$NODE_DIR/logs" \
		--regtest \
		--listen="127.0.0.1:$port" \
		--rpclisten="127.0.0.1:$rpcport" \
		--notls \
		--nodnsseed \
		--txindex \
		--addrindex \
		--nocfilters \
		--utxocachemaxsize=32 \
		--miningaddr="$addr" \
		--debuglevel=info \
		</dev/null >"$NODE_DIR/btcd.out" 2>&1 9>&- &
	local pid=$!

	local tmp
	tmp=$(mktemp "$DIR/env.XXXXXX")
	cat >"$tmp" <<EOF
AIRSIGN_BACKEND=btcd
AIRSIGN_NETWORK=regtest
AIRSIGN_RPC_URL=http://127.0.0.1:$rpcport
AIRSIGN_RPC_USER=$user
AIRSIGN_RPC_PASS=$pass
AIRSIGN_REGTEST_PID=$pid
AIRSIGN_REGTEST_P2P=127.0.0.1:$port
AIRSIGN_REGTEST_MINING_ADDR=$addr
AIRSIGN_REGTEST_DATADIR=$NODE_DIR
EOF
	chmod 600 "$tmp"

	# Wait until RPC answers (btcd opens its database first).
	local i
	for i in $(seq 1 300); do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$tmp"
			say "btcd exited during start-up; last lines of its output:"
			tail -n 20 "$NODE_DIR/btcd.out" >&2 || true
			return 1
		fi
		if ctl getblockcount >/dev/null 2>&1; then
			mv "$tmp" "$ENV_FILE"
			return 0
		fi
		sleep 0.1
	done
	say "btcd did not answer RPC within 30 s; last lines of its output:"
	tail -n 20 "$NODE_DIR/btcd.out" >&2 || true
	kill "$pid" 2>/dev/null || true
	rm -f "$tmp"
	return 1
}

need_running() {
	[ -n "$(our_pid)" ] || die "no node running for $DIR (run: scripts/regtest.sh start ADDR)"
}

cmd_mine() {
	local n=${1:-}
	case $n in
	'' | *[!0-9]*) die "mine needs a number of blocks, e.g. 'regtest.sh mine 101'" ;;
	esac
	[ "$n" -gt 0 ] || die "mine needs a positive number of blocks"
	need_running
	# btcctl prints the block hashes as a JSON array.
	ctl generate "$n"
}

cmd_rpc() {
	[ $# -ge 1 ] || die "rpc needs a method, e.g. 'regtest.sh rpc getblockcount'"
	need_running
	ctl "$@"
}

cmd_env() {
	need_running
	cat "$ENV_FILE"
}

cmd_status() {
	local pid
	pid=$(our_pid)
	if [ -z "$pid" ]; then
		echo "stopped ($DIR)"
		return 1
	fi
	echo "running pid=$pid url=$(env_get AIRSIGN_RPC_URL) height=$(ctl getblockcount 2>/dev/null || echo '?') mining_addr=$(env_get AIRSIGN_REGTEST_MINING_ADDR)"
}

cmd_stop() {
	[ -d "$DIR" ] || return 0
	with_lock
	local pid i
	pid=$(our_pid)
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			say "btcd (pid $pid) did not stop within 10 s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -rf "$NODE_DIR" "$ENV_FILE"
	say "stopped; removed $NODE_DIR"
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	install) cmd_install "$@" ;;
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	mine) cmd_mine "$@" ;;
	rpc) cmd_rpc "$@" ;;
	env) cmd_env "$@" ;;
	status) cmd_status "$@" ;;
	*)
		sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
}

main "$@"
