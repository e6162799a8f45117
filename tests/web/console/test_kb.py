"""The knowledge-base editor: admins list, search and edit entries; every save is a revision under their name."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.desk import Desk
from bot.store.models import KbRevision
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


def with_keyword(text: str, keyword: str) -> str:
    return text.replace("keywords: [", f"keywords: [{keyword}, ", 1)


def test_the_editor_previews_the_answer_and_its_buttons_as_each_channel_sends_them(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    text = old.text.replace("title: Opening a new account after a suspension", 'title: "Ban <evasion> & you"')
    text = text.replace("## Answer\n", "## Answer\n\nAsk for a person with /human on {platform}.\n")
    form = editor_form(admin)
    page: Any = admin.client.post(f"{EDIT}/check", data={**form, "text": text, "change": ""})
    assert page.status_code == 200 and "No problems" in page.text
    previews = page.text.split('id="preview-heading"')[1]
    telegram, slack, web = (previews.split(f"<figcaption>{name}")[1] for name in ("Telegram", "Slack", "Web"))
    assert "&lt;b&gt;Ban &amp;lt;evasion&amp;gt; &amp;amp; you&lt;/b&gt;" in telegram  # Telegram's own escaping, shown as sent
    assert "Ask for a person with /human on" in telegram
    assert "*Ban &amp;lt;evasion&amp;gt; &amp;amp; you*" in slack and "/appeal human" in slack
    assert "<strong>Ban &lt;evasion&gt; &amp; you</strong>" in web  # the web chat's HTML, as the chat shows it
    for shown in (telegram, slack, web):  # every answer's buttons, in their rows, as the user gets them
        keyboard = shown.split('<ul class="keyboard"')[1].split("</ul>")[0]
        rows = [re.findall(r'<span class="key">([^<]*)</span>', row) for row in keyboard.split("<li>")[1:]]
        assert rows == [["Yes, this helped", "No"], ["Talk to a person"]]
    assert "<evasion>" not in page.text
    assert "Ban &lt;evasion&gt; &amp; you" in page.text.split("<textarea")[1]  # the draft stays in the editor, unsaved
    assert desk.knowledge.revision(ENTRY) == old


def test_while_typing_htmx_gets_only_the_problems_and_previews(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    form = {**editor_form(admin), "text": old.text.replace("id: ban-evasion", "id: ban-evasions")}
    part: Any = admin.client.post(f"{EDIT}/check", data=form, headers={"HX-Request": "true"})
    assert part.status_code == 200 and part.text.lstrip().startswith('<div id="checked"') and "<html" not in part.text
    assert "does not match the file name" in part.text


def test_the_test_box_shows_the_top_matches_before_and_after_the_draft(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    question = "what is a zorblat account"
    draft = with_keyword(old.text, "zorblat")
    form = {**editor_form(admin), "text": draft, "question": question}
    part: Any = admin.client.post(f"{EDIT}/test", data=form, headers={"HX-Request": "true"})
    assert part.status_code == 200 and part.text.lstrip().startswith('<div id="matches"')
    before, after = part.text.split("With your text saved")
    assert "Saved knowledge base" in before and '<tr class="this">\n    <td>1</td>' not in before
    assert '<tr class="this">\n    <td>1</td>' in after  # the edited entry is the first match once the draft is in
    assert desk.knowledge.revision(ENTRY) == old
    whole: Any = admin.client.post(f"{EDIT}/test", data=form)  # without JavaScript: the page, with the draft kept
    assert "<html" in whole.text and "With your text saved" in whole.text and "zorblat, " in whole.text
    assert f'value="{question}"' in whole.text


def test_the_test_box_says_which_signals_gave_each_score_and_which_part_of_a_long_message_matched(
    admin: Console, desk: Desk
) -> None:
    story = "I sold logos for years and my shop did well. " * 12 + "Can I open a <b>new</b> account after a ban?"
    form = {**editor_form(admin), "question": story}
    part: Any = admin.client.post(f"{EDIT}/test", data=form, headers={"HX-Request": "true"})
    result, why = desk.knowledge.explain(story, top=5)
    first = why[0]
    assert first.semantic is not None and first.meanings is not None and first.window is not None
    words = f"words {first.lexical:.3f} &times; {first.lexical_weight:.2f}"
    meaning = f"meaning {first.semantic:.3f} &times; {1 - first.lexical_weight:.2f}"
    assert f"{result.matches[0].score:.3f}</td>" in part.text and f"{words} + {meaning}" in part.text
    assert f"examples {first.meanings['neighbours']:.3f}, whole entry {first.meanings['centroid']:.3f}" in part.text
    assert "matched on: <q>" in part.text and "&lt;b&gt;new&lt;/b&gt;" in part.text and "<b>new" not in part.text
    assert first.rerank is not None and f"placed by the reranker: {first.rerank:.2f}" in part.text


def test_once_saved_the_saved_knowledge_base_answers_with_the_edit(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    assert save(admin, with_keyword(old.text, "zorblat"), "a word users use").status_code == 303
    form = {**editor_form(admin), "question": "what is a zorblat account"}
    part: Any = admin.client.post(f"{EDIT}/test", data=form, headers={"HX-Request": "true"})
    before = part.text.split("With your text saved")[0]
    assert '<tr class="this">\n    <td>1</td>' in before


def test_a_draft_that_is_no_entry_is_tried_only_against_the_saved_entries(admin: Console) -> None:
    form = {**editor_form(admin), "text": "no front matter", "question": "can I make a new account"}
    part: Any = admin.client.post(f"{EDIT}/test", data=form, headers={"HX-Request": "true"})
    assert "Saved knowledge base" in part.text and "does not read as an entry yet" in part.text


def test_the_revisions_are_listed_newest_first_and_each_is_compared_with_the_current(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    desk.knowledge.save(ENTRY, old.text.replace("Opening a new", "Making a new"), "erin", "<i>shorter</i>")
    listed: Any = admin.get(f"{EDIT}/revisions")
    assert listed.status_code == 200 and listed.text.index("&lt;i&gt;shorter&lt;/i&gt;") < listed.text.index("first start")
    assert f"{EDIT}/revisions/1" in listed.text and f"{EDIT}/revisions/2" not in listed.text  # 2 is the current one
    compared: Any = admin.get(f"{EDIT}/revisions/1")
    assert compared.status_code == 200
    assert '<tr class="removed"><td><code>-title: Opening a new account after a suspension</code>' in compared.text
    assert '<tr class="added"><td><code>+title: Making a new account after a suspension</code>' in compared.text
    assert "Bring back revision 1" in compared.text
    assert admin.get(f"{EDIT}/revisions/9").status_code == 404  # type: ignore[attr-defined]


def test_the_diff_is_escaped(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    desk.knowledge.save(ENTRY, old.text.replace("## Answer\n", "## Answer\n\n<script>alert(1)</script>\n"), "erin", "x")
    compared: Any = admin.get(f"{EDIT}/revisions/1")
    assert "<script>alert(1)</script>" not in compared.text and "+&lt;script&gt;alert(1)&lt;/script&gt;" in compared.text


def test_a_revert_is_a_new_revision_under_the_admins_name(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    desk.knowledge.save(ENTRY, old.text.replace("Opening a new", "Making a new"), "erin", "shorter")
    reverted: Any = admin.submit(f"{EDIT}/revisions/1", f"{EDIT}/revisions/1/revert")
    assert reverted.status_code == 303 and reverted.headers["location"] == f"{EDIT}?saved=3"
    history = desk.knowledge.history(ENTRY)
    assert [(revision.number, revision.author, revision.change) for revision in history][-1] == (3, "root", "revert to revision 1")
    assert history[-1].text == old.text


def test_a_revision_that_would_not_pass_the_checks_now_is_not_brought_back(admin: Console, desk: Desk) -> None:
    old = desk.knowledge.revision(ENTRY)
    assert old is not None
    with desk.db.session() as session:  # saved before a check was added: /appeals is no command
        text = old.text.replace("## Answer\n", "## Answer\n\nSee /appeals.\n")
        session.add(KbRevision(entry_id=ENTRY, number=2, author="erin", at=old.at, change="older rules", text=text))
    desk.knowledge.save(ENTRY, old.text, "erin", "back to the first text")
    refused: Any = admin.submit(f"{EDIT}/revisions/2", f"{EDIT}/revisions/2/revert")
    assert refused.status_code == 400 and "Not reverted: revision 2 would not pass the checks now" in refused.text
    assert "answer names /appeals, which is not a command" in refused.text
    assert len(desk.knowledge.history(ENTRY)) == 3


def test_reverting_needs_the_admin_role_and_the_csrf_token(console: Console, desk: Desk, accounts: Desk) -> None:
    console.sign_in("alice")
    assert console.get(f"{EDIT}/revisions").status_code == 403  # type: ignore[attr-defined]
    assert console.submit("/console/", f"{EDIT}/revisions/1/revert").status_code == 403  # type: ignore[attr-defined]
    console.sign_in("root")
    missing: Any = console.client.post(f"{EDIT}/revisions/1/revert")
    assert missing.status_code == 403 and "This form was not applied" in missing.text
    assert len(desk.knowledge.history(ENTRY)) == 1


NEW_ENTRY = """---
id: {entry_id}
title: Selling handmade crafts outside the marketplace
category: conduct
keywords: [handmade crafts, craft fair, etsy shop]
questions:
  - may I sell my handmade crafts at a local craft fair too
  - can I keep an etsy shop for my handmade crafts
  - is selling my pottery at the weekend market against the rules
