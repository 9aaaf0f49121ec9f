"""The settings, session and lifecycle that both clients share."""

from __future__ import annotations

import os
import warnings

from scim_ninjio._ops import Session
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.exceptions import ClientClosedError, ConfigurationError
from scim_ninjio.profiles import ServerProfile
from scim_ninjio.transports import (
    AsyncTransport,
    BearerToken,
    SyncTransport,
    Timeout,
    settings_for,
)


__all__ = ["ClientBase"]


class ClientBase:
    """The settings, session and lifecycle that both clients share."""

    _closed = True  # Until __init__ has finished, there is nothing to close.

    def __init__(
        self,
        base_url: str,
        token: str | BearerToken,
        *,
        transport: SyncTransport | AsyncTransport,
        profile: ServerProfile,
        retry: RetryPolicy,
        timeout: Timeout,
        verify: bool,
        ca_bundle: str | os.PathLike[str] | None,
        allow_insecure_http: bool,
        page_size: int | None,
        rate_limit: float | None,
        log_bodies: bool,
        pool_size: int,
    ) -> None:
        settings = settings_for(
            base_url,
            token,
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            allow_insecure_http=allow_insecure_http,
            pool_size=pool_size,
        )
        if page_size is not None and page_size < 1:
            raise ConfigurationError(f"page_size must be 1 or more, got {page_size}")
        if rate_limit is not None and rate_limit <= 0:
            raise ConfigurationError(
                f"rate_limit is in requests per second and must be more than 0, "
                f"got {rate_limit}"
            )
        transport.configure(settings)
        self.base_url = settings.base_url
        self.profile = profile
        self._session = Session(
            base_url=settings.base_url,
            profile=profile,
            policy=retry,
            page_size=page_size,
            rate_limit=rate_limit,
            log_bodies=log_bodies,
        )
        self._closed = False

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                f"this {type(self).__name__} for {self.base_url} is closed; make a "
                "new client"
            )

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, "
            f"profile={self.profile.name!r}, {state})"
        )

    def __del__(self) -> None:
        if not self._closed:
            warnings.warn(
                f"{type(self).__name__} for {self.base_url} was not closed; use it "
                "in a 'with' block or call close()",
                ResourceWarning,
                stacklevel=1,
                source=self,
            )
