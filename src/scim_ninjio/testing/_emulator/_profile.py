"""What sets one SCIM server apart from another: the emulator's profiles."""

from __future__ import annotations

from typing import Literal

import attrs


__all__ = ["GENERIC_PROFILE", "NINJIO_PROFILE", "EmulatorProfile"]


@attrs.frozen(kw_only=True)
class EmulatorProfile:
    """
    The behaviour that sets one SCIM server apart from another.

    Attributes:
        name: The profile's name, for messages.
        user_delete: Whether ``DELETE /Users/{id}`` deletes the user. When
            not, it is answered 405 with a SCIM Error body, as NINJIO does.
        placement: Whether users are placed in NINJIO's own groups (rules N1
            to N4).
        unique_group_names: Whether a second group with the same displayName
            (compared without case) is refused with 409 ``uniqueness``.
        patch: Whether PATCH is supported; when not, PATCH is answered 501 and
            ``/ServiceProviderConfig`` says so.
        patch_status: 200 answers a PATCH with the resource; 204 with no body
            (both allowed by :rfc:`7644#section-3.5.2`).
        etags: Whether resources carry ``meta.version`` and ``ETag``, and
            ``If-Match`` / ``If-None-Match`` are honoured.
        cursor_paging: Whether cursor paging (:rfc:`9865`) is offered next to
            index paging.
        error_status: How an Error body writes its ``status``: as a JSON
            string, as :rfc:`7644#section-3.12` says, or as an integer, as
            some servers do, so that clients can be tested against both.
    """

    name: str
    user_delete: bool
    placement: bool
    unique_group_names: bool
    patch: bool = True
    patch_status: Literal[200, 204] = 200
    etags: bool = True
    cursor_paging: bool = True
    error_status: Literal["string", "integer"] = "string"


#: NINJIO as it behaves: no user DELETE, placement in its own groups, one
#: group per name.
NINJIO_PROFILE = EmulatorProfile(
    name="ninjio", user_delete=False, placement=True, unique_group_names=True
)

#: A plain SCIM 2.0 server: user DELETE allowed, no placement.
GENERIC_PROFILE = EmulatorProfile(
    name="generic", user_delete=True, placement=False, unique_group_names=False
)
