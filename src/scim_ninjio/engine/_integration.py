"""
The integration's lifecycle (rules I1, I2 and I3).

JumpCloud's IdM connection is activated (after verifying the connection),
deactivated (every push stops, NINJIO is left as it is), and its token can
be changed only while it is deactivated. :class:`Integration` keeps that
state in the ledger, so that it survives restarts; the token itself stays in
memory only and never reaches the ledger.
"""

from __future__ import annotations

from collections.abc import Callable

from scim_ninjio._ops import Verification
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine._engine import Engine, RecordCallback
from scim_ninjio.exceptions import ActivationError, IntegrationStateError
from scim_ninjio.ledger import Ledger
from scim_ninjio.policy import SyncSettings
from scim_ninjio.transports import BearerToken


__all__ = ["Integration"]

_ACTIVE = "integration.active"
_BASE_URL = "integration.base_url"

#: Builds the client for a base URL and a token.
ClientFactory = Callable[[str, BearerToken], NinjioClient]


class Integration:
    """
    The IdM connection between JumpCloud and NINJIO.

    Args:
        ledger: Where the lifecycle state is kept, beside the links.
        base_url: NINJIO's SCIM base URL.
        client_factory: Builds the client for a base URL and a token;
            by default a :class:`~scim_ninjio.client.NinjioClient`.

    >>> from scim_ninjio.ledger import MemoryLedger
    >>> integration = Integration(MemoryLedger(), base_url="https://ninjio.test")
    >>> integration.active
    False
    >>> integration.engine()
    Traceback (most recent call last):
    ...
    scim_ninjio.exceptions.IntegrationStateError: the integration is deactivated: ...
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        base_url: str,
        client_factory: ClientFactory | None = None,
    ) -> None:
        self.ledger = ledger
        self.base_url = base_url
        self._factory: ClientFactory = client_factory or NinjioClient
        self._token: BearerToken | None = None
        self._client: NinjioClient | None = None

    def __repr__(self) -> str:
        state = "active" if self.active else "deactivated"
        return f"<Integration {self.base_url!r} {state}>"

    @property
    def active(self) -> bool:
        """Whether the integration pushes changes to NINJIO."""
        return self.ledger.setting(_ACTIVE) == "true"

    def activate(self, token: str | BearerToken | None = None) -> Verification:
        """
        Verify the connection, then activate (rule I1).

        Args:
            token: The token to use; the token set by :meth:`change_token`
                (or the last one) when None.

        Returns:
            What the server supports.

        Raises:
            ActivationError: The connection failed; ``failure`` says which
                way (bad token, wrong URL, TLS, unreachable, server). The
                integration stays deactivated.
            IntegrationStateError: No token was ever given.
        """
        if token is not None:
            if self.active and self._token is not None:
                self._check_same(token)
            self._token = (
                token if isinstance(token, BearerToken) else BearerToken(token)
            )
        if self._token is None:
            raise IntegrationStateError(
                "no token to activate with: pass the NINJIO Secret Token"
            )
        client = self._factory(self.base_url, self._token)
        verification = client.verify()
        if not verification.ok:
            client.close()
            raise ActivationError(
                f"activation failed: {verification.message}",
                failure=verification.failure or "server",
            )
        if self._client is not None:
            self._client.close()
        self._client = client
        with self.ledger.transaction():
            self.ledger.put_setting(_ACTIVE, "true")
            self.ledger.put_setting(_BASE_URL, self.base_url)

        return verification

    def _check_same(self, token: str | BearerToken) -> None:
        given = token.reveal() if isinstance(token, BearerToken) else token
        if self._token is not None and given != self._token.reveal():
            raise IntegrationStateError(
                "the token can change only while the integration is deactivated "
                "(I2): deactivate, change the token, then activate again"
            )

    def deactivate(self) -> None:
        """Stop every push; nothing is sent to NINJIO (rule I3)."""
        with self.ledger.transaction():
            self.ledger.put_setting(_ACTIVE, "false")
        if self._client is not None:
            self._client.close()
            self._client = None

    def change_token(self, token: str | BearerToken) -> None:
        """
        Replace the token; allowed only while deactivated (rule I2).

        :meth:`activate` then verifies the new token.

        Raises:
            IntegrationStateError: The integration is active.
        """
        if self.active:
            raise IntegrationStateError(
                "the token can change only while the integration is deactivated "
                "(I2): deactivate, change the token, then activate again"
            )
        self._token = token if isinstance(token, BearerToken) else BearerToken(token)

    def engine(
        self,
        settings: SyncSettings | None = None,
        *,
        on_record: RecordCallback | None = None,
    ) -> Engine:
        """
        Return an engine that pushes through the verified connection.

        Raises:
            IntegrationStateError: The integration is deactivated (I3), or was
                activated by another process: activate it here first.
        """
        if not self.active:
            raise IntegrationStateError(
                "the integration is deactivated: nothing is pushed until it is "
                "activated again (I3)"
            )
        if self._client is None:
            raise IntegrationStateError(
                "the integration is active but this process has no verified "
                "connection: call activate() with the token first"
            )

        return Engine(self._client, self.ledger, settings, on_record=on_record)

    def close(self) -> None:
        """Close the connection, if open; the lifecycle state is kept."""
        if self._client is not None:
            self._client.close()
            self._client = None
