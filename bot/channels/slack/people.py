"""Who a Slack user is: their DM channel with the app, the name agents see, their locale. Cached per process."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.events import Identity

log = logging.getLogger(__name__)


class Directory:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._ims: dict[str, str] = {}
        self._names: dict[str, str | None] = {}
        self._locales: dict[str, str | None] = {}

    async def im_channel(self, user_id: str) -> str:
        """The DM between the app and this user: where their replies and notifications go."""
        if user_id not in self._ims:
            response = await self.client.conversations_open(users=user_id)
            self._ims[user_id] = str(response["channel"]["id"])
        return self._ims[user_id]

    def remember_im(self, user_id: str, channel_id: str) -> None:
        self._ims[user_id] = channel_id

    async def identity(self, user_id: str, channel_id: str | None = None) -> Identity:
        if channel_id:
            self.remember_im(user_id, channel_id)
        return Identity("slack", user_id, channel_id or await self.im_channel(user_id))

    async def display_name(self, user_id: str) -> str | None:
        await self._look_up(user_id)
        return self._names.get(user_id)

    async def locale(self, user_id: str) -> str | None:
        """The user's Slack locale ("en-GB"), so that "11/05" can be read as they mean it."""
        await self._look_up(user_id)
        return self._locales.get(user_id)

    async def _look_up(self, user_id: str) -> None:
        if user_id in self._names:
            return
        try:
            user = (await self.client.users_info(user=user_id, include_locale=True))["user"]
        except SlackApiError as error:
            log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
            return
        profile = user.get("profile") or {}
        self._names[user_id] = profile.get("display_name") or user.get("real_name") or user.get("name")
        self._locales[user_id] = user.get("locale")
