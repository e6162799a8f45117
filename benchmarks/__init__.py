"""One command per speed or memory goal, each printing its figures."""

from __future__ import annotations

from pathlib import Path


def backends(workdir: Path, postgres: str | None) -> list[tuple[str, str]]:
    """(name, URL) to run on: a fresh SQLite file in `workdir`, and PostgreSQL when a URL is given."""
    return [("sqlite", f"sqlite:///{workdir / 'bench.db'}")] + ([("postgresql", postgres)] if postgres else [])
