# salyq — build, test, fuzz, benchmark.
GO       ?= go
# A count of executions, not a duration: with a duration, Go 1.26's fuzz
# coordinator can report "context deadline exceeded" as a failure when
# the time runs out while a worker is mid-call (golang/go#75804, fixed in
# Go 1.27), without any failing input. 30,000 runs take 1–25 s a target.
FUZZTIME ?= 30000x
BENCHTIME ?= 1s

.PHONY: build test vet lint fmt fuzz bench

build:
	$(GO) build ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# staticcheck, pinned, fetched through the module proxy: it found a
# holder-info write error that was dropped, a test check of a value
# against itself and dead test code that vet does not see.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) run $(STATICCHECK) ./...

# The README's test command: formatting, vet, staticcheck, every test (real oracles:
# xmlsec1, xmllint, gostsum; see .ci/run for the packages). The chaos test
# in test/ takes minutes of its own: past go test's default 10m per package.
test: fmt vet lint
	$(GO) test -count=1 -timeout 20m ./...

# Each fuzz target for FUZZTIME runs (go test -fuzz takes one target at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x $$pkg; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) ./...
