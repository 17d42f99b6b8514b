# Jiefen: `make run` sets everything up and serves on http://127.0.0.1:$(PORT);
# `make test` sets up the same way and runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app app
STAMP  := $(VENV)/.installed

.PHONY: install translations setup run test e2e screenshots bench bench-reports clean messages vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Compile every catalogue: the core's and each plugin's.
translations: install
	$(BIN)/pybabel compile --use-fuzzy -d translations
	for d in plugins/*/translations examples/*/*/translations; do $(BIN)/pybabel compile -d $$d; done

setup: translations
	$(FLASK) jiefen setup

# Plain HTTP on the loopback interface: session cookies cannot be `Secure` here.
# Behind TLS in production, leave JIEFEN_COOKIE_SECURE unset (it defaults to on).
run: setup
	JIEFEN_COOKIE_SECURE=0 $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: translations
	$(BIN)/pytest -q -p no:cacheprovider

# Browser tests: Debian's Chromium (/usr/bin/chromium) against a real server on 127.0.0.1,
# set up afresh with the demo data. `make test` leaves them out.
e2e: translations
	$(BIN)/pytest -q -p no:cacheprovider -m e2e tests/e2e

# Screenshots of the key pages into docs/screenshots/ (a fresh server with the demo data).
screenshots: translations
	$(BIN)/python tools/screenshots.py docs/screenshots

bench: translations
	$(BIN)/python bench/case_list.py

# Report pages and exports at 100,000 cases against their raw SQL, and the exports' peak RSS
# (JIEFEN_BENCH_DATABASE_URL=postgresql+psycopg://… runs it on PostgreSQL; --cases N to change).
bench-reports: translations
	$(BIN)/python bench/reports.py $(BENCH_ARGS)

# Refresh the JavaScript vendored into app/static/vendor/ from the npm registry (the app
# itself never loads anything from an outside host). The files are committed.
ECHARTS_VERSION ?= 5.6.0
vendor:
	rm -rf /tmp/jiefen-vendor && mkdir -p /tmp/jiefen-vendor
	cd /tmp/jiefen-vendor && npm pack --silent echarts@$(ECHARTS_VERSION) && tar xzf echarts-$(ECHARTS_VERSION).tgz
	cp /tmp/jiefen-vendor/package/dist/echarts.min.js /tmp/jiefen-vendor/package/LICENSE app/static/vendor/echarts/
	echo "echarts $(ECHARTS_VERSION) from the npm registry (npm pack echarts@$(ECHARTS_VERSION)), dist/echarts.min.js; refresh with: make vendor" > app/static/vendor/echarts/VERSION

clean:
	rm -rf $(VENV) instance .pytest_cache

# Re-extract messages after changing user-visible text, then translate the .po files.
# Babel parses the zh_CN locale as zh_Hans_CN, so that is the catalogue folder's name.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o translations/messages.pot --no-location --sort-output --project jiefen .
	for l in zh_Hans_CN en; do \
	  if [ -f translations/$$l/LC_MESSAGES/messages.po ]; then $(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations -l $$l; \
	  else $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$l; fi; done
	for p in plugins/*/; do \
	  $(BIN)/pybabel extract -F plugins/babel.cfg -k _ -k lazy_gettext -o $$p/translations/messages.pot --no-location --sort-output $$p; \
	  for l in zh_Hans_CN en; do \
	    if [ -f $$p/translations/$$l/LC_MESSAGES/messages.po ]; then $(BIN)/pybabel update --no-fuzzy-matching -i $$p/translations/messages.pot -d $$p/translations -l $$l; \
	    else $(BIN)/pybabel init -i $$p/translations/messages.pot -d $$p/translations -l $$l; fi; done; done
