"""The cookie signing key: the operator's, or one generated on the first start and kept private."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.web.secret import secret_key


def test_the_configured_key_is_used_and_no_file_is_written(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings(secret_key="operator-chosen-key", secret_key_file=tmp_path / "var" / "secret_key")
    assert secret_key(settings) == "operator-chosen-key"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_without_a_key_one_is_generated_once_kept_private_and_reused(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    kept = tmp_path / "var" / "secret_key"
    first = secret_key(make_settings(secret_key_file=kept))
    assert len(first) >= 40
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert secret_key(make_settings(secret_key_file=kept)) == first


def test_the_embedded_default_keeps_the_key_in_var(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    key = secret_key(make_settings())
    assert (tmp_path / "var" / "secret_key").read_text("utf-8").strip() == key


def test_two_installations_get_different_keys(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    one = secret_key(make_settings(secret_key_file=tmp_path / "one"))
    other = secret_key(make_settings(secret_key_file=tmp_path / "other"))
    assert one != other
