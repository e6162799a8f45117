"""The knowledge-base editor: admins list, search and edit entries; every save is a revision under their name."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.desk import Desk
from tests.web.console.conftest import TOKEN, Console

ENTRY = "ban-evasion"
EDIT = f"/console/kb/{ENTRY}"
SEEN = re.compile(r'name="seen" value="(\d+)"')


def editor_form(console: Console, entry_id: str = ENTRY) -> dict[str, str]:
    """The hidden fields of an entry's editor: the CSRF token and the revision the text was loaded from."""
    page = console.client.get(f"/console/kb/{entry_id}").text
    token, seen = TOKEN.search(page), SEEN.search(page)
    assert token and seen, page
    return {"csrftoken": token.group(1), "seen": seen.group(1)}


def save(console: Console, text: str, change: str = "clearer", form: dict[str, str] | None = None) -> Any:
    fields = {**(form or editor_form(console)), "text": text, "change": change}
    return console.client.post(f"{EDIT}/save", data=fields, follow_redirects=False)



@pytest.fixture
def admin(console: Console, accounts: Desk) -> Console:
    console.sign_in("root")
    return console


def test_an_admin_lists_the_entries_a_page_at_a_time_with_who_saved_them_last(admin: Console, desk: Desk) -> None:
    first: Any = admin.get("/console/kb")
    total = len(desk.knowledge.current())
    assert first.status_code == 200 and f"{total} entries" in first.text and "page 1 of 2" in first.text
    assert '/console/kb/account-closure"' in first.text and ">import<" in first.text
    second: Any = admin.get("/console/kb?page=2")
    assert "page 2 of 2" in second.text and '/console/kb/account-closure"' not in second.text


def test_the_search_finds_an_entry_by_a_word_of_its_title_category_or_keywords(admin: Console) -> None:
    found: Any = admin.get("/console/kb?q=wife+account")
    assert "1 entry found" in found.text and f'{EDIT}"' in found.text
    assert "0 entries found" in admin.get("/console/kb?q=zzzz-nothing").text  # type: ignore[attr-defined]


def test_agents_and_supervisors_get_403_on_the_editor_and_its_forms(console: Console, desk: Desk, accounts: Desk) -> None:
    before = desk.knowledge.revision(ENTRY)
    for name in ("alice", "sam"):
        console.sign_in(name)
        for path in ("/console/kb", EDIT):
            assert console.get(path).status_code == 403  # type: ignore[attr-defined]
        refused: Any = console.submit("/console/", f"{EDIT}/save", text="---\n", change="x", seen="1")
        assert refused.status_code == 403
    assert desk.knowledge.revision(ENTRY) == before


def test_saving_writes_a_revision_under_the_admins_name_with_the_change_note(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    text = old.text.replace("title: Opening a new account after a suspension", "title: A new account after a ban")
    saved: Any = save(admin, text, "shorter title")
    assert saved.status_code == 303 and saved.headers["location"] == f"{EDIT}?saved={old.number + 1}"
    new = desk.knowledge.revision(ENTRY)
    assert new is not None and (new.number, new.author, new.change, new.text) == (old.number + 1, "root", "shorter title", text)
    page: Any = admin.get(saved.headers["location"])
    assert f"Saved as revision {new.number}" in page.text and "A new account after a ban" in page.text
    desk.knowledge.refresh_seconds = 0
    desk.knowledge.refresh()
    entry = desk.knowledge.entry(ENTRY)
    assert entry is not None and entry.title == "A new account after a ban"  # what every worker now answers with


def test_problems_are_shown_beside_their_lines_and_nothing_is_saved(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    lines = old.text.split("\n")
    lines[1] = "id: Ban Evasion"
    related = next(number for number, line in enumerate(lines) if line.startswith("related:"))
    lines[related] = "related: [multiple-accounts, no-such-entry]"
    refused: Any = save(admin, "\n".join(lines))
    assert refused.status_code == 400 and "Not saved: fix the problems marked below." in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert "Line 2: <code>id: Ban Evasion</code>" in refused.text
    assert "id &#39;Ban Evasion&#39; must be a slug" in refused.text
    assert f"Line {related + 1}: <code>related: [multiple-accounts, no-such-entry]</code>" in refused.text
    assert "related id &#39;no-such-entry&#39; is not an entry" in refused.text
    assert "Ban Evasion" in refused.text.split("<textarea")[1]  # the admin's text is kept to fix
    assert desk.knowledge.revision(ENTRY) == old


def test_a_text_that_is_no_entry_at_all_is_refused_with_its_first_line(admin: Console, desk: Desk) -> None:
    refused: Any = save(admin, "just some words")
    assert refused.status_code == 400 and "file must start with a &#39;---&#39; line" in refused.text
    assert "Line 1: <code>just some words</code>" in refused.text


def test_a_save_needs_a_change_note_and_a_change(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    assert "Write a change note" in save(admin, old.text + "\n", change=" ").text
    same: Any = save(admin, old.text)
    assert same.status_code == 400 and "Nothing changed, so no revision was saved." in same.text
    assert desk.knowledge.revision(ENTRY) == old


def test_a_save_from_a_page_another_admin_overtook_is_refused_keeping_the_text(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    loaded = editor_form(admin)
    desk.knowledge.save(ENTRY, old.text.replace("Opening a new", "Making a new"), "erin", "their fix")
    mine = old.text.replace("Opening a new", "Starting a new")
    stale: Any = save(admin, mine, "my fix", form=loaded)
    assert stale.status_code == 409
    assert "erin saved this entry (revision" in stale.text and "their fix" in stale.text and "not saved" in stale.text
    assert "Starting a new" in stale.text.split("<textarea")[1]
    latest = desk.knowledge.revision(ENTRY)
    assert latest is not None and latest.author == "erin"
    again: Any = save(admin, mine, "my fix, after reading theirs", form={**loaded, "seen": str(latest.number)})
    assert again.status_code == 303 and desk.knowledge.revision(ENTRY).author == "root"  # type: ignore[union-attr]


def test_a_save_without_its_csrf_token_is_refused(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    form = {"seen": str(old.number), "text": old.text + "\nmore", "change": "x"}
    refused: Any = admin.client.post(f"{EDIT}/save", data=form)
    assert refused.status_code == 403 and "This form was not applied" in refused.text
    assert desk.knowledge.revision(ENTRY) == old


def test_entry_text_is_escaped_everywhere_it_is_shown(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    text = old.text.replace("title: Opening a new account after a suspension", 'title: "<script>alert(1)</script>"')
    desk.knowledge.save(ENTRY, text, "<b>erin</b>", "<img src=x onerror=alert(1)>")
    for path in (EDIT, "/console/kb?q=evasion"):
        page: Any = admin.get(path)
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "<b>erin</b>" not in page.text and "<img src=x" not in page.text


def test_an_unknown_entry_is_404(admin: Console) -> None:
    assert admin.get("/console/kb/no-such-entry").status_code == 404  # type: ignore[attr-defined]
