"""`appealdesk` under pyinstrument: its event loop's thread, and every call it hands to a worker thread.

Run as `python benchmarks/profiled.py REPORT APPEALDESK ARGS...` (what `benchmarks.load --profile` does):
it runs the APPEALDESK script with ARGS and, once it stops (SIGTERM), writes REPORT-threads.{html,txt} and
REPORT-loop.{html,txt}. pyinstrument's command line samples the main thread only, while a turn (and every
database call) runs in a worker thread through `asyncio.to_thread`; so each such call runs under a
profiler of its own, and their sessions are combined into one report: where a turn's time goes. The
loop's report is the rest (HTTP, the platforms' clients, and waiting). Times are wall time, so a share
of the threads' report is a share of the time a turn waited for, the database and the GIL included.
"""

from __future__ import annotations

import asyncio
import runpy
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer
from pyinstrument.session import Session

INTERVAL = 0.001
WORKERS = "worker threads\x00<thread>\x000"  # how pyinstrument names a thread
T = TypeVar("T")

_sessions: list[Session] = []
_lock = threading.Lock()
_to_thread = asyncio.to_thread


def _profiled(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    profiler = Profiler(interval=INTERVAL, async_mode="disabled")
    profiler.start()
    try:
        return func(*args, **kwargs)
    finally:
        session = profiler.stop()
        for stack in [session.start_call_stack, *(stack for stack, _time in session.frame_records)]:
            stack[0] = WORKERS  # one tree for every worker thread, not one per thread
        with _lock:
            _sessions.append(session)


async def _to_profiled_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    return await _to_thread(_profiled, func, *args, **kwargs)


def combined(sessions: list[Session]) -> Session:
    """Pairwise, so thousands of short sessions cost n log n to combine, not n squared."""
    while len(sessions) > 1:
        sessions = [
            Session.combine(*sessions[i : i + 2]) if i + 1 < len(sessions) else sessions[i]
            for i in range(0, len(sessions), 2)
        ]
    return sessions[0]


def write(report: Path, session: Session) -> None:
    """The text first: rendering HTML for a long run takes a while."""
    tree = ConsoleRenderer(unicode=True, time="percent_of_total").render(session)
    flat = ConsoleRenderer(unicode=True, flat=True, time="percent_of_total").render(session)
    report.with_name(report.name + ".txt").write_text(tree + "\n\nOwn time per function\n\n" + flat)
    report.with_name(report.name + ".html").write_text(HTMLRenderer().render(session))


def main() -> None:
    report, script = Path(sys.argv[1]), sys.argv[2]
    asyncio.to_thread = _to_profiled_thread  # read at each call: `await asyncio.to_thread(...)`
    sys.argv = sys.argv[2:]
    loop = Profiler(interval=INTERVAL, async_mode="disabled")
    loop.start()
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        session = loop.stop()
        if _sessions:
            write(report.with_name(report.name + "-threads"), combined(_sessions))
        write(report.with_name(report.name + "-loop"), session)


if __name__ == "__main__":
    main()
