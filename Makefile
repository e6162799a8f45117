# Two commands on a fresh machine with only Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run chat test lint bench clean

# pip prints each package as it goes, so a first install (a minute or two) is never silent.
$(STAMP): pyproject.toml
	@echo "Setting up $(VENV): installing AppealDesk and its dependencies (a minute or two the first time)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[dev]'
	@touch $(STAMP)
	@echo "$(VENV) is ready."

## The whole product on the embedded default (SQLite, sample knowledge base): the web chat and the
## console over HTTP, Telegram/Slack when configured, the delivery workers and the scheduler.
run: $(STAMP)
	$(BIN)/appealdesk run

## The freelancer's side in this terminal, without a browser.
chat: $(STAMP)
	$(BIN)/appealdesk chat

## The whole test suite. PostgreSQL tests run when APPEALDESK_TEST_POSTGRES_URL is set; otherwise one line says so.
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/mypy bot

bench: $(STAMP)
	$(BIN)/python -m benchmarks.intake
	$(BIN)/python -m benchmarks.kb_match
	$(BIN)/python -m benchmarks.telegram_intake
	$(BIN)/python -m benchmarks.scheduler

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
