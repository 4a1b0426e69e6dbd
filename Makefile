# The policy-repo workflow. `make` sets everything up on a fresh machine and
# verifies the reference spec; `make test` runs the whole suite.
PYTHON ?= python3
POLICYGEN ?= $(PYTHON) -m policygen
SPECS := $(wildcard specs/*.yaml)
DIST ?= dist

.PHONY: all install tools generate check verify test bench bench-generate bench-batching bench-cluster clean

all: install tools generate verify

# An editable install compiles nothing; compiled modules spare every later command (and, where
# PYTHONDONTWRITEBYTECODE is set, every run) about 0.1 s of compiling policygen's own source.
install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(PYTHON) -m compileall -q policygen

# Builds the pinned engines from the Go module proxy once; cached outside the repo.
tools:
	$(POLICYGEN) tools install

# Every spec under specs/ into dist/<spec name>/{rego,gatekeeper,kyverno}.
generate:
	@set -e; for spec in $(SPECS); do \
		name=$$(basename $$spec .yaml); \
		$(POLICYGEN) generate $$spec -o $(DIST)/$$name --quiet; \
	done

# Fails with a readable diff when the committed dist/ is not what `make generate` writes.
check:
	@set -e; status=0; for spec in $(SPECS); do \
		name=$$(basename $$spec .yaml); \
		$(POLICYGEN) generate $$spec -o $(DIST)/$$name --check || status=1; \
	done; \
	for dir in $(DIST)/*/; do \
		name=$$(basename $$dir); \
		[ -f specs/$$name.yaml ] || { echo "$$dir has no spec in specs/"; status=1; }; \
	done; exit $$status

verify:
	$(POLICYGEN) verify specs/reference.yaml samples/reference

test: install tools
	$(PYTHON) -m pytest -q

# Speed, reported and never asserted: batched engines against one start per resource.
# Side by side on generated workloads: BENCH_SIZE=100000 make bench (default 1000).
bench:
	POLICYGEN_BENCH_SIZE=$(or $(BENCH_SIZE),1000) $(PYTHON) bench/suite.py $(BENCH_ARGS)

# `policygen generate` in a new process each run, empty folder and rerun: python bench/generate.py --against DIR
bench-generate:
	$(PYTHON) bench/generate.py $(BENCH_ARGS)

bench-batching:
	$(PYTHON) bench/engines.py

bench-cluster:
	$(PYTHON) bench/cluster.py

clean:
	rm -rf .pytest_cache build *.egg-info
