"""The SCIM User resource and its enterprise extension (:rfc:`7643#section-4`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from scim_ninjio import _constants
from scim_ninjio.models._base import Meta, MultiValuedAttribute, extra_field, scim


__all__ = [
    "Address",
    "Email",
    "EnterpriseUser",
    "Entitlement",
    "GroupMembership",
    "Im",
    "Manager",
    "Name",
    "PhoneNumber",
    "Photo",
    "Role",
    "User",
    "X509Certificate",
]


@attrs.frozen(kw_only=True)
class Name:
    """
    The parts of a person's name (:rfc:`7643#section-4.1.1`).

    Attributes:
        formatted: The full name, formatted for display.
        family_name: The family name (``"Jensen"``).
        given_name: The given name (``"Barbara"``).
        middle_name: The middle name or names.
        honorific_prefix: Titles before the name (``"Ms."``).
        honorific_suffix: Titles after the name (``"III"``).
        extra: Sub-attributes that this model does not know.
    """

    formatted: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    middle_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Email(MultiValuedAttribute):
    """An email address; ``value`` is the address (:rfc:`7643#section-4.1.2`)."""


@attrs.frozen(kw_only=True)
class PhoneNumber(MultiValuedAttribute):
    """A phone number; ``value`` is the number, ideally in :rfc:`3966` form."""


@attrs.frozen(kw_only=True)
class Im(MultiValuedAttribute):
    """An instant-messaging address (``ims``); ``type`` names the service."""


@attrs.frozen(kw_only=True)
class Photo(MultiValuedAttribute):
    """A URL of a photo of the user (``photos``); ``type`` is photo or thumbnail."""


@attrs.frozen(kw_only=True)
class Entitlement(MultiValuedAttribute):
    """An entitlement of the user (``entitlements``)."""


@attrs.frozen(kw_only=True)
class Role(MultiValuedAttribute):
    """A role of the user (``roles``)."""


@attrs.frozen(kw_only=True)
class X509Certificate(MultiValuedAttribute):
    """A DER certificate of the user, base64-encoded (``x509Certificates``)."""


@attrs.frozen(kw_only=True)
class Address:
    """
    A physical mailing address (:rfc:`7643#section-4.1.2`).

    Attributes:
        formatted: The full address, formatted for display or a mailing label.
        street_address: The street, house number and the like.
        locality: The city or locality.
        region: The state or region.
        postal_code: The zip or postal code.
        country: The country, as an ISO 3166-1 alpha-2 code.
        type: ``"work"``, ``"home"`` or ``"other"``.
        primary: Whether this is the preferred address.
        extra: Sub-attributes that this model does not know.
    """

    formatted: str | None = None
    street_address: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    type: str | None = None
    primary: bool | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class GroupMembership:
    """
    A group the user belongs to, as the server reports it (read-only).

    Attributes:
        value: The ``id`` of the group.
        ref: The URI of the group (``$ref`` on the wire).
        display: The group's display name.
        type: ``"direct"`` or ``"indirect"`` membership.
        extra: Sub-attributes that this model does not know.
    """

    value: str | None = None
    ref: str | None = attrs.field(default=None, metadata=scim(wire="$ref"))
    display: str | None = None
    type: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Manager:
    """
    The user's manager, in the enterprise extension.

    Attributes:
        value: The ``id`` of the manager's User resource.
        ref: The URI of the manager's User resource (``$ref`` on the wire).
        display_name: The manager's display name (read-only).
        extra: Sub-attributes that this model does not know.
    """

    value: str | None = None
    ref: str | None = attrs.field(default=None, metadata=scim(wire="$ref"))
    display_name: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class EnterpriseUser:
    """
    The enterprise User extension (:rfc:`7643#section-4.3`).

    On the wire it sits under its schema URN,
    ``urn:ietf:params:scim:schemas:extension:enterprise:2.0:User``.

    Attributes:
        employee_number: The organisation's identifier for the person.
        cost_center: The cost center.
        organization: The organisation.
        division: The division.
        department: The department; NINJIO builds groups from it (rule N2).
        manager: The person's manager.
        extra: Attributes of the extension that this model does not know.
    """

    #: The schema URN of the extension.
    URN: ClassVar[str] = _constants.ENTERPRISE_USER

    employee_number: str | None = None
    cost_center: str | None = None
    organization: str | None = None
    division: str | None = None
    department: str | None = None
    manager: Manager | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class User:
    """
    A SCIM User: every attribute of :rfc:`7643#section-4.1`.

    Multi-valued attributes are tuples, empty when absent. ``groups`` is
    read-only: the server fills it and request bodies leave it out.
    ``password`` is write-only: it is sent when set, servers never return it,
    and :func:`repr` never shows it.

    Attributes:
        id: The server's identifier for the user (read-only).
        external_id: The client's identifier for the user; scim_ninjio puts
            JumpCloud's ``employeeIdentifier`` here.
        meta: The resource's metadata (read-only).
        user_name: The unique name the user signs in with; the server
            compares it without regard to case.
        name: The parts of the user's name.
        display_name: The name to show for the user.
        nick_name: A casual name.
        profile_url: The URL of the user's online profile.
        title: The user's job title.
        user_type: The relationship to the organisation (``"Employee"``).
        preferred_language: The preferred language, as an HTTP
            ``Accept-Language`` value.
        locale: The default location for localisation (``"en-US"``).
        timezone: The time zone, as an IANA name (``"America/Los_Angeles"``).
        active: Whether the user's account is active.
        password: A new password (write-only; never shown by ``repr``).
        emails: Email addresses.
        phone_numbers: Phone numbers.
        ims: Instant-messaging addresses.
        photos: Photo URLs.
        addresses: Physical addresses.
        groups: The groups the user belongs to (read-only).
        entitlements: Entitlements.
        roles: Roles.
        x509_certificates: Certificates.
        enterprise: The enterprise extension, if present.
        extensions: Extensions this model does not know, by schema URN. An
            empty mapping under a URN means the URN is listed in ``schemas``
            without attributes.
        extra: Core attributes that this model does not know.
    """

    #: The core schema URN of the resource.
    SCHEMA: ClassVar[str] = _constants.USER
    #: The endpoint of the resource type.
    ENDPOINT: ClassVar[str] = "/Users"

    id: str | None = attrs.field(default=None, metadata=scim(read_only=True))
    external_id: str | None = None
    meta: Meta | None = attrs.field(default=None, metadata=scim(read_only=True))
    user_name: str | None = None
    name: Name | None = None
    display_name: str | None = None
    nick_name: str | None = None
    profile_url: str | None = None
    title: str | None = None
    user_type: str | None = None
    preferred_language: str | None = None
    locale: str | None = None
    timezone: str | None = None
    active: bool | None = None
    password: str | None = attrs.field(default=None, repr=False)
    emails: tuple[Email, ...] = ()
    phone_numbers: tuple[PhoneNumber, ...] = ()
    ims: tuple[Im, ...] = ()
    photos: tuple[Photo, ...] = ()
    addresses: tuple[Address, ...] = ()
    groups: tuple[GroupMembership, ...] = attrs.field(
        default=(), metadata=scim(read_only=True)
    )
    entitlements: tuple[Entitlement, ...] = ()
    roles: tuple[Role, ...] = ()
    x509_certificates: tuple[X509Certificate, ...] = ()
    enterprise: EnterpriseUser | None = attrs.field(
        default=None, metadata=scim(wire=_constants.ENTERPRISE_USER)
    )
    extensions: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, hash=False, metadata={"scim_ninjio": {"extensions": True}}
    )
    extra: Mapping[str, Any] = extra_field()

    @property
    def primary_email(self) -> str | None:
        """
        The address to treat as the user's email, or None.

        The primary address if one is marked primary, else the first work
        address, else the first address.
        """
        for email in self.emails:
            if email.primary:
                return email.value
        for email in self.emails:
            if email.type == "work":
                return email.value

        return self.emails[0].value if self.emails else None
