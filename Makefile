# Invoices Serverless: the commands a developer and CI use.
#   make run     set up, build and start `invoices serve` (http://127.0.0.1:8080)
#   make test    set up, build, check formatting, run every test
#   make bench   accuracy and speed over shared/datasets/sroie-dev
#   make asan    build and run the unit tests under ASan + UBSan
SHELL := /bin/bash
PRESET ?= release
BUILD := build/$(PRESET)
BIN := $(BUILD)/invoices

.PHONY: deps deps-runtime build run test format format-check unit e2e bench asan clean

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

e2e: build
	INVOICES_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 tests/

test: deps format-check
	$(MAKE) build
	$(MAKE) unit
	$(MAKE) e2e

bench: deps build
	$(BUILD)/bench/scan_bench --dataset ../shared/datasets/sroie-dev --jobs 1,2 --tesseract-cli

asan:
	$(MAKE) build PRESET=asan
	ctest --preset asan -j2

clean:
	rm -rf build
