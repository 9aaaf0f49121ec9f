"""
What sets one SCIM server apart from another, in one value per server.

The client works against any :rfc:`7644` server. What a particular server
needs (NINJIO never deletes users, some servers want members removed by value
list) is a field of a :class:`ServerProfile`; nothing else in scim_ninjio
branches on the server.

What a server *says* it supports (PATCH, ETags, cursor paging, page sizes)
is not part of the profile: the client reads it from
``/ServiceProviderConfig``.

>>> NINJIO.user_delete
False
>>> GENERIC.user_delete
True
"""

from __future__ import annotations

from typing import Literal

import attrs

from scim_ninjio.exceptions import ConfigurationError


__all__ = ["GENERIC", "NINJIO", "ServerProfile"]


def _chunk_size(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ConfigurationError(
            f"ServerProfile.{attribute.name} must be 1 or more, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class ServerProfile:
    """
    The behaviour one SCIM server needs from the client.

    Attributes:
        name: A short name for messages and logs (``"NINJIO"``).
        user_delete: Whether ``DELETE /Users/{id}`` may be sent. When False,
            :meth:`~scim_ninjio.client.NinjioClient.delete_user` raises
            :class:`~scim_ninjio.exceptions.OperationNotAllowedError` before
            anything is sent.
        deactivation: How a user is deactivated: ``"patch"`` sends
            ``replace active=false``; ``"put"`` reads the user and sends it
            back whole with ``active`` false. ``"patch"`` falls back to
            ``"put"`` on a server that does not support PATCH.
        member_chunk_size: The most members one PATCH request adds or
            removes; larger changes go out in several requests.
        member_removal: How members are removed: ``"filter"`` sends one
            ``remove`` per member with the path ``members[value eq "id"]``
            (:rfc:`7644#section-3.5.2.2`); ``"value"`` sends one ``remove``
            with path ``members`` and a list of ``{"value": id}`` objects, the
            form some servers need.
        default_page_size: The page size to ask for when neither the caller
            nor the server's configuration names one.
    """

    name: str
    user_delete: bool = True
    deactivation: Literal["patch", "put"] = "patch"
    member_chunk_size: int = attrs.field(default=100, validator=_chunk_size)
    member_removal: Literal["filter", "value"] = "filter"
    default_page_size: int = attrs.field(default=100, validator=_chunk_size)


#: NINJIO: users are never deleted, only deactivated (rule U5).
#:
#: NINJIO publishes no limit on PATCH size; 100 members per request keeps a
#: body near 5 kB, far below what any SCIM server front end refuses.
NINJIO = ServerProfile(name="NINJIO", user_delete=False, deactivation="patch")

#: Any server that follows :rfc:`7644`, user DELETE included.
GENERIC = ServerProfile(name="generic SCIM", user_delete=True)
