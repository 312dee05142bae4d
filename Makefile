# followthrough: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/pytest

.PHONY: demo test lint unit integration e2e browser faults soak bench install system-deps schemas clean stack-stop

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

## demo: a local broker, the three services, a mail catcher and the example; Ctrl-C stops all.
demo: install
	$(BIN)/followthrough demo

# Debian's chromium for the browser tests (Playwright's own browser download does not work here).
# PostgreSQL and the Kafka jars are installed by deploy/local/*.sh when the tests start them.
system-deps:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## lint: ruff, and the layer rules (import-linter contracts in pyproject.toml).
lint: install
	$(BIN)/ruff check services schemas devtools tests bench
	$(BIN)/lint-imports

## test: the lint, then the whole suite against real Kafka, PostgreSQL, SMTP and Chromium (started by the tests).
## The fault suite runs FT_FAULT_N recommendations per scenario (500 here; `make soak` runs 2,000).
test: install system-deps lint
	FT_FAULT_N=$${FT_FAULT_N:-500} $(PYTEST) -q

unit: install
	$(PYTEST) -q tests/unit

integration: install
	$(PYTEST) -q tests/integration

e2e: install
	$(PYTEST) -q tests/e2e

browser: install system-deps
	$(PYTEST) -q tests/browser

faults: install
	FT_FAULT_N=$${FT_FAULT_N:-500} $(PYTEST) -q -s tests/faults

## soak: the fault suite at full size, 2,000 recommendations per scenario, and the time machine
## with 5,000 examples per database (together about an hour and a half here).
soak: install
	FT_FAULT_N=2000 $(PYTEST) -q -s tests/faults
	FT_TIME_MACHINE_EXAMPLES=5000 $(PYTEST) -q -p no:logging --hypothesis-show-statistics tests/integration/tracker/test_time_machine.py

## bench: every benchmark; each prints its baseline, its result and the ratio.
bench: install
	for b in tracker_ingest scan_cost lapse_to_inbox panel_page intake_post replay_rate row_sizes; do $(BIN)/python bench/$$b.py || exit 1; done

schemas: install
	$(BIN)/followthrough schemas export

## stack-stop: stop the broker and database the tests leave running with FT_KEEP_STACK=1.
stack-stop:
	KAFKA_PORT=19092 FOLLOWTHROUGH_RUN_DIR=/tmp/followthrough-test deploy/local/kafka.sh stop
	PG_PORT=15433 FOLLOWTHROUGH_RUN_DIR=/tmp/followthrough-test deploy/local/postgres.sh stop

clean:
	rm -rf $(VENV) .run test-artifacts .pytest_cache .hypothesis
