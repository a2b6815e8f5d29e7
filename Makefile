# vnetsim: make demo (try it), make test (what CI runs).
GO          ?= go
BIN         := bin/vnetsim
OUT         := out
GOLDEN_PKGS := ./topology/... ./sim/... ./scenarios/... ./reports/... ./cmd/...

.PHONY: all build test lint fmt bench demo golden cover fuzz arrows

all: build

build:
	$(GO) build -o $(BIN) ./cmd/vnetsim

test:
	CGO_ENABLED=1 $(GO) test -race ./...

# lint is go vet, staticcheck (pinned by the tool line in go.mod, fetched
# through the module proxy) and the check that packages import only the
# stages to their left.
lint: arrows
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }

arrows:
	@sh scripts/check-imports.sh

fmt:
	gofmt -s -w .

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./topology/... ./sim/... ./scenarios/... ./reports/...

golden:
	$(GO) test $(GOLDEN_PKGS) -update
	git diff --stat -- '*/testdata/*' '*/*/testdata/*'

cover:
	$(GO) test -coverprofile=cover.out ./...
	$(GO) tool cover -func=cover.out

fuzz:
	$(GO) test -run '^$$' -fuzz=FuzzLoad -fuzztime=$${FUZZTIME:-1m} ./topology

demo: build
	@mkdir -p $(OUT)
	$(BIN) validate examples/hub-spoke.yaml
