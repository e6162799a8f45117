from benchmarks.fakes.telegram_bot_api import FakeBotApi
from benchmarks.fakes.telegram_harness import TelegramHarness
from tests.channels.telegram.conftest import OLEG


async def test_start(bot: TelegramHarness, api: FakeBotApi) -> None:
    calls = await bot.says(OLEG, "/start")
    for c in calls:
        print(c.method, c.params, c.error)
    calls = await bot.taps(OLEG, "Start appeal")
    for c in calls:
        print(c.method, c.params, c.error)
    assert 0
