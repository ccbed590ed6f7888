# airsign — the two commands that matter: `make demo` and `make test`.
#
# go.mod asks for Go 1.26.10 (btcec v2.5.1 needs it); GOTOOLCHAIN=auto lets an
# older local Go fetch that release through the module proxy.
export GOTOOLCHAIN := auto
export GOFLAGS := -buildvcs=false

GO        ?= go
BIN       := bin
FUZZTIME  ?= 30s

.PHONY: all build test fmt unit e2e lint demo demo-multisig fuzz bench ceremony-doc node clean docs release reproduce stress race-all race

all: build

## build: both binaries into bin/, stamped with the checkout's version and
## commit (GOFLAGS has -buildvcs=false, so the go command stamps nothing);
## outside a git checkout they say "devel". Releases: scripts/release.sh.
VERSION_PKG := github.com/airsign/airsign/cmd/internal/version
GIT_VERSION := $(shell git describe --tags --always --dirty --abbrev=12 2>/dev/null)
GIT_COMMIT  := $(shell git rev-parse HEAD 2>/dev/null)

build:
	$(GO) build -ldflags "-X $(VERSION_PKG).Version=$(GIT_VERSION) -X $(VERSION_PKG).Commit=$(GIT_COMMIT)" -o $(BIN)/ ./cmd/...

## test: formatting, then unit + CLI (testscript) tests and the end-to-end
## tests against a real btcd regtest node (installed at a pinned version), all
## with -short: the long forms of a few tests (1,000 kills of the atomic
## writer, the 100 kB QR round trip, exhaustive proofs, the 1,000-address
## wallet scans) and the race detector over every package run in `make
## stress`; go vet and staticcheck in `make lint`. CI runs all three. On a
## fresh machine (empty build cache) make test takes under 4 minutes of its
## 5-minute budget; the race step, 71 s there, is `make race`.
## Measured times: docs/release.md.
test: fmt node
	AIRSIGN_REGTEST=1 $(GO) test -short -count=1 -timeout 9m ./...

## stress: what `make test` leaves out, for CI (.ci/run): every test in its
## long form (no -short), then the race detector over the whole module.
stress: node race-all
	AIRSIGN_REGTEST=1 $(GO) test -count=1 -timeout 20m ./...

## unit: the tests that need no node.
unit:
	$(GO) test ./...

## lint: gofmt, go vet and staticcheck (pinned; also alone as `make staticcheck`).
## govulncheck is `make govulncheck` and needs the Go vulnerability database,
## which this network cannot reach (docs/release.md).
lint: fmt
	$(GO) vet ./...
	bash scripts/lint-tools.sh staticcheck

staticcheck:
	bash scripts/lint-tools.sh staticcheck

## fmt: every Go file gofmt'd (part of `make test` and `make lint`).
fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

govulncheck:
	bash scripts/lint-tools.sh govulncheck

## race: the race detector, -short, over the packages whose work runs in
## parallel: signing (psbt) and decoding beside capture (transport/camera,
## transport/qrcode); the quick check while working on them. Every package is
## raced in `make stress` (race-all), which CI runs.
RACE_PKGS := ./psbt ./transport/camera ./transport/qrcode/...
race:
	@if ! command -v "$$($(GO) env CC)" >/dev/null; then echo "race: SKIPPED: the race detector needs cgo and a C compiler ($$($(GO) env CC) not found)"; exit 0; fi; \
	echo "$(GO) test -race -short -count=1 -timeout 9m $(RACE_PKGS)"; $(GO) test -race -short -count=1 -timeout 9m $(RACE_PKGS)

## race-all: the race detector over every package (part of `make stress`).
race-all:
	@if ! command -v "$$($(GO) env CC)" >/dev/null; then echo "race-all: SKIPPED: the race detector needs cgo and a C compiler ($$($(GO) env CC) not found)"; exit 0; fi; \
	echo "$(GO) test -race -count=1 -timeout 30m ./..."; $(GO) test -race -count=1 -timeout 30m ./...

