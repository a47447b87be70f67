# bestpersons-cli: set-up, tests and the main job. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= corpus
OUT ?= digest

.PHONY: setup model test digest bench clean

setup: $(BIN)/bp model

$(BIN)/bp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(BIN)/bp

# nl_core_news_sm is not on PyPI: install the pinned release wheel where the network allows,
# otherwise say so in one line and go on (bp then runs on its fallback pipeline).
model: $(BIN)/bp
	@if $(BIN)/python -c "import nl_core_news_sm" 2>/dev/null; then \
		echo "nl_core_news_sm is installed"; \
	elif $(BIN)/python -m pip install --quiet --no-deps --require-hashes --retries 0 --timeout 15 \
		-r requirements-model.txt >/dev/null 2>&1; then \
		echo "nl_core_news_sm 3.8.0 installed (sha256 verified)"; \
	else \
		echo "nl_core_news_sm could not be downloaded (offline?): bp will use its fallback pipeline; run 'make model' where the network allows"; \
	fi

test:
	$(BIN)/python -m pytest -q

digest:
	$(BIN)/bp run $(CORPUS) --out $(OUT)

# scale.py writes benchmarks/RESULTS.md (speed and memory per stage at 1x, 10x, 50x, beside
# the bare spaCy limit). BP_DEVSET: a real-text development set in the gold format, kept outside the repository
# (someone else's sentences); see docs/evaluation.md.
bench:
	$(BIN)/python benchmarks/ud_eval.py
	$(BIN)/python benchmarks/written_agreement.py
	$(BIN)/bp ingest $(CORPUS)
	$(BIN)/bp train --compare
	$(BIN)/python benchmarks/scale.py --stand-in --workers-check
	$(BIN)/python benchmarks/large_file.py --megabytes 50
	@if [ -n "$(BP_DEVSET)" ]; then \
		$(BIN)/python benchmarks/generalization.py --dev "$(BP_DEVSET)"; \
	else \
		echo "BP_DEVSET is not set: skipping benchmarks/generalization.py (needs a local development set, see docs/evaluation.md)"; \
	fi

clean:
	rm -rf .bp $(OUT) .pytest_cache
