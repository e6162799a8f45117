"""`appealdesk run`: the HTTP server, the configured channels, delivery workers and the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator, Mapping

import uvicorn

from bot.channels.base import Channel
from bot.config import Role, Settings
from bot.core.bell import OutboxBell
from bot.core.decision_webhook import WebhookSender
from bot.core.outbox import Sender
from bot.desk import Desk, worker_name


class _Server(uvicorn.Server):
    """Leaves SIGINT and SIGTERM to `serve`, which stops the channels and workers too."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    desk: Desk,
    settings: Settings,
    channels: list[Channel],
    on_ready: Callable[[], None] = lambda: None,
    workers: int = 1,
    role: Role = "all",
) -> None:
    """Runs until SIGINT or SIGTERM. `on_ready` is called once every channel has started and the
    HTTP server listens; a channel that cannot start raises (a StartupProblem) after the others stop.
    `workers` delivery workers share the outbox with each other and with every other process.

    `role` splits the process (docs/operations.md#roles): `web` serves HTTP and receives (webhooks,
    events, Telegram polling, Socket Mode) and sends each turn's own replies right after it, but runs
    no delivery workers and no scheduler; `worker` starts only the channels' sending side and runs the
    delivery workers and the scheduler, serving /healthz, /readyz and /metrics; `all` is both."""
    from bot.web.app import create_app, health_app
    from bot.web.health import ChannelsStarted
    from bot.web.metrics import metrics_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    receiving, delivering = role in ("web", "all"), role in ("worker", "all")
    readiness = ChannelsStarted(expected=[channel.name for channel in channels], role=role)
    if receiving:
        app = create_app(desk, [route for channel in channels for route in channel.routes()], readiness)
    else:
        app = health_app(desk, readiness)
    # In JSON, uvicorn's lines go through the root logger's handler like every other line
    log_config = None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG
    server = _Server(
        uvicorn.Config(app, host=settings.http_host, port=settings.http_port, log_level="info", log_config=log_config)
    )
    servers = [server]
    if settings.metrics_listen is not None:
        host, port = settings.metrics_listen
        metrics = uvicorn.Config(metrics_app(desk), host=host, port=port, log_level="warning", log_config=log_config)
        servers.append(_Server(metrics))
    senders = {name: sender for channel in channels for name, sender in channel.senders().items()}
    webhook = decision_webhook(settings)
    if webhook is not None:
        senders[webhook.channel] = webhook
    started: list[Channel] = []
    try:
        for channel in channels:
            await (channel.start() if receiving else channel.start_sending())
            started.append(channel)
            readiness.started.add(channel.name)
    except BaseException:
        for channel in reversed(started):
            await channel.stop()
        raise
    serving = asyncio.create_task(server.serve())
    tasks = [serving, *(asyncio.create_task(other.serve()) for other in servers[1:])]
    if delivering:
        tasks.append(asyncio.create_task(desk.scheduler.run(stop)))
    if delivering and senders:
        tasks += delivery_workers(desk, senders, workers, stop)
    while not server.started and not serving.done():  # uvicorn offers a flag, not an event
        await asyncio.sleep(0.02)
    if server.started:
        on_ready()
    await stop.wait()
    for each in servers:
        each.should_exit = True
    for channel in channels:
        await channel.stop()
    await asyncio.gather(*tasks, return_exceptions=True)
    if webhook is not None:
        await webhook.close()


def delivery_workers(
    desk: Desk, senders: Mapping[str, Sender], count: int, stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    """`count` workers, each named apart in its leases, woken by the outbox bell: at once for what this
    process queues, and on PostgreSQL for what any process queues; polling stays the fallback."""
    bell = OutboxBell()
    desk.outbox.bells.append(bell.ring)
    tasks = [
        asyncio.create_task(
            desk.worker(senders, owner=f"{worker_name()}/{number}", wake=bell.subscribe()).run(
                stop, desk.settings.outbox_poll_seconds
            )
        )
        for number in range(1, count + 1)
    ]
    if desk.db.is_postgres:
        tasks.append(asyncio.create_task(bell.listen(desk.db.url, stop)))
    return tasks


def decision_webhook(settings: Settings) -> WebhookSender | None:
    """The sender of decisions to the platform, when the operator has set where they go."""
    if not settings.platform_webhook_url or settings.platform_webhook_secret is None:
        return None
    return WebhookSender(settings.platform_webhook_url, settings.platform_webhook_secret.get_secret_value())
