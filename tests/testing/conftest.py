"""Fixtures for the test kit's own tests: an emulator and a way to call it."""

from __future__ import annotations

import datetime as dt
import json

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pytest

from scim_ninjio import Request, Response
from scim_ninjio.testing.emulator import DEFAULT_TOKEN, Emulator


@attrs.frozen
class Answer:
    """A response with its body decoded, for assertions."""

    response: Response

    @property
    def status(self) -> int:
        """The response's status."""
        return self.response.status

    def header(self, name: str) -> str | None:
        """A response header by name."""
        return self.response.header(name)

    @property
    def json(self) -> Any:
        """The body, parsed as JSON."""
        return json.loads(self.response.body)


class Caller:
    """Sends requests to a handler with a valid token, JSON bodies encoded."""

    def __init__(
        self, handler: Callable[[Request], Response], token: str = DEFAULT_TOKEN
    ) -> None:
        self.handler = handler
        self.token = token

    def __call__(
        self,
        method: str,
        target: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send a request; a body that is not bytes is sent as JSON."""
        all_headers = {"authorization": f"Bearer {self.token}"}
        if body is not None:
            all_headers["content-type"] = "application/scim+json"
        all_headers.update(headers or {})
        raw = body if isinstance(body, bytes) else None
        if body is not None and raw is None:
            raw = json.dumps(body).encode()

        return Answer(self.handler(Request(method, target, all_headers, raw)))

    def create_user(self, user_name: str, **attributes: Any) -> dict[str, Any]:
        """Create a user by POST; return its JSON."""
        answer = self("POST", "/Users", {"userName": user_name, **attributes})
        assert answer.status == 201, answer.json
        return answer.json

    def create_group(
        self, display_name: str, members: tuple[str, ...] = (), **attributes: Any
    ) -> dict[str, Any]:
        """Create a group by POST with these member ids; return its JSON."""
        body = {
            "displayName": display_name,
            "members": [{"value": m} for m in members],
            **attributes,
        }
        answer = self("POST", "/Groups", body)
        assert answer.status == 201, answer.json
        return answer.json


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        """Tell the time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += dt.timedelta(seconds=seconds)


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def clock() -> Clock:
    """A clock that moves only when told to."""
    return Clock()


@pytest.fixture
def emulator(clock: Clock) -> Emulator:
    """A NINJIO emulator on the test clock."""
    return Emulator(clock=clock)


@pytest.fixture
def call(emulator: Emulator) -> Caller:
    """A caller bound to the emulator."""
    return Caller(emulator)


@pytest.fixture
def caller_for() -> Callable[[Callable[[Request], Response]], Caller]:
    """Return a factory of callers for other handlers than the default one."""
    return Caller
