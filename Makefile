# Invoices Serverless: the commands a developer and CI use.
#   make run     set up, build and start `invoices serve` (http://127.0.0.1:8080)
#   make test    set up, build, check formatting, run every test
#   make bench   accuracy and speed over shared/datasets/sroie-dev, tokens,
#                signing, storage and listing (docs/BENCHMARKS.md)
#   make asan    build and run the unit tests under ASan + UBSan
SHELL := /bin/bash
PRESET ?= release
BUILD := build/$(PRESET)
BIN := $(BUILD)/invoices

.PHONY: deps deps-runtime build run test format format-check unit unit-s3 e2e bench asan clean

deps:
	scripts/install-deps

deps-runtime:
	scripts/install-deps --runtime

build:
	@test -f $(BUILD)/build.ninja || cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

run: deps
	$(MAKE) build PRESET=release
	build/release/invoices serve $(ARGS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files -co --exclude-standard '*.cpp' '*.h') \
	  && echo "format: clean"

unit: build
	ctest --preset $(PRESET) -j2

# The ObjectStore contract suite against s3rver, a real S3-compatible server:
# tests/lib/s3rver.mjs starts it (free loopback port, temporary folder, bucket
# made), runs the suite with INVOICES_TEST_S3_URL and the AWS_* variables set,
# stops it and exits with the suite's status. What s3rver 3.7.1 lacks is left
# out, and said so (those tests run against the in-process fake S3 instead).
S3RVER_LACKS := IfNoneMatchStar IfMatch ConcurrentIfNoneMatchHasOneWinner \
  ConcurrentIfMatchLosesNoUpdate ListInKeyOrderWithPrefixAndPages PresignedUrlServesTheObject
unit-s3: build
	@echo "unit-s3: left out against s3rver 3.7.1, which ignores If-None-Match/If-Match on PUT," \
	  "lists folder by folder rather than in byte order, and does not verify signatures:" \
	  "$(S3RVER_LACKS)"
	node tests/lib/s3rver.mjs -- $(BUILD)/store_test \
	  --gtest_filter='Backends/ObjectStoreContractTest.*/s3:-$(shell echo $(S3RVER_LACKS) | sed 's/\([A-Za-z]*\)/*.\1\/s3/g; s/ /:/g')'

e2e: build
	INVOICES_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 tests/

test: deps format-check
	$(MAKE) build
	$(MAKE) unit
	$(MAKE) unit-s3
	$(MAKE) e2e

bench: deps build
	$(BUILD)/bench/scan_bench --dataset ../shared/datasets/sroie-dev --jobs 1,2 --tesseract-cli
	$(BUILD)/bench/auth_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	$(BUILD)/bench/sigv4_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	D=$$(mktemp -d) && $(BUILD)/bench/store_bench --store file://$$D; rm -rf $$D
	D=$$(mktemp -d) && $(BUILD)/bench/list_bench --invoices 10000 --dir $$D; rm -rf $$D

asan:
	$(MAKE) build PRESET=asan
	ctest --preset asan -j2

clean:
	rm -rf build
