"""Who a browser is: a random chat id in a signed cookie, and the CSRF token its forms carry.

The cookie is signed with the server's secret key (itsdangerous), so a visitor cannot make up
another's chat id; it is HttpOnly and SameSite=Lax. Every form carries a token derived from the
chat id with the same key (HMAC), so a page of another site cannot post in the user's name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "appealdesk_chat"
# A user who comes back within this time finds the same conversation; each visit starts it again.
LIFETIME = timedelta(days=180)
SALT = "appealdesk.web.chat"


class Sessions:
    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self._csrf_key = hmac.new(secret_key.encode(), b"appealdesk.web.csrf", hashlib.sha256).digest()

    def chat_of(self, request: Request) -> str | None:
        """The chat id of the browser's cookie, if it is ours and not too old."""
        return self.chat_in(request.cookies.get(COOKIE))

    def chat_in(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            chat_id = self._serializer.loads(value, max_age=int(LIFETIME.total_seconds()))
        except BadSignature:
            return None
        return chat_id if isinstance(chat_id, str) else None

    @staticmethod
    def new_chat() -> str:
        return secrets.token_urlsafe(18)

    def keep(self, response: Response, chat_id: str, request: Request) -> None:
        """Sets (or renews) the cookie; Secure when the page came over HTTPS."""
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(chat_id),
            max_age=int(LIFETIME.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def csrf(self, chat_id: str) -> str:
        return hmac.new(self._csrf_key, chat_id.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, chat_id: str, token: object) -> bool:
        """Compared as bytes: `compare_digest` refuses a str with non-ASCII characters with a TypeError (a 500)."""
        return isinstance(token, str) and hmac.compare_digest(
            token.encode(errors="replace"), self.csrf(chat_id).encode()
        )
