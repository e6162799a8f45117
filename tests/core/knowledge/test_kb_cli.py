"""The `appealdesk kb` command contract: output formats and exit codes other tools rely on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app

from .conftest import VALID

runner = CliRunner()


def test_match_json_reads_stdin_until_eof_and_prints_one_line_per_question(small_kb: Path) -> None:
    questions = ["can I use a vpn at work?", "", "when can I withdraw my earnings", "what is the capital of peru"]

    result = runner.invoke(app, ["kb", "match", "--kb", str(small_kb), "--json"], input="\n".join(questions) + "\n")

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["q"] for line in lines] == questions
    assert set(lines[0]) == {"q", "matches", "confident"}
    assert lines[0]["matches"][0]["id"] == "vpn-and-proxies" and lines[0]["confident"] is True
    assert set(lines[0]["matches"][0]) == {"id", "score"}
    assert lines[1] == {"q": "", "matches": [], "confident": False}
    assert lines[2]["matches"][0]["id"] == "withdrawals-and-holds"
    assert lines[3]["confident"] is False


def test_match_with_a_question_argument_and_top(small_kb: Path) -> None:
    result = runner.invoke(app, ["kb", "match", "--kb", str(small_kb), "--top", "1", "--json", "is nordvpn ok"])

    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert len(line["matches"]) == 1 and line["matches"][0]["id"] == "vpn-and-proxies"


def test_match_without_json_prints_a_readable_table(small_kb: Path) -> None:
    result = runner.invoke(app, ["kb", "match", "--kb", str(small_kb), "is nordvpn ok"])

    assert result.exit_code == 0
    assert "outcome: confident" in result.output
    assert "vpn-and-proxies" in result.output and "Using a VPN, proxy or remote desktop" in result.output


def test_match_uses_the_knowledge_dir_setting_by_default(small_kb: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("APPEALDESK_KNOWLEDGE_DIR", str(small_kb))

    result = runner.invoke(app, ["kb", "match", "--json", "when can I withdraw"])

    assert json.loads(result.output)["matches"][0]["id"] == "withdrawals-and-holds"


def test_check_prints_ok_with_the_count(small_kb: Path) -> None:
    result = runner.invoke(app, ["kb", "check", "--kb", str(small_kb)])

    assert result.exit_code == 0
    assert result.output == "OK: 3 entries, no problems.\n"


def test_check_prints_file_line_message_and_exits_1(small_kb: Path) -> None:
    broken = small_kb / "vpn-and-proxies.md"
    broken.write_text(VALID.replace("last_reviewed: 2026-11-20", "last_reviewed: soon"), encoding="utf-8")

    result = runner.invoke(app, ["kb", "check", "--kb", str(small_kb)])

    assert result.exit_code == 1
    assert result.output == f"{broken}:12: 'last_reviewed' must be a date like 2026-11-20\n"


def test_match_refuses_a_broken_knowledge_base(small_kb: Path) -> None:
    (small_kb / "vpn-and-proxies.md").write_text("no front matter", encoding="utf-8")

    result = runner.invoke(app, ["kb", "match", "--kb", str(small_kb), "vpn"])

    assert result.exit_code == 2


def test_eval_prints_the_figures_and_misses(small_kb: Path, tmp_path: Path) -> None:
    file = tmp_path / "q.jsonl"
    lines = [
        {"q": "is nordvpn ok", "expect": ["vpn-and-proxies"]},
        {"q": "when can I withdraw", "expect": ["travel-and-location"]},
        {"q": "tell me a joke", "expect": []},
    ]
    file.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    result = runner.invoke(app, ["kb", "eval", str(file), "--kb", str(small_kb)])

    assert result.exit_code == 0, result.output
    assert "top-1 accuracy:          0.500" in result.output
    assert "top-3 recall:            1.000" in result.output
    assert "out-of-scope rejection:  1.000" in result.output
    assert "confident-but-wrong:" in result.output
    assert "'when can I withdraw' expected ['travel-and-location'] got ['withdrawals-and-holds'" in result.output


def test_calibrate_writes_thresholds_the_matcher_then_loads(small_kb: Path, tmp_path: Path) -> None:
    file = tmp_path / "q.jsonl"
    lines = [
        {"q": "can I use a vpn at work", "expect": ["vpn-and-proxies"]},
        {"q": "going on a trip abroad", "expect": ["travel-and-location"]},
        {"q": "when can I withdraw my money", "expect": ["withdrawals-and-holds"]},
        {"q": "tell me a joke", "expect": []},
    ]
    file.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    result = runner.invoke(app, ["kb", "calibrate", str(file), "--kb", str(small_kb), "--write"])

    assert result.exit_code == 0, result.output
    assert "thresholds:" in (small_kb / "matcher.yaml").read_text(encoding="utf-8")
