# followthrough: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/pytest

.PHONY: demo test unit integration e2e browser install system-deps schemas clean stack-stop

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

## test: the whole suite against real Kafka, PostgreSQL, SMTP and Chromium (started by the tests).
test: install system-deps
	$(PYTEST) -q

unit: install
	$(PYTEST) -q tests/unit

integration: install
	$(PYTEST) -q tests/integration

e2e: install
	$(PYTEST) -q tests/e2e

browser: install system-deps
	$(PYTEST) -q tests/browser

schemas: install
	$(BIN)/followthrough schemas export

## stack-stop: stop the broker and database the tests leave running with FT_KEEP_STACK=1.
stack-stop:
	KAFKA_PORT=19092 FOLLOWTHROUGH_RUN_DIR=/tmp/followthrough-test deploy/local/kafka.sh stop
	PG_PORT=15433 FOLLOWTHROUGH_RUN_DIR=/tmp/followthrough-test deploy/local/postgres.sh stop

clean:
	rm -rf $(VENV) .run test-artifacts .pytest_cache .hypothesis
