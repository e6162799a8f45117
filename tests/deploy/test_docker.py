"""`docker run --env-file .env` with the shipped .env.example keeps data in the image's volume, and
deploy/docker-compose.yml runs PostgreSQL, the web side and two workers from that image.

The test machines have no Docker engine, so the files are read as text; where docker answers, it checks
the compose file and builds the image too.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

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


# ---- deploy/docker-compose.yml -------------------------------------------------------------------------

COMPOSE = ROOT / "deploy" / "docker-compose.yml"


def _docker(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str] | None:
    """The docker command's answer, or None where there is no docker command or it cannot answer."""
    if shutil.which("docker") is None:
        return None
    try:
        return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_runs_postgres_the_web_side_and_two_workers_from_the_image() -> None:
    services = _compose()["services"]
    assert set(services) == {"db", "web", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("web", "worker"):
        service = services[name]
        assert (COMPOSE.parent / service["build"]["context"] / service["build"]["dockerfile"]).resolve() == (
            ROOT / "Dockerfile"
        )
        assert service["environment"]["APPEALDESK_DATABASE_URL"].startswith("postgresql://appealdesk:")
        assert "@db:5432/appealdesk" in service["environment"]["APPEALDESK_DATABASE_URL"]
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert "evidence:/data" in service["volumes"], "every process shares the evidence files"
    assert services["web"]["ports"] == ["8080:8080"] and "ports" not in services["worker"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["command"][-2:] == ["--role", "web"]
    assert services["worker"]["command"][-2:] == ["--role", "worker"]


def test_compose_needs_the_database_password_and_commits_none() -> None:
    text = COMPOSE.read_text()
    assert text.count("${APPEALDESK_DB_PASSWORD:?") == 2
    assert "POSTGRES_PASSWORD: ${APPEALDESK_DB_PASSWORD" in text


def test_docker_accepts_the_compose_file_and_builds_the_image_where_it_can() -> None:
    """Every named volume and dependency is declared (what `docker compose config` would refuse first);
    then `docker compose config` where the compose plugin answers and `docker build` where a daemon does
    (never a skip: .ci/run fails on one)."""
    compose = _compose()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in compose["volumes"], f"{name}: volume {volume} is not declared"
        assert set(service.get("depends_on", {})) <= set(compose["services"]), name
    plugin = _docker("compose", "version")
    if plugin is not None and plugin.returncode == 0:
        config = subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
            capture_output=True,
            text=True,
            env={**os.environ, "APPEALDESK_DB_PASSWORD": "example"},
            check=False,
        )
        assert config.returncode == 0, config.stderr
    daemon = _docker("info")
    if daemon is not None and daemon.returncode == 0:
        built = _docker("build", "-q", "-t", "appealdesk:test", str(ROOT), timeout=1800)
        assert built is not None and built.returncode == 0, built.stderr if built else "docker build timed out"
