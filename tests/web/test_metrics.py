"""/metrics: this process's counters, the database's gauges read at scrape time, and who may scrape."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.outbox import Delivered, Notification
from bot.core.scheduler import Scheduler
from bot.desk import Desk
from bot.web.app import create_app
from bot.web.metrics import metrics_app
from tests.chat import ChatUser, file_appeal
from tests.conftest import DeskFactory
from tests.core.test_outbox import ScriptedSender

TOKEN = "scrape-token-4242"


async def scrape(app: object, client: str = "127.0.0.1", token: str | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(client, 40000))  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://appealdesk") as http:
        return await http.get("/metrics", headers=headers)


def samples(response: httpx.Response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_journey_shows_in_the_counters_and_the_database_gauges(desk: Desk, clock: ManualClock) -> None:
    before = samples(await scrape(create_app(desk)))
    user = ChatUser(desk)
    file_appeal(user)
    user.send("hello", update_id="repeated")
    user.send("hello", update_id="repeated")
    with desk.db.session() as session:
        desk.outbox.enqueue(session, Notification("later", "terminal", "chat-x", "notify/intake_reminder.j2"))
    clock.advance(seconds=42)

    after = samples(await scrape(create_app(desk)))

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("appealdesk_updates_handled_total", channel="terminal", result="handled") >= 18
    assert grew("appealdesk_updates_handled_total", channel="terminal", result="duplicate") == 1
    assert grew("appealdesk_update_handling_seconds_count", channel="terminal") >= 19
    assert value(after, "appealdesk_open_tickets", kind="appeal", status="new") == 1
    assert value(after, "appealdesk_outbox_pending", channel="terminal") >= 1
    assert value(after, "appealdesk_outbox_oldest_due_seconds") == 42
    assert value(after, "process_resident_memory_bytes") > 0


async def test_deliveries_are_counted_by_result(desk: Desk) -> None:
    before = samples(await scrape(create_app(desk)))
    with desk.db.session() as session:
        desk.outbox.enqueue(session, Notification("k1", "terminal", "chat-1", "notify/intake_reminder.j2"))
        desk.outbox.enqueue(session, Notification("k2", "terminal", "chat-2", "notify/intake_reminder.j2"))
    sender = ScriptedSender(Delivered("m1"), ConnectionError("platform down"))
    await desk.worker({"terminal": sender}).run_once()

    after = samples(await scrape(create_app(desk)))
    for result, count in (("sent", 1), ("retry", 1)):
        labels = {"channel": "terminal", "result": result}
        assert (
            value(after, "appealdesk_deliveries_total", **labels)
            - value(before, "appealdesk_deliveries_total", **labels)
            == count
        )


async def test_scheduler_runs_and_promise_breaches_are_counted(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk()
    file_appeal(ChatUser(desk))
    before = samples(await scrape(create_app(desk)))
    clock.advance(hours=25)
    desk.scheduler.run_once()
    other = Scheduler(desk.db, desk.settings, clock, desk.tickets, desk.outbox, "another-process")
    other.run_once()

    after = samples(await scrape(create_app(desk)))
    for name, labels, count in (
        ("appealdesk_scheduler_runs_total", {"result": "ran"}, 1),
        ("appealdesk_scheduler_runs_total", {"result": "skipped"}, 1),
        ("appealdesk_promise_breaches_total", {"missed": "first_response"}, 1),
    ):
        assert value(after, name, **labels) - value(before, name, **labels) == count
    assert value(after, "appealdesk_open_tickets_overdue", missed="first_response") == 1


async def test_without_a_token_only_this_machine_may_scrape(desk: Desk) -> None:
    assert (await scrape(create_app(desk), client="127.0.0.1")).status_code == 200
    refused = await scrape(create_app(desk), client="203.0.113.9")
    assert refused.status_code == 403


async def test_with_a_token_every_scrape_must_bring_it(make_desk: DeskFactory) -> None:
    app = create_app(make_desk(metrics_token=TOKEN))
    assert (await scrape(app, client="203.0.113.9", token=TOKEN)).status_code == 200
    assert (await scrape(app, client="127.0.0.1")).status_code == 403
    assert (await scrape(app, client="127.0.0.1", token="wrong")).status_code == 403


async def test_on_an_address_of_its_own_metrics_leave_the_main_server(make_desk: DeskFactory) -> None:
    desk = make_desk(metrics_address="10.0.0.5:9100")
    assert (await scrape(create_app(desk), client="127.0.0.1")).status_code == 404
    assert (await scrape(metrics_app(desk), client="10.0.0.9")).status_code == 200
    guarded = make_desk(metrics_address="10.0.0.5:9100", metrics_token=TOKEN)
    assert (await scrape(metrics_app(guarded), client="10.0.0.9")).status_code == 403
    assert (await scrape(metrics_app(guarded), client="10.0.0.9", token=TOKEN)).status_code == 200


def test_a_bad_metrics_address_is_refused_by_name(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ValidationError, match="host:port"):
        make_settings(metrics_address="9100")
