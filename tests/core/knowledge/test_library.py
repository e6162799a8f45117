"""Entries in the database: imported on first use, edited as revisions, picked up by every worker."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.core.knowledge.catalogue import catalogue
from bot.core.knowledge.library import StaleEdit
from bot.core.knowledge.problems import EntryError
from bot.desk import Desk
from tests.chat import ChatUser
from tests.conftest import DeskFactory

runner = CliRunner()


def test_the_knowledge_folder_is_imported_on_first_use(desk: Desk) -> None:
    assert desk.knowledge.entry("vpn-and-proxies") is not None
    assert len(desk.knowledge.current_texts()) >= 34
    assert [revision.author for revision in desk.knowledge.history("vpn-and-proxies")] == ["import"]


def test_an_edit_is_a_new_revision_and_every_worker_picks_it_up(make_desk: DeskFactory) -> None:
    first, second = make_desk(), make_desk()
    first.knowledge.refresh_seconds = second.knowledge.refresh_seconds = 0
    assert second.knowledge.entry("vpn-and-proxies").title == "Using a VPN, proxy or remote desktop"  # type: ignore[union-attr]
    text = first.knowledge.current_texts()["vpn-and-proxies"]
    edited = text.replace("title: Using a VPN, proxy or remote desktop", "title: VPNs, proxies and remote desktops")
    assert first.knowledge.save("vpn-and-proxies", edited, "alice", "clearer title") == 2
    second.knowledge.refresh()
    assert second.knowledge.entry("vpn-and-proxies").title == "VPNs, proxies and remote desktops"  # type: ignore[union-attr]
    assert first.knowledge.revert("vpn-and-proxies", 1, "bob") == 3
    history = first.knowledge.history("vpn-and-proxies")
    assert [(revision.number, revision.author, revision.change) for revision in history] == [
        (1, "import", "first start"),
        (2, "alice", "clearer title"),
        (3, "bob", "revert to revision 1"),
    ]


def test_a_retired_entry_leaves_every_worker_keeps_its_history_and_comes_back_with_a_revert(
    make_desk: DeskFactory,
) -> None:
    first, second = make_desk(), make_desk()
    first.knowledge.refresh_seconds = second.knowledge.refresh_seconds = 0
    question = "how do I know if a job offer is fake"
    assert second.knowledge.match(question).matches[0].entry_id == "scam-clients"
    assert first.knowledge.retire("scam-clients", "alice", "merged") == 2
    second.knowledge.refresh()
    assert second.knowledge.entry("scam-clients") is None and "scam-clients" not in second.knowledge.current_texts()
    assert [revision.entry_id for revision in second.knowledge.retired()] == ["scam-clients"]
    assert all(match.entry_id != "scam-clients" for match in second.knowledge.match(question).matches)
    with pytest.raises(StaleEdit):
        first.knowledge.create("scam-clients", first.knowledge.history("scam-clients")[0].text, "bob", "again")  # id taken
    assert first.knowledge.revert("scam-clients", 1, "bob") == 3
    second.knowledge.refresh()
    assert second.knowledge.match(question).matches[0].entry_id == "scam-clients" and second.knowledge.retired() == []


def test_an_entry_another_lists_as_related_is_not_retired(desk: Desk) -> None:
    with pytest.raises(EntryError) as error:
        desk.knowledge.retire("ban-evasion", "alice", "old")
    assert any(problem.file == "account-sharing.md" and "ban-evasion" in problem.message for problem in error.value.problems)
    assert desk.knowledge.entry("ban-evasion") is not None


def test_kb_retire_on_the_command_line_says_how_to_bring_it_back(cli_env: Desk) -> None:
    refused = runner.invoke(app, ["kb", "retire", "ban-evasion", "--note", "old"])
    assert refused.exit_code == 1 and "account-sharing.md" in refused.output
    result = runner.invoke(app, ["kb", "retire", "scam-clients", "--note", "merged", "--author", "carol"])
    assert result.exit_code == 0, result.output
    assert "appealdesk kb revert scam-clients 1" in result.output


def test_an_invalid_edit_is_refused_with_file_and_line(desk: Desk) -> None:
    text = desk.knowledge.current_texts()["vpn-and-proxies"]
    broken = text.replace("related: [", "related: [no-such-entry, ", 1)
    with pytest.raises(EntryError) as error:
        desk.knowledge.save("vpn-and-proxies", broken, "alice", "typo")
    assert "vpn-and-proxies.md:" in str(error.value) and "no-such-entry" in str(error.value)
    assert len(desk.knowledge.history("vpn-and-proxies")) == 1


def test_a_save_from_an_overtaken_revision_is_refused_as_stale(desk: Desk) -> None:
    text = desk.knowledge.current_texts()["vpn-and-proxies"]
    desk.knowledge.save("vpn-and-proxies", text.replace("VPN, proxy", "VPN or proxy"), "alice", "first", seen=1)
    with pytest.raises(StaleEdit) as stale:
        desk.knowledge.save("vpn-and-proxies", text.replace("VPN, proxy", "VPN, a proxy"), "bob", "second", seen=1)
    assert (stale.value.latest.number, stale.value.latest.author, stale.value.latest.change) == (2, "alice", "first")
    assert [revision.author for revision in desk.knowledge.history("vpn-and-proxies")] == ["import", "alice"]


def test_the_catalogue_lists_current_revisions_searched_and_in_pages(desk: Desk) -> None:
    revisions = desk.knowledge.current()
    first, last = catalogue(revisions, size=10), catalogue(revisions, page=99, size=10)
    assert first.total == len(revisions) and first.pages == last.page == -(-len(revisions) // 10)
    assert [row.id for row in first.rows] == sorted(row.id for row in first.rows) and len(first.rows) == 10
    found = catalogue(revisions, "VPN remote")
    assert [(row.id, row.revision, row.author) for row in found.rows] == [("vpn-and-proxies", 1, "import")]


def test_admins_can_test_and_show_entries_in_chat_and_others_cannot(desk: Desk) -> None:
    admin = ChatUser(desk, name="alice")
    admin.send("/kb test is a vpn allowed")
    assert admin.templates() == ["admin/kb_test.j2"]
    assert "vpn-and-proxies" in admin.text()
    admin.send("/kb show vpn-and-proxies")
    assert "Internal notes" in admin.text()
    user = ChatUser(desk, name="olga")
    user.send("/kb show vpn-and-proxies")
    assert user.templates() == ["admin/refused.j2"]


@pytest.fixture
def cli_env(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("APPEALDESK_DATABASE_URL", desk.db.url)
    return desk


def test_kb_export_import_history_and_revert_on_the_command_line(cli_env: Desk, tmp_path: Path) -> None:
    out = tmp_path / "kb"
    assert runner.invoke(app, ["kb", "export", str(out)]).exit_code == 0
    entry = out / "account-closure.md"
    entry.write_text(entry.read_text().replace("last_reviewed: ", "last_reviewed: 2026-11-24\n#", 1))
    result = runner.invoke(app, ["kb", "import", "--kb", str(out), "--author", "carol"])
    assert result.exit_code == 0, result.output
    assert "changed 1" in result.output
    result = runner.invoke(app, ["kb", "history", "account-closure"])
    assert "carol" in result.output
    result = runner.invoke(app, ["kb", "revert", "account-closure", "1", "--author", "carol"])
    assert "saved as revision 3" in result.output


def test_kb_edit_validates_what_the_editor_saved(
    cli_env: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('can_lead_to_suspension: true', 'can_lead_to_suspension: false'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = runner.invoke(app, ["kb", "edit", "vpn-and-proxies", "--author", "dana", "-m", "softer"])
    assert result.exit_code == 0, result.output
    assert "revision 2" in result.output
    assert json.dumps(cli_env.knowledge.history("vpn-and-proxies")[-1].author) == '"dana"'


def test_an_edit_to_the_synonyms_file_is_picked_up_without_a_restart(make_desk: DeskFactory, tmp_path: Path) -> None:
    import shutil

    from bot.config import PROJECT_ROOT

    folder = tmp_path / "kb"
    shutil.copytree(PROJECT_ROOT / "knowledge", folder)
    desk = make_desk(knowledge_dir=folder)
    desk.knowledge.refresh_seconds = 0
    assert desk.knowledge.match("can i use a zorblax").outcome != "confident"
    synonyms = folder / "synonyms.yaml"
    text = synonyms.read_text("utf-8")
    synonyms.write_text(text.replace("[virtual private network,", "[zorblax, virtual private network,", 1), "utf-8")
    desk.knowledge.refresh()
    assert desk.knowledge.match("can i use a zorblax").matches[0].entry_id == "vpn-and-proxies"
