"""`docker run --env-file .env` with the shipped .env.example keeps data in the image's volume.

There is no Docker engine on the test machines, so the Dockerfile and .env.example are read as text.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, with continued lines joined."""
    joined = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, arguments = line.strip().partition(" ")
            found.append((instruction.upper(), arguments.strip()))
    return found


def _image_environment() -> dict[str, str]:
    environment = {}
    for instruction, arguments in _instructions():
        if instruction == "ENV":
            environment.update(item.split("=", 1) for item in shlex.split(arguments))
    return environment


def _env_example() -> dict[str, str]:
    active = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            active[name.strip()] = value.strip()
    return active


def test_the_example_env_file_overrides_nothing_the_image_sets() -> None:
    overridden = _image_environment().keys() & _env_example().keys()
    assert overridden == set()


def test_the_image_keeps_the_database_and_the_files_in_its_volume() -> None:
    volumes = [
        shlex.split(arguments.strip("[]").replace(",", " "))[0]
        for name, arguments in _instructions()
        if name == "VOLUME"
    ]
    assert volumes == ["/data"]
    environment = _image_environment()
    assert environment["APPEALDESK_DATABASE_URL"] == "sqlite:////data/appealdesk.db"
    assert environment["APPEALDESK_EVIDENCE_DIR"].startswith("/data/")
    assert environment["APPEALDESK_SECRET_KEY_FILE"].startswith("/data/")


def test_the_image_user_owns_the_volume_before_it_is_declared() -> None:
    instructions = _instructions()
    user = next(arguments for name, arguments in instructions if name == "USER")
    volume_at = next(index for index, (name, _) in enumerate(instructions) if name == "VOLUME")
    runs_before = " && ".join(arguments for name, arguments in instructions[:volume_at] if name == "RUN")
    assert re.search(rf"useradd\b.*\b{user}\b", runs_before)
    assert re.search(rf"chown (-R )?{user}(:\S+)? /data\b", runs_before)