## node: build btcd/btcctl (pinned in scripts/regtest.sh) into .cache/bin.
node:
	bash scripts/regtest.sh install

## demo: the whole job end to end on a local regtest node, in plain words.
demo: build node
	bash scripts/demo.sh

## demo-multisig: a 2-of-3 of three ceremony-made keys, signed by two pairs.
demo-multisig: build node
	bash scripts/demo-multisig.sh

## ceremony-doc: regenerate CEREMONY.md from the ceremony definitions.
ceremony-doc:
	$(GO) test ./ceremony -run TestCeremonyDocIsFresh -update

## fuzz: run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=10m).
fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

## bench: every package's Go benchmarks (once each, .cache/bench/go.txt), then
## the table (cmd/internal/bench, .cache/bench/table.txt): signing a 1,000-input
## P2WPKH PSBT, airsign vs Electrum (Debian's python3-electrum; its rows are left
## out when it is not installed) vs raw btcec signatures, whole commands, startup;
## then airsign vs a plain btcd signer of the same 1,000-input wpkh, tr and
## 2-of-3 wsh PSBTs, and vs that signer with a btcec check of each signature
## (wall and CPU time, in process and whole processes, peak RSS).
## Medians of BENCH_ROUNDS rounds; every ratio is measured in the same run.
BENCH_ROUNDS ?= 5
## Then the QR reader against zbarimg (Debian zbar-tools) on the camera-like
## JPEG corpus (transport/qrcode/corpus_test.go): BENCH_QR_FRAMES per generator.
BENCH_QR_FRAMES ?= 30
bench: build
	@mkdir -p .cache/bench
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./... | tee .cache/bench/go.txt
	$(GO) run ./cmd/internal/bench -offline $(BIN)/airsign-offline -rounds $(BENCH_ROUNDS) | tee .cache/bench/table.txt
	$(MAKE) bench-qr

## bench-qr: the QR part of bench alone: our reader (files, and the camera
## path's budget) against zbarimg, count and ms/frame per generator, the
## tuned and held-out generators apart. zbarimg: apt-get install zbar-tools
## (make interop installs it when run as root).
.PHONY: bench-qr
bench-qr:
	@mkdir -p .cache/bench
	AIRSIGN_QR_CORPUS=$(BENCH_QR_FRAMES) $(GO) test -count=1 -timeout 30m -run 'TestCorpusVsZbar' -v ./transport/qrcode | grep -v 'we miss' | tee .cache/bench/qr.txt

## release: static linux/amd64 + linux/arm64 binaries of the last commit,
## docs tarball, verify-release.sh and SHA256SUMS in dist/ (scripts/release.sh).
release:
	bash scripts/release.sh build

## reproduce: build the release twice (other directory, empty GOCACHE) and
## fail unless both SHA256SUMS are identical.
reproduce:
	bash scripts/release.sh reproduce

## docs: man pages (docs/man) and shell completions (docs/completions) from
## the cobra command trees; the page date is the last commit's.
docs:
	$(GO) run ./cmd/internal/gendocs -out docs -date $$(git log -1 --format=%cs 2>/dev/null || echo 2000-01-01)

clean:
	rm -rf $(BIN) .cache/regtest

## interop: install the reference implementations (scripts/interop: npm
## packages into .cache/interop; Electrum, zbar when root) and check that
## they read what airsign writes and airsign reads theirs. AIRSIGN_INTEROP=1
## makes a missing tool an error instead of a skip.
.PHONY: interop
interop:
	bash scripts/interop/install.sh
	AIRSIGN_INTEROP=1 $(GO) test -count=1 -run Interop ./transport ./cmd/airsign-offline
	bash scripts/regtest.sh install
	AIRSIGN_INTEROP=1 AIRSIGN_REGTEST=1 $(GO) test -count=1 -run Interop ./cmd/airsign-online
