"""Building the emulator's HTTP answers: SCIM JSON bodies, errors and ETags."""

from __future__ import annotations

import json

from collections.abc import Mapping
from typing import Any, Literal

from scim_ninjio import _constants
from scim_ninjio._codec import LONE_SURROGATE, dumps, holds_lone_surrogate
from scim_ninjio._http import Response
from scim_ninjio.exceptions import InvalidSyntaxError, ScimError
from scim_ninjio.models import Error


__all__ = [
    "error_body",
    "error_response",
    "etag_matches",
    "json_response",
    "read_json",
]


def json_response(
    status: int, document: Any, headers: Mapping[str, str] | None = None
) -> Response:
    """Answer with a SCIM JSON body."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    all_headers = {"content-type": _constants.SCIM_JSON}
    if headers:
        all_headers.update(headers)

    return Response(status, all_headers, body)


def error_body(status: int, scim_type: str | None, detail: str | None) -> bytes:
    """
    Return a SCIM Error body (:rfc:`7644#section-3.12`); ``status`` is a string.

    >>> error_body(404, None, "no such user")
    b'{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no such user"}'
    """  # noqa: E501 -- a doctest's output is one line
    if detail is not None:
        # A detail may quote what a client sent, lone surrogates included:
        # show them escaped rather than fail to encode the answer.
        detail = detail.encode("utf-8", "backslashreplace").decode("utf-8")

    return dumps(Error(status=status, scim_type=scim_type, detail=detail))


def error_response(
    error: ScimError,
    headers: Mapping[str, str] | None = None,
    *,
    status_as: Literal["string", "integer"] = "string",
) -> Response:
    """
    Answer a :class:`~scim_ninjio.exceptions.ScimError` raised by a handler.

    ``status_as="integer"`` writes the body's ``status`` as a JSON number.
    """
    all_headers = {"content-type": _constants.SCIM_JSON}
    if headers:
        all_headers.update(headers)
    body = error_body(error.status, error.scim_type, error.detail)
    if status_as == "integer":
        document = json.loads(body)
        document["status"] = error.status
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    return Response(error.status, all_headers, body)


def read_json(body: bytes | None, *, what: str) -> dict[str, Any]:
    """
    Parse a request body that must be a JSON object.

    Raises:
        InvalidSyntaxError: The body is missing, not JSON, or not an object.
    """
    if not body:
        raise InvalidSyntaxError(detail=f"{what} needs a JSON body; none was sent")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as e:
        raise InvalidSyntaxError(
            detail=f"the body of {what} is not valid JSON: {e}"
        ) from None
    if holds_lone_surrogate(body, document):
        raise InvalidSyntaxError(
            detail=f"the body of {what} is refused: {LONE_SURROGATE}"
        )
    if not isinstance(document, dict):
        raise InvalidSyntaxError(
            detail=f"the body of {what} must be a JSON object, "
            f"not {type(document).__name__}"
        )

    return document


def etag_matches(header: str, etag: str) -> bool:
    """
    Whether an ``If-Match`` or ``If-None-Match`` value names this entity tag.

    Tags compare without their weakness mark (:rfc:`9110#section-8.8.3.2`,
    weak comparison): SCIM servers hand out weak tags, and a strong
    comparison would make every ``If-Match`` fail (:rfc:`7644#section-3.14`).

    >>> etag_matches('W/"3", W/"4"', 'W/"4"')
    True
    >>> etag_matches('"5"', 'W/"4"')
    False
    """
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)

    return any(_opaque(tag) == wanted for tag in header.split(","))


def _opaque(tag: str) -> str:
    tag = tag.strip()
    if tag[:2].upper() == "W/":
        tag = tag[2:]

    return tag