related: []
can_lead_to_suspension: false
last_reviewed: 2026-11-30
---
## Answer

Yes. What you sell outside {{platform}} is yours: only work for clients you met here must stay here.

## Internal notes

- Not a violation by itself.
"""


def create(console: Console, entry_id: str, text: str, change: str = "new rule") -> Any:
    return console.submit("/console/kb/new", "/console/kb/new", entry_id=entry_id, text=text, change=change)


def test_an_admin_creates_an_entry_and_users_are_offered_it_at_once(admin: Console, desk: Desk) -> None:
    form: Any = admin.get("/console/kb/new")
    assert form.status_code == 200 and "last_reviewed:" in form.text and 'id="entry_id"' in form.text
    question = "can I keep an etsy shop for my handmade crafts"
    assert desk.knowledge.match(question).matches[0].entry_id != "handmade-crafts"

    created = create(admin, "handmade-crafts", NEW_ENTRY.format(entry_id="handmade-crafts"))

    assert created.status_code == 303 and created.headers["location"] == "/console/kb/handmade-crafts?saved=1"
    saved = desk.knowledge.revision("handmade-crafts")
    assert saved is not None and saved.number == 1 and saved.author == "root" and saved.change == "new rule"
    desk.knowledge.refresh()  # as every worker does before it answers
    assert desk.knowledge.match(question).matches[0].entry_id == "handmade-crafts"
    assert "handmade-crafts" in admin.get("/console/kb?q=crafts").text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("entry_id", "text", "refusal"),
    [
        ("Handmade Crafts", NEW_ENTRY.format(entry_id="Handmade Crafts"), "lowercase words joined by hyphens"),
        ("new", NEW_ENTRY.format(entry_id="new"), "other than &#34;new&#34;"),
        (ENTRY, NEW_ENTRY.format(entry_id=ENTRY), f"There is already an entry {ENTRY}"),
        ("handmade-crafts", NEW_ENTRY.format(entry_id="crafts"), "Not saved: fix the problems marked below"),
        ("handmade-crafts", NEW_ENTRY.format(entry_id="handmade-crafts").replace("category: conduct\n", ""), "missing required field"),
    ],
)
def test_a_new_entry_with_a_bad_or_taken_id_or_with_problems_is_refused_and_the_text_kept(
    admin: Console, desk: Desk, entry_id: str, text: str, refusal: str
) -> None:
    before = desk.knowledge.revision(ENTRY)
    refused = create(admin, entry_id, text)
    assert refused.status_code in (400, 409) and refusal in refused.text
    assert "Selling handmade crafts outside the marketplace" in refused.text.split("<textarea")[1]
    assert desk.knowledge.revision(ENTRY) == before and desk.knowledge.revision("handmade-crafts") is None


def test_while_typing_a_new_entry_htmx_gets_its_problems_and_matches(admin: Console) -> None:
    fields = {"csrftoken": admin.token("/console/kb/new"), "entry_id": "handmade-crafts"}
    text = NEW_ENTRY.format(entry_id="handmade-crafts")
    checked: Any = admin.client.post("/console/kb/new/check", data={**fields, "text": text}, headers={"HX-Request": "1"})
    assert checked.text.lstrip().startswith('<div id="checked"') and "No problems" in checked.text
    question = "may I sell my handmade crafts at a local craft fair too"
    tried: Any = admin.client.post(
        "/console/kb/new/test", data={**fields, "text": text, "question": question}, headers={"HX-Request": "1"}
    )
    after = tried.text.split("With your text saved")[1]
    assert '<tr class="this">\n    <td>1</td>' in after


def retire(console: Console, entry_id: str, **fields: str) -> Any:
    return console.submit(f"/console/kb/{entry_id}", f"/console/kb/{entry_id}/retire", **fields)


def test_an_admin_retires_an_entry_once_confirmed_and_brings_it_back_from_its_revisions(admin: Console, desk: Desk) -> None:
    entry_id, question = "scam-clients", "client wants me to pay for training before I start, is this a scam"
    current = desk.knowledge.revision(entry_id)
    assert current is not None and desk.knowledge.match(question).matches[0].entry_id == entry_id
    seen = str(current.number)
    unconfirmed = retire(admin, entry_id, retire_change="merged into fraud", seen=seen)
    assert unconfirmed.status_code == 400 and "tick the box to confirm" in unconfirmed.text
    assert desk.knowledge.entry(entry_id) is not None

    retired = retire(admin, entry_id, retire_change="merged into fraud", confirm="yes", seen=seen)

    assert retired.status_code == 303
    desk.knowledge.refresh()  # as every worker does before it answers
    assert desk.knowledge.entry(entry_id) is None
    assert all(match.entry_id != entry_id for match in desk.knowledge.match(question).matches)
    page: Any = admin.get(f"/console/kb/{entry_id}")
    assert "Retired in revision" in page.text and "merged into fraud" in page.text and "<textarea" not in page.text
    listing: Any = admin.get("/console/kb?q=scam")
    assert "0 entries found" in listing.text and "Retired entries" in listing.text
    assert "<title>Knowledge base · AppealDesk console</title>" in listing.text
    assert f"There was an entry {entry_id}" in create(admin, entry_id, NEW_ENTRY.format(entry_id=entry_id)).text

    brought_back = admin.submit(
        f"/console/kb/{entry_id}/revisions/{seen}", f"/console/kb/{entry_id}/revisions/{seen}/revert"
    )

    assert brought_back.status_code == 303  # type: ignore[attr-defined]
    desk.knowledge.refresh()
    assert desk.knowledge.match(question).matches[0].entry_id == entry_id
    history = desk.knowledge.history(entry_id)
    assert [(revision.author, revision.text == "") for revision in history[-2:]] == [("root", True), ("root", False)]


def test_an_entry_another_lists_as_related_is_not_retired_and_the_page_says_which(admin: Console, desk: Desk) -> None:
    current = desk.knowledge.revision(ENTRY)
    assert current is not None
    refused = retire(admin, ENTRY, retire_change="old", confirm="yes", seen=str(current.number))
    assert refused.status_code == 400 and "account-sharing.md" in refused.text and ENTRY in refused.text
    assert desk.knowledge.revision(ENTRY) == current


def test_a_retire_from_a_page_another_save_overtook_is_refused(admin: Console, desk: Desk) -> None:
    entry_id = "scam-clients"
    current = desk.knowledge.revision(entry_id)
    assert current is not None
    desk.knowledge.save(entry_id, current.text + "\n", "bob", "typo")
    refused = retire(admin, entry_id, retire_change="old", confirm="yes", seen=str(current.number))
    assert refused.status_code == 409 and "bob saved this entry" in refused.text
    assert desk.knowledge.entry(entry_id) is not None
