"""
HTTP as values: what the sans-I/O layers exchange with the transports.

The protocol code (:mod:`scim_ninjio._ops`) yields :class:`Request` and
:class:`Sleep` values and receives :class:`Response` values; the emulator
answers a :class:`Request` with a :class:`Response`. None of them knows a
socket.

Header names are lower case in both directions, so that lookups need no case
folding. A :class:`Request` never carries the bearer token: transports add the
``authorization`` header on the wire only, so no request value, log line or
error can leak it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs


__all__ = ["Request", "Response", "Sleep"]


def _frozen_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    return {k.lower(): v for k, v in headers.items()}


@attrs.frozen
class Request:
    """
    An HTTP request, before a transport sends it.

    Attributes:
        method: The HTTP method, upper case.
        target: The path and query, relative to the service's base URL
            (``"/Users?filter=userName%20eq%20%22bjensen%22"``).
        headers: Request headers with lower-case names, without
            ``authorization``.
        body: The body, or None.
        idempotent: Whether sending it twice has the effect of sending it once;
            decides what the retry policy may do.
    """

    method: str
    target: str
    headers: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_headers, hash=False
    )
    body: bytes | None = attrs.field(default=None, repr=False)
    idempotent: bool = attrs.field(
        default=attrs.Factory(
            lambda self: self.method in {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"},
            takes_self=True,
        )
    )

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.partition("?")[0]

    @property
    def query(self) -> dict[str, str]:
        """The query parameters, decoded; the last of a repeated name wins."""
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))

    def header(self, name: str, default: str | None = None) -> str | None:
        """Return a header's value by its name, in any case."""
        return self.headers.get(name.lower(), default)


@attrs.frozen
class Response:
    """
    An HTTP response, as a transport received it.

    Attributes:
        status: The status code.
        headers: Response headers with lower-case names.
        body: The body, possibly empty.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_headers, hash=False
    )
    body: bytes = attrs.field(default=b"", repr=False)

    def header(self, name: str, default: str | None = None) -> str | None:
        """Return a header's value by its name, in any case."""
        return self.headers.get(name.lower(), default)

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters, lower case."""
        value = self.headers.get("content-type", "")
        return value.partition(";")[0].strip().lower()

    def __repr__(self) -> str:
        return f"Response(status={self.status}, body={len(self.body)} bytes)"


@attrs.frozen
class Sleep:
    """
    An instruction to wait before the next request (back-off between retries).

    Attributes:
        seconds: How long to wait.
        reason: Why, for the log (``"429 from POST /Users, attempt 2"``).
    """

    seconds: float
    reason: str = ""


def json_headers(extra: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Return the headers of a request with a SCIM JSON body."""
    headers = {
        "content-type": "application/scim+json",
        "accept": "application/scim+json, application/json",
    }
    if extra:
        headers.update({k.lower(): str(v) for k, v in extra.items()})

    return headers
