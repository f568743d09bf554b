# Advanced Therapies — the two commands a newcomer needs are `make book` and `make test`.
# Everything else is for maintainers. Nothing here depends on anything installed by hand:
# the virtual environment, the pinned Python packages, the vendored JavaScript and the
# browser for the site tests are all created or installed on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON3  ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
UV       := $(VENV)/bin/uv
UV_VERSION := 0.13.9
STAMP    := $(VENV)/.installed-stamp
VENDOR   := _vendor
VSTAMP   := $(VENDOR)/.vendored-stamp
JB       := $(VENV)/bin/jupyter-book
BOOK_FLAGS := -W -n --keep-going
CHROMIUM ?= /usr/bin/chromium

.PHONY: help
help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- environment
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@# --compile-bytecode matters here: PYTHONDONTWRITEBYTECODE=1 is set on these machines, and
	@# a venv without .pyc files makes every kernel and build about 2.5x slower.
	$(UV) pip install --quiet --python $(PY) --compile-bytecode -r requirements.txt -r requirements-dev.txt
	$(UV) pip install --quiet --python $(PY) --compile-bytecode --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@

.PHONY: venv
venv: $(STAMP)  ## create .venv and install the pinned packages

# JavaScript the HTML book needs offline (MathJax, the widget manager), from the npm registry,
# copied into _vendor/ (not _static/: Jupyter Book 1 would inject every file into every page).
$(VSTAMP): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/mathjax $(VENDOR)/widgets
	cp node_modules/mathjax/es5/tex-mml-chtml.js $(VENDOR)/mathjax/
	cp -r node_modules/mathjax/es5/output $(VENDOR)/mathjax/
	cp node_modules/requirejs/require.js $(VENDOR)/widgets/
	cp node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js $(VENDOR)/widgets/
	@# embed-amd.js loads its icon fonts relative to the page, from <page folder>/@jupyter-widgets/
	@# and <page folder>/@jupyter-widgets/html-manager/dist/ (its webpack public path is the URL of
	@# the AMD module that asks); _config.yml's html_extra_path copies these into the site so
	@# those requests do not 404. (A dot folder: the copy of _vendor into _static/ skips it.)
	for d in book notebooks; do for f in $(VENDOR)/.site-root/$$d/@jupyter-widgets{,/html-manager/dist}; do \
	  mkdir -p $$f && cp node_modules/@jupyter-widgets/html-manager/dist/*.{woff2,woff,ttf} $$f/; done; done
	@touch $@

.PHONY: vendor
vendor: $(VSTAMP)

# ---------------------------------------------------------------- the book
.PHONY: book
# jupyter-cache re-executes a notebook only when its code changes, but every chapter's output
# also depends on the atmp package and the data: when either changes, drop the cache.
CACHE_INPUTS := $(shell find atmp data notebooks/quizzes -type f -not -path '*/__pycache__/*' 2>/dev/null)
CACHE_STAMP  := _build/.cache-inputs-stamp
$(CACHE_STAMP): $(CACHE_INPUTS)
	rm -rf _build/.jupyter_cache _build/.doctrees
	@mkdir -p _build && touch $@

book: $(STAMP) $(VSTAMP) $(CACHE_STAMP)  ## build the HTML book into _build/html (notebooks executed, cached), with handouts and slides
	@$(MAKE) --no-print-directory chromium || echo "(the PDF handouts need Chromium; building the rest of the book)"
	ATMP_BOOK_BUILD=1 $(JB) build . $(BOOK_FLAGS)
	$(PY) tools/reader_notebooks.py build
	@if [ -x $(CHROMIUM) ]; then $(PY) tools/handouts.py; else echo "handouts skipped: no Chromium at $(CHROMIUM)"; fi
	$(PY) tools/slides.py
	@echo "Open _build/html/index.html in a browser."

.PHONY: book-strict
book-strict: $(STAMP) $(VSTAMP) $(CACHE_STAMP) chromium  ## the book gate: every page re-read, warnings are errors
	@# --all re-reads every page so no warning hides behind an incremental build;
	@# the execution cache still spares unchanged notebooks.
	ATMP_BOOK_BUILD=1 $(JB) build . --all $(BOOK_FLAGS)
	$(PY) tools/reader_notebooks.py build
	$(PY) tools/handouts.py
	$(PY) tools/slides.py

# ---------------------------------------------------------------- tests
.PHONY: lint
lint: $(STAMP)  ## ruff on the package, the tests, the tools and the notebooks
	$(VENV)/bin/ruff check atmp tests tools notebooks

.PHONY: unit
unit: $(STAMP)  ## unit and data tests, and the docstring examples
	$(PY) -m pytest tests/unit tests/data -q -p no:cacheprovider -n 2
	$(PY) -m pytest --doctest-modules atmp -q -p no:cacheprovider

.PHONY: gate-test
gate-test: $(STAMP)  ## the strict gate itself: tiny books with a broken reference or a failing cell must fail
	$(PY) -m pytest tests/build -q -p no:cacheprovider

.PHONY: notebooks-test
notebooks-test: $(STAMP)  ## every chapter notebook executed (pytest --nbval-lax)
	$(PY) -m pytest --nbval-lax --nbval-current-env -n 2 --dist loadscope notebooks -q -p no:cacheprovider

.PHONY: chromium
# Debian's Chromium for the browser tests and the PDF handouts. As root it is installed with
# apt-get; as a user, only through sudo that needs no password (sudo -n). Otherwise one line
# says what to do and the target fails: nothing here prompts for a password.
chromium:  ## install Debian's Chromium if it is missing (browser tests, handouts)
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "chromium: $(CHROMIUM) is missing and installing it needs root: run 'sudo apt-get install chromium' or set CHROMIUM=/path/to/chromium" >&2; exit 1; fi; \
	  echo "Installing Debian's chromium"; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Browser tests of the built book (after `make book`): every page of _toc.yml in headless
# Chromium, light and dark. `make screenshots` saves each page, light and dark, as well.
.PHONY: site-test
site-test: $(STAMP) chromium  ## browser tests of the built book (after make book)
	$(PY) -m pytest tests/site -m site -q -p no:cacheprovider

# The live experience (issue 17): a Binder-like environment built from runtime.txt,
# requirements.txt and postBuild into _build/live-env/ (rebuilt when one of them changes;
# ATMP_LIVE_FRESH=1 forces it), JupyterLab on 127.0.0.1, every reader notebook run in Chromium.
.PHONY: live-test
live-test: $(STAMP) chromium  ## reader notebooks run in JupyterLab in a Binder-like environment
	$(PY) -m pytest tests/live -q -p no:cacheprovider

.PHONY: screenshots
screenshots: $(STAMP) chromium  ## screenshots of every page, light, dark and on a phone, in _build/screenshots/
	ATMP_SCREENSHOTS=1 $(PY) -m pytest tests/site/test_site_pages.py -q -p no:cacheprovider \
	  -k "test_page_loads or test_dark_mode_page_is_dark_and_clean or test_phone_page_is_clean"
	@echo "Screenshots in _build/screenshots/"

.PHONY: bench
bench: $(STAMP) $(VSTAMP)  ## time notebooks, builds and widgets, weigh pages (not part of make test)
	$(PY) tools/bench.py

.PHONY: test
test: chromium lint unit gate-test notebooks-test book-strict site-test live-test  ## lint, unit, notebook, strict-build, browser and live tests

# ---------------------------------------------------------------- maintenance
.PHONY: lock
lock:  ## re-pin requirements*.txt from requirements*.in (needs the network)
	$(UV) pip compile --python-version 3.11 --quiet requirements.in -o requirements.txt
	$(UV) pip compile --python-version 3.11 --quiet requirements-dev.in -o requirements-dev.txt

# The monthly edition (docs/architecture.md §4, CONTRIBUTING.md): download EMA's medicines report
# (JSON), print how it differs from data/, and write the new edition only with the maintainer's
# yes: APPLY=1 (the scheduled workflow), or a "y" typed at the terminal. The report, with what
# --apply wrote and what it left for curation, is kept in $(REFRESH_REPORT) (the workflow's PR
# body). Without the network: one line, exit 1, nothing written.
EMA_JSON_URL   := https://www.ema.europa.eu/en/documents/report/medicines-output-medicines_json-report_en.json
REFRESH_EXPORT ?= _build/refresh/ema-medicines.json
REFRESH_REPORT ?= _build/refresh/report.md
REFRESH_FROM ?=# an export already downloaded (JSON or XLSX with REFRESH_DATE=YYYY-MM-DD), instead of the download
REFRESH_DATE ?=
APPLY ?=
REFRESH_ARGS = $(REFRESH_EXPORT) $(if $(REFRESH_DATE),--export-date $(REFRESH_DATE))

.PHONY: refresh
refresh: $(STAMP)  ## monthly edition: download EMA's export, reconcile, write it with APPLY=1 or a yes (needs the network)
	@mkdir -p $(dir $(REFRESH_EXPORT)) $(dir $(REFRESH_REPORT))
	@tmp=$$(mktemp "$(dir $(REFRESH_EXPORT)).download-XXXXXX"); \
	if [ -n "$(REFRESH_FROM)" ]; then cp "$(REFRESH_FROM)" "$$tmp"; \
	elif ! curl -fsSL --connect-timeout 20 --max-time 300 -o "$$tmp" "$(EMA_JSON_URL)" 2>/dev/null; then \
	  rm -f "$$tmp"; echo "refresh: cannot download $(EMA_JSON_URL) (no network?); nothing written" >&2; exit 1; fi; \
	mv "$$tmp" $(REFRESH_EXPORT)
	@$(PY) -m atmp.ema reconcile $(REFRESH_ARGS)
	@apply="$(APPLY)"; \
	if [ -z "$$apply" ] && [ -t 0 ]; then read -r -p "Write this edition into data/ (events, ledger, data_as_of)? [y/N] " yn; \
	  case "$$yn" in [yY]*) apply=1;; esac; fi; \
	if [ "$$apply" = 1 ]; then \
	  $(PY) -m atmp.ema reconcile $(REFRESH_ARGS) --apply > $(REFRESH_REPORT).txt; \
	  { echo "Monthly refresh of the data from EMA's medicines export (\`make refresh APPLY=1\`)."; echo; \
	    echo "Before merging: curate every row marked NEEDS CURATION and every line under *Needs curation* (\`python -m atmp.data\` lists what the rows lack), then \`make test\`."; echo; \
	    echo '```text'; cat $(REFRESH_REPORT).txt; echo '```'; } > $(REFRESH_REPORT); \
	  sed -n '/^applied:/,$$p' $(REFRESH_REPORT).txt; echo "Report: $(REFRESH_REPORT)"; \
	else echo; echo "Nothing was written. To write the edition: make refresh APPLY=1 (or $(PY) -m atmp.ema reconcile $(REFRESH_ARGS) --apply)"; fi

.PHONY: refresh-data
refresh-data:  ## the report of make refresh only (never writes)
	@$(MAKE) --no-print-directory refresh APPLY=0

.PHONY: handouts
handouts: $(STAMP) chromium  ## per chapter, a student handout and an instructor key (PDF) in _build/html/handouts/
	$(PY) tools/handouts.py

.PHONY: slides
slides: $(STAMP)  ## per chapter, a slide deck for projection in _build/html/slides/ (after make book)
	@test -f _build/html/index.html || $(MAKE) book
	$(PY) tools/slides.py

.PHONY: clean
clean:  ## remove the built book and caches (keeps .venv)
	rm -rf _build $(VENDOR) node_modules .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +

.PHONY: distclean
distclean: clean  ## also remove .venv
	rm -rf $(VENV)
