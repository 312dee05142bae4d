# followthrough: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/pytest

.PHONY: demo test lint unit integration e2e browser faults soak bench install system-deps schemas docs clean stack-stop upgrade messages compile-messages

install: $(VENV)/.installed

# `.[dev]`: the services, the demo extra (the mail catcher) and the test tools. A production
# install is `pip install .`, which has none of them.
# The sign-in tests' OpenID provider (the npm `oidc-provider`) comes from its committed lock file.
$(VENV)/.installed: pyproject.toml tests/support/oidc/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	cd tests/support/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## demo: a local broker, the four services, a mail catcher, a webhook receiver, the example and its force's OpenID provider
## (node; without it, email links only); Ctrl-C (SIGTERM, SIGHUP too)
## stops all within 10 s. Taken ports are named and nothing starts; `make demo DEMO_ARGS="--port-offset 100"`
## runs a second one beside the first.
DEMO_ARGS ?=
demo: install
	$(BIN)/followthrough demo $(DEMO_ARGS)

# Debian's chromium for the browser tests (Playwright's own browser download does not work here).
# PostgreSQL and the Kafka jars are installed by deploy/local/*.sh when the tests start them.
system-deps:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@# WeasyPrint (the report's PDF) loads pango through cffi: chromium brings libpango-1.0-0 but not
	@# libpangoft2-1.0-0; DejaVu draws every Welsh letter (ŵ, ŷ).
	@dpkg -s libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1 || { echo "installing pango for WeasyPrint"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
	    fonts-dejavu-core >/dev/null; }

## lint: ruff, and the layer rules (import-linter contracts in pyproject.toml).
## messages: extract every marked string into each service's catalogue and add new ones to the Welsh
## (services/<service>/locale/cy/LC_MESSAGES/messages.po); then translate the empty msgstr entries.
CATALOGUES := common intake tracker notifier
messages: install
	@for s in $(CATALOGUES); do \
	  $(BIN)/pybabel --quiet extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
	    -o services/$$s/locale/messages.pot services/$$s || exit 1; \
	  if [ -f services/$$s/locale/cy/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel --quiet update --no-fuzzy-matching --ignore-obsolete -i services/$$s/locale/messages.pot \
	      -d services/$$s/locale -l cy || exit 1; \
	  else $(BIN)/pybabel --quiet init -i services/$$s/locale/messages.pot -d services/$$s/locale -l cy || exit 1; fi; \
	done

## compile-messages: the catalogues as .mo files with their statistics (the services read the .po directly).
compile-messages: install
	@for s in $(CATALOGUES); do $(BIN)/pybabel compile --statistics -d services/$$s/locale || exit 1; done

lint: install
	$(BIN)/ruff check services schemas devtools tests bench
	$(BIN)/lint-imports

## test: the lint, then the whole suite against real Kafka, PostgreSQL, SMTP and Chromium (started by the tests:
## in Docker with testcontainers when an engine answers, else through deploy/local; FT_STACK=local|containers).
## The fault suite runs FT_FAULT_N recommendations per scenario (500 here; `make soak` runs 2,000); on the
## three-broker cluster (deploy/local/kafka-cluster.sh) it runs broker_kill (FT_CLUSTER_SCENARIOS).
## Two runs on one stack: first the two fault scenarios that restart the shared broker and database
## (marked `alone` in tests/conftest.py), while the broker holds few partitions; then everything else on two
## pytest-xdist workers, most of whose tests wait on services, the broker and the database rather than
## compute: the heavy group (the rest of the fault suite, the cluster scenario, the time machine, the upgrade
## test) one after another on one worker, every other file on whichever worker is free. Both runs always run
## (the first may select nothing: FT_FAULT_SCENARIOS without the restarts).
test: install system-deps lint
	@status=0; \
	FT_KEEP_STACK=1 FT_FAULT_N=$${FT_FAULT_N:-500} $(PYTEST) -q --durations=5 -m alone || { s=$$?; [ $$s -eq 5 ] || status=$$s; }; \
	FT_FAULT_N=$${FT_FAULT_N:-500} FT_CLUSTER_SCENARIOS=$${FT_CLUSTER_SCENARIOS:-broker_kill} \
	  $(PYTEST) -q --durations=30 -n 2 --dist loadscope --no-loadscope-reorder -m 'not alone' || status=$$?; \
	exit $$status

unit: install
	$(PYTEST) -q -n 2 tests/unit

integration: install
	$(PYTEST) -q tests/integration

e2e: install
	$(PYTEST) -q tests/e2e

browser: install system-deps
	$(PYTEST) -q tests/browser

## upgrade: each earlier release in deploy/releases.toml installed from git, run on PostgreSQL and the broker,
## then upgraded to this checkout (tests/upgrade; also part of `make test`).
upgrade: install
	$(PYTEST) -q -s tests/upgrade

faults: install
	FT_FAULT_N=$${FT_FAULT_N:-500} $(PYTEST) -q -s tests/faults

## soak: the fault suite at full size, 2,000 recommendations per scenario (both cluster scenarios:
## a broker killed, the controller quorum's leader killed), and the time machine with 5,000 examples
## per database (together about an hour and a half here).
soak: install
	FT_FAULT_N=2000 FT_CLUSTER_SCENARIOS=broker_kill,quorum_leader_stop $(PYTEST) -q -s tests/faults
	FT_TIME_MACHINE_EXAMPLES=5000 $(PYTEST) -q -p no:logging --hypothesis-show-statistics tests/integration/tracker/test_time_machine.py

## bench: every benchmark; each prints its baseline, its result and the ratio.
bench: install
	for b in tracker_ingest faust_ceiling scan_cost lapse_to_inbox panel_page me_page report_render intake_post replay_rate row_sizes; do $(BIN)/python bench/$$b.py || exit 1; done

schemas: install
	$(BIN)/followthrough schemas export

## docs: rewrite docs/contract.md's generated tables (settings, policy, events, endpoints, commands, problems)
## from the code; `$(BIN)/python -m devtools.contractdocs --check` only says which are stale.
docs: install
	$(BIN)/python -m devtools.contractdocs

## stack-stop: stop the broker, the cluster and the database the tests leave running with FT_KEEP_STACK=1.
stack-stop:
	KAFKA_PORT=19092 FOLLOWTHROUGH_RUN_DIR=/tmp/followthrough-test deploy/local/kafka.sh stop
	PG_PORT=15433 FOLLOWTHROUGH_RUN_DIR=/tmp/followthrough-test deploy/local/postgres.sh stop
	KAFKA_CLUSTER_PORT=19101 FOLLOWTHROUGH_RUN_DIR=/tmp/followthrough-test deploy/local/kafka-cluster.sh stop

clean:
	rm -rf $(VENV) .run test-artifacts .pytest_cache .hypothesis tests/interop/asyncapi/node_modules tests/support/oidc/node_modules tests/interop/java/target
