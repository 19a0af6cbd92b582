# Accredit: the two commands are `make run` and `make test`.
GO        ?= go
BIN       := bin
DATA_DIR  ?= ./data
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.9.0
VULNCHECK_TIMEOUT   ?= 300
FUZZTIME            ?= 30s
# Every fuzz target, package:Function; `make fuzz` refuses to run when a
# FuzzXxx in the tree is missing here.
FUZZ_TARGETS := ./api:FuzzBindJSON ./api:FuzzPathAndQuery ./api:FuzzEvidenceUpload ./api:FuzzAuditExport \
	./domain/evidence:FuzzCheck ./domain/natsstore:FuzzDecodeCommit ./domain/natsstore:FuzzDecodeChainedIsTheGeneralDecoder ./domain/accreditation:FuzzApply \
	./domain/pii:FuzzOpenFile ./domain/pii:FuzzRevealTree ./domain/pii:FuzzASealedValueIsWrittenAsEncodingJSONWritesIt ./domain/eventstore:FuzzIsCompactJSON \
	./projections/search:FuzzMayConcernNeverPassesOverWhatTheIndexReads

.PHONY: run build test vet bench bench-quick lint vulncheck fuzz fmt clean faults seed

run: build ## start accreditd on the embedded default (./data, 127.0.0.1:8080)
	ACCREDIT_DATA_DIR=$${ACCREDIT_DATA_DIR:-$(DATA_DIR)} $(BIN)/accreditd

# make seed: a made-up, realistic data set (users of every role, cases in
# every state) written straight into DATA_DIR, new or of a stopped accreditd.
SEED_CASES ?= 2000
SEED_USERS ?= 1000
SEED       ?= 1
seed: build ## make up a data set in DATA_DIR (SEED_CASES, SEED_USERS, SEED); refuses a store with data
	$(BIN)/accredit seed --data-dir $${ACCREDIT_DATA_DIR:-$(DATA_DIR)} --cases $(SEED_CASES) --users $(SEED_USERS) --seed $(SEED)

build:
	$(GO) build -o $(BIN)/accreditd ./cmd/accreditd
	$(GO) build -o $(BIN)/accredit ./cmd/accredit

# The timeout catches a hang, not a slow machine: the api suite took 18 min
# on this 2-core machine at load 35 (5 min when quiet), and a busy CI
# machine must not fail a green suite.
test: vet ## vet, then every test with the race detector (JetStream ones included)
	$(GO) test -race -count=1 -timeout 45m ./...

faults: ## the fault suite: kill -9, a lost NATS node, NATS down, a slow link, reads in a restart (deploy/faults)
	ACCREDIT_FAULTS=1 $(GO) test -count=1 -v -timeout 15m ./deploy/faults/

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (echo "gofmt needed:"; gofmt -l .; exit 1)
	$(GO) vet ./...

