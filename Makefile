# Accredit: the two commands are `make run` and `make test`.
GO        ?= go
BIN       := bin
DATA_DIR  ?= ./data
STATICCHECK_VERSION := v0.8.2

.PHONY: run build test vet bench lint fmt clean

run: build ## start accreditd on the embedded default (./data, 127.0.0.1:8080)
	ACCREDIT_DATA_DIR=$${ACCREDIT_DATA_DIR:-$(DATA_DIR)} $(BIN)/accreditd

build:
	$(GO) build -o $(BIN)/accreditd ./cmd/accreditd
	$(GO) build -o $(BIN)/accredit ./cmd/accredit

test: vet ## vet, then every test with the race detector (JetStream ones included)
	$(GO) test -race -count=1 -timeout 20m ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (echo "gofmt needed:"; gofmt -l .; exit 1)
	$(GO) vet ./...

bench: ## event store and read side against raw JetStream in the same run; encryption cost; memory per upload
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./domain/natsstore/ ./projections/...
	$(GO) test -run '^$$' -bench . -benchmem ./domain/pii/
	$(GO) test -run '^$$' -bench UploadRSS -benchtime 1x ./api/ # RSS growth per concurrent 20 MiB upload and download

# S1016 is off: events are stable contracts, spelled out field by field
# rather than converted from command inputs that may grow.
lint: ## staticcheck, installed by this target
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -checks inherit,-S1016 ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)

.PHONY: screenshots
screenshots: ## PNGs of the main pages of each role (laptop and phone, English and Dutch) in screenshots/
	ACCREDIT_SCREENSHOTS=$(CURDIR)/screenshots $(GO) test -count=1 -run 'TestBrowser' ./api/web/