# make bench: every benchmark of issue 14 at full scale (100k cases, 100k
# users: long), its output in bin/bench.txt, then one table of every figure
# against its raw-JetStream counterpart and target (cmd/benchtable) on
# screen and in bin/bench.md. A benchmark that fails or is not run leaves
# "not run" in its rows, and the target fails after printing the table.
# make bench-quick: the same at small scales (BENCH_QUICK_ENV), minutes.
BENCH_ENV ?=
BENCH_QUICK_ENV := ACCREDIT_BENCH_CASES=2000 ACCREDIT_BENCH_USERS=2000 ACCREDIT_BENCH_USERS_LARGE=10000 ACCREDIT_BENCH_MILLION_CASES=2000 ACCREDIT_BENCH_SECONDS=3
BENCH_TXT := $(BIN)/bench.txt
BENCH_GO  = env $(BENCH_ENV) $(GO) test -run '^$$' -benchtime 1x
bench: ## every benchmark of issue 14 (long: 100k cases and users), then one table of the figures vs raw JetStream into bin/bench.md
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/benchtable ./cmd/benchtable
	env $(BENCH_ENV) $(BIN)/benchtable -mark start > $(BENCH_TXT)
	# the event store and the read side against raw JetStream in the same run
	$(BENCH_GO) -bench . -timeout 30m ./domain/natsstore/ ./projections/... 2>&1 | tee -a $(BENCH_TXT)
	# the cost of sealing personal data
	env $(BENCH_ENV) $(GO) test -run '^$$' -bench . -benchmem ./domain/pii/ 2>&1 | tee -a $(BENCH_TXT)
	# RSS growth per concurrent 20 MiB upload and download
	$(BENCH_GO) -bench UploadRSS ./api/ 2>&1 | tee -a $(BENCH_TXT)
	# GET /me and a command at 1k and 100k users (ACCREDIT_BENCH_USERS_LARGE), and their ratio
	$(BENCH_GO) -bench UsersScale -timeout 30m ./api/ 2>&1 | tee -a $(BENCH_TXT)
	# 32 clients' commands over HTTP against raw JetStream, fsync always and 1s
	$(BENCH_GO) -bench CommandsVsRawJetStream -timeout 30m ./api/ 2>&1 | tee -a $(BENCH_TXT)
	# The read side at scale: accredit seed (ACCREDIT_BENCH_CASES, _USERS: 100k each), a real accreditd,
	# 50 readers over HTTP with real logins: p50/p99 of /me, /queue, /register; cold start, stop, RSS.
	$(BENCH_GO) -bench ReadSideAtScale -timeout 90m ./cmd/accreditd/ 2>&1 | tee -a $(BENCH_TXT)
	# Start, stop and RSS at 1M events (ACCREDIT_BENCH_MILLION_CASES: 50k cases and users), with no soft
	# memory limit and with the GOMEMLIMIT deploy/kubernetes gives.
	$(BENCH_GO) -bench StartAtMillionEvents -timeout 60m ./cmd/accreditd/ 2>&1 | tee -a $(BENCH_TXT)
	env $(BENCH_ENV) $(BIN)/benchtable -mark end >> $(BENCH_TXT)
	$(BIN)/benchtable -o $(BIN)/bench.md < $(BENCH_TXT)

bench-quick: ## make bench at small scales (2k cases and users, 10k users for the ratio, 3 s loads): a few minutes
	@$(MAKE) --no-print-directory bench BENCH_ENV="$(BENCH_QUICK_ENV)"

# S1016 is off: events are stable contracts, spelled out field by field
# rather than converted from command inputs that may grow.
lint: ## staticcheck, installed by this target; then govulncheck
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -checks inherit,-S1016 ./...
	@$(MAKE) --no-print-directory vulncheck

# govulncheck needs its database (vuln.go.dev). Where that cannot be reached
# (a machine that sees only package registries) this says so and passes:
# no result is claimed either way. Found vulnerabilities fail.
vulncheck: ## govulncheck ./..., bounded by VULNCHECK_TIMEOUT seconds
	@out=$$(timeout $(VULNCHECK_TIMEOUT) $(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) ./... 2>&1); rc=$$?; \
	echo "$$out"; \
	if [ $$rc -eq 0 ]; then echo "govulncheck: no known vulnerability reaches this code"; \
	elif [ $$rc -eq 124 ] || echo "$$out" | grep -qE 'fetching vulnerabilities|no such host|dial tcp|i/o timeout|connection refused|TLS handshake'; then \
		echo "govulncheck: NOT CHECKED: the vulnerability database (vuln.go.dev) or govulncheck itself could not be reached within $(VULNCHECK_TIMEOUT)s; this is no clean result"; \
	else exit $$rc; fi

fuzz: ## every fuzz target for FUZZTIME each (default 30s); their seed corpora also run in make test
	@for f in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' . | sed 's/^func //' | sort -u); do \
		echo " $(FUZZ_TARGETS) " | grep -q ":$$f " || { echo "fuzz target $$f is not in FUZZ_TARGETS"; exit 1; }; done
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== $${t##*:} in $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t##*:}$$" -fuzztime $(FUZZTIME) $${t%%:*}; \
	done

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)

.PHONY: screenshots
screenshots: ## PNGs of the main pages of each role (laptop and phone, English and Dutch) in screenshots/
	ACCREDIT_SCREENSHOTS=$(CURDIR)/screenshots $(GO) test -count=1 -run 'TestBrowser' ./api/web/
