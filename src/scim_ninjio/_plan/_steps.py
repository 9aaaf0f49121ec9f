"""
The plan and its steps: values that say what will change in NINJIO, and why.

Every step names the rule that caused it and carries a sentence a person can
read, so that a dry run reads as an audit::

    deactivate alice (U5: removed from Sales, in no other bound group)

A plan is deterministic (the same inputs give the same steps in the same
order) and serialises to JSON and back, so that it can be reviewed, stored
and applied later.
"""

from __future__ import annotations

import datetime as dt

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import attrs
import cattrs

from cattrs.strategies import configure_tagged_union

from scim_ninjio import _codec
from scim_ninjio.exceptions import ValidationError
from scim_ninjio.models import PatchOperation, User
from scim_ninjio.policy import Placement, RuleId


__all__ = [
    "AddMembers",
    "AdoptUser",
    "CreateGroup",
    "CreateUser",
    "DeactivateUser",
    "DeleteGroup",
    "Plan",
    "Problem",
    "ReleaseGroup",
    "RelinkGroup",
    "RemoveMembers",
    "RenameGroup",
    "Step",
    "TakeOverGroup",
    "UpdateUser",
]


@attrs.frozen(kw_only=True)
class Step:
    """
    One change to make in NINJIO (or, for a few, only in the ledger).

    Attributes:
        id: Unique within the plan (``"user.create:5f1b..."``).
        rule: The rule that caused the step.
        reason: Why, in words (``"removed from Sales, in no other bound
            group"``).
        depends_on: The ids of steps that must succeed first; when one
            fails, this step is skipped and reported.
    """

    #: What the step does, as a dotted name (``"user.create"``).
    action: ClassVar[str] = ""
    #: The phase the step runs in; phases run in order (users, groups,
    #: memberships, deletions).
    phase: ClassVar[int] = 0
    #: Whether the step changes only the ledger, not NINJIO.
    ledger_only: ClassVar[bool] = False

    id: str
    rule: RuleId
    reason: str
    depends_on: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """What the step acts on, in words."""
        return ""

    def describe(self) -> str:
        """
        Return the step as one line of an audit.

        >>> DeactivateUser(id="x", rule="U5", reason="removed from Sales",
        ...     jumpcloud_id="u1", ninjio_id="n1", user_name="alice").describe()
        'deactivate alice (U5: removed from Sales)'
        """
        verb = self.action.split(".", 1)[1].replace("_", " ")
        return f"{verb} {self.subject} ({self.rule}: {self.reason})"


@attrs.frozen(kw_only=True)
class CreateUser(Step):
    """
    Create a NINJIO user for a JumpCloud user (rule U2).

    Attributes:
        jumpcloud_id: The JumpCloud user's id.
        user_name: The userName to create.
        user: The SCIM user to send.
    """

    action: ClassVar[str] = "user.create"
    phase: ClassVar[int] = 1

    jumpcloud_id: str
    user_name: str
    user: User

    @property
    def subject(self) -> str:
        """The userName."""
        return self.user_name


@attrs.frozen(kw_only=True)
class AdoptUser(Step):
    """
    Take an existing NINJIO user into management, then update it (rule U2).

    Attributes:
        jumpcloud_id: The JumpCloud user's id.
        ninjio_id: The NINJIO user's id.
        user_name: The userName.
        operations: The changes that bring the account in line (may be none).
        active: The ``active`` state the account has after the step.
    """

    action: ClassVar[str] = "user.adopt"
    phase: ClassVar[int] = 1

    jumpcloud_id: str
    ninjio_id: str
    user_name: str
    operations: tuple[PatchOperation, ...] = ()
    active: bool = True

    @property
    def subject(self) -> str:
        """The userName."""
        return self.user_name


@attrs.frozen(kw_only=True)
class UpdateUser(Step):
    """
    Send a managed user's changed attributes (rules U3 and U4).

    Attributes:
        jumpcloud_id: The JumpCloud user's id.
        ninjio_id: The NINJIO user's id.
        user_name: The userName.
        operations: Exactly the changed attributes.
    """

    action: ClassVar[str] = "user.update"
    phase: ClassVar[int] = 1

    jumpcloud_id: str
    ninjio_id: str
    user_name: str
    operations: tuple[PatchOperation, ...]

    @property
    def subject(self) -> str:
        """The userName."""
        return self.user_name


@attrs.frozen(kw_only=True)
class DeactivateUser(Step):
    """
    Set a managed user who left scope to ``active=false`` (rules U5, G5, G6).

    Users are never deleted in NINJIO; this is the only way out.

    Attributes:
        jumpcloud_id: The JumpCloud user's id.
        ninjio_id: The NINJIO user's id.
        user_name: The userName.
    """

    action: ClassVar[str] = "user.deactivate"
    phase: ClassVar[int] = 7

    jumpcloud_id: str
    ninjio_id: str
    user_name: str

    @property
    def subject(self) -> str:
        """The userName."""
        return self.user_name


@attrs.frozen(kw_only=True)
class CreateGroup(Step):
    """
    Push a bound group with in-scope members as a NINJIO group (rule G1).

    Attributes:
        jumpcloud_id: The JumpCloud group's id.
        display_name: The group's name.
    """

    action: ClassVar[str] = "group.create"
    phase: ClassVar[int] = 2

    jumpcloud_id: str
    display_name: str

    @property
    def subject(self) -> str:
        """The group's name."""
        return repr(self.display_name)


@attrs.frozen(kw_only=True)
class TakeOverGroup(Step):
    """
    Manage an existing NINJIO group of the same name (rule G2).

    Attributes:
        jumpcloud_id: The JumpCloud group's id.
        ninjio_id: The NINJIO group's id.
        display_name: The group's name.
    """

    action: ClassVar[str] = "group.take_over"
    phase: ClassVar[int] = 2
    ledger_only: ClassVar[bool] = True

    jumpcloud_id: str
    ninjio_id: str
    display_name: str

    @property
    def subject(self) -> str:
        """The group's name."""
        return repr(self.display_name)


@attrs.frozen(kw_only=True)
class RelinkGroup(Step):
    """
    Manage again a group the ledger still links (rules G5 and G7).

    A group that was unbound, or that stayed as it was while group management
    was off, is found through the ledger when it comes back.

    Attributes:
        jumpcloud_id: The JumpCloud group's id.
        ninjio_id: The NINJIO group's id.
        display_name: The group's name.
    """

    action: ClassVar[str] = "group.relink"
    phase: ClassVar[int] = 2
    ledger_only: ClassVar[bool] = True

    jumpcloud_id: str
    ninjio_id: str
    display_name: str

    @property
    def subject(self) -> str:
        """The group's name."""
        return repr(self.display_name)


@attrs.frozen(kw_only=True)
class RenameGroup(Step):
    """
    Rename a managed group, found through the ledger (rule G4).

    Attributes:
        jumpcloud_id: The JumpCloud group's id.
        ninjio_id: The NINJIO group's id.
        old_name: The name NINJIO has.
        display_name: The new name.
    """

    action: ClassVar[str] = "group.rename"
    phase: ClassVar[int] = 2

    jumpcloud_id: str
    ninjio_id: str
    old_name: str
    display_name: str

    @property
    def subject(self) -> str:
        """The old and new names."""
        return f"{self.old_name!r} to {self.display_name!r}"


@attrs.frozen(kw_only=True)
class RemoveMembers(Step):
    """
    Remove managed users from a managed group (rule G3), one PATCH.

    Attributes:
        jumpcloud_id: The JumpCloud group's id.
        ninjio_id: The NINJIO group's id.
        display_name: The group's name.
        member_ids: The NINJIO ids of the members to remove.
        member_names: Their userNames, for the audit.
    """

    action: ClassVar[str] = "group.remove_members"
    phase: ClassVar[int] = 3

    jumpcloud_id: str
    ninjio_id: str
    display_name: str
    member_ids: tuple[str, ...]
    member_names: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """The members and the group."""
        return (
            f"{_names(self.member_names, self.member_ids)} from {self.display_name!r}"
        )


@attrs.frozen(kw_only=True)
class AddMembers(Step):
    """
    Add in-scope users to a managed group (rule G3), one PATCH.

    Members are named by their JumpCloud ids: users created earlier in the
    same run get their NINJIO ids only then, through the ledger.

    Attributes:
        jumpcloud_id: The JumpCloud group's id.
        ninjio_id: The NINJIO group's id, if it exists yet.
        display_name: The group's name.
        member_jumpcloud_ids: The JumpCloud ids of the members to add.
        member_names: Their userNames, for the audit.
    """

    action: ClassVar[str] = "group.add_members"
    phase: ClassVar[int] = 4

    jumpcloud_id: str
    ninjio_id: str | None
    display_name: str
    member_jumpcloud_ids: tuple[str, ...]
    member_names: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """The members and the group."""
        names = _names(self.member_names, self.member_jumpcloud_ids)
        return f"{names} to {self.display_name!r}"


@attrs.frozen(kw_only=True)
class ReleaseGroup(Step):
    """
    Stop managing an unbound group and leave it as it is (rule G5).

    Attributes:
        jumpcloud_id: The JumpCloud group's id.
        ninjio_id: The NINJIO group's id.
        display_name: The group's name.
    """

    action: ClassVar[str] = "group.release"
    phase: ClassVar[int] = 5
    ledger_only: ClassVar[bool] = True

    jumpcloud_id: str
    ninjio_id: str
    display_name: str

    @property
    def subject(self) -> str:
        """The group's name."""
        return repr(self.display_name)


@attrs.frozen(kw_only=True)
class DeleteGroup(Step):
    """
    Delete a managed group that was deleted in JumpCloud (rule G6).

    Attributes:
        jumpcloud_id: The JumpCloud group's id.
        ninjio_id: The NINJIO group's id.
        display_name: The group's name.
    """

    action: ClassVar[str] = "group.delete"
    phase: ClassVar[int] = 6

    jumpcloud_id: str
    ninjio_id: str
    display_name: str

    @property
    def subject(self) -> str:
        """The group's name."""
        return repr(self.display_name)


def _names(names: tuple[str, ...], ids: tuple[str, ...]) -> str:
    shown = list(names or ids)
    if len(shown) > 3:
        return f"{', '.join(shown[:3])} and {len(shown) - 3} more"

    return ", ".join(shown)


#: Every kind of step, by action.
STEP_TYPES: Mapping[str, type[Step]] = {
    cls.action: cls
    for cls in (
        CreateUser,
        AdoptUser,
        UpdateUser,
        DeactivateUser,
        CreateGroup,
        TakeOverGroup,
        RelinkGroup,
        RenameGroup,
        RemoveMembers,
        AddMembers,
        ReleaseGroup,
        DeleteGroup,
    )
}


@attrs.frozen(kw_only=True)
class Problem:
    """
    A record the plan skipped, and why (rule U7, or a conflict).

    Attributes:
        kind: ``"user"`` or ``"group"``.
        jumpcloud_id: The JumpCloud record's id.
        name: Its username or group name, if it has one.
        rule: The rule that skipped it.
        reason: What is wrong, and what to do.
    """

    kind: Literal["user", "group"]
    jumpcloud_id: str
    name: str | None
    rule: RuleId
    reason: str

    def describe(self) -> str:
        """Return the problem as one line."""
        who = f"{self.kind} {self.name!r}" if self.name else self.kind
        return f"skip {who} ({self.jumpcloud_id}) ({self.rule}: {self.reason})"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@attrs.frozen(kw_only=True)
class Plan:
    """
    What a sync will do, in order, and why.

    Attributes:
        steps: The steps, in the order they run.
        problems: Records that were skipped, with the reason (U7).
        placements: Where NINJIO will place each pushed user (N1-N4), by
            JumpCloud id.
        notes: Things the reader should know (``"the source was not read
            completely: no one is deactivated"``).
        complete: Whether the source was read completely; only then are
            users deactivated and groups deleted.
        group_management: Whether group steps were planned (G7).
        managed_users: How many users the integration manages and has not
            deactivated, for the deactivation threshold: the people a run
            could take access from.
        targeted: Whether the plan covers only the records an event named
            (G8), rather than the whole directory.
        created_at: When the plan was made.
    """

    steps: tuple[Step, ...] = ()
    problems: tuple[Problem, ...] = ()
    placements: Mapping[str, Placement] = attrs.field(factory=dict, hash=False)
    notes: tuple[str, ...] = ()
    complete: bool = True
    group_management: bool = True
    managed_users: int = 0
    targeted: bool = False
    created_at: dt.datetime = attrs.field(factory=_now, eq=False)

    @property
    def empty(self) -> bool:
        """Whether the plan changes nothing."""
        return not self.steps

    @property
    def deactivations(self) -> int:
        """How many users the plan deactivates."""
        return sum(isinstance(s, DeactivateUser) for s in self.steps)

    def counts(self) -> dict[str, int]:
        """
        Return how many steps of each action the plan holds.

        >>> Plan().counts()
        {}
        """
        out: dict[str, int] = {}
        for step in self.steps:
            out[step.action] = out.get(step.action, 0) + 1

        return out

    def explain(self) -> tuple[str, ...]:
        """Return the plan as audit lines: the steps, then the problems."""
        return (
            *(step.describe() for step in self.steps),
            *(problem.describe() for problem in self.problems),
            *(f"note: {note}" for note in self.notes),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the plan as a JSON-ready document (see :meth:`from_json`)."""
        return {"format": PLAN_FORMAT, **_plan_converter.unstructure(self)}

    @classmethod
    def from_json(cls, data: Any) -> Plan:
        """
        Read a plan written by :meth:`to_json`.

        Raises:
            ValidationError: The document is not such a plan.
        """
        if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
            raise ValidationError(
                f"not a scim_ninjio plan: expected an object with "
                f'"format": "{PLAN_FORMAT}"',
                subject="plan",
            )
        body = {k: v for k, v in data.items() if k != "format"}
        try:
            return _plan_converter.structure(body, Plan)
        except (cattrs.BaseValidationError, ValidationError, ValueError) as e:
            raise ValidationError(
                f"invalid plan: {_first_error(e)}", subject="plan"
            ) from e


#: The format name and version of a plan document.
PLAN_FORMAT = "scim-ninjio.plan/1"


def _first_error(error: Exception) -> str:
    if isinstance(error, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(error, path="$"))
    return str(error)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_unstructure_hook(User, lambda u: _codec.encode(u, request=True))
    converter.register_structure_hook(User, lambda d, _: _codec.decode(d, User))
    converter.register_unstructure_hook(PatchOperation, _codec.encode)
    converter.register_structure_hook(
        PatchOperation, lambda d, _: _codec.decode(d, PatchOperation)
    )
    converter.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    converter.register_structure_hook(
        dt.datetime, lambda v, _: dt.datetime.fromisoformat(v)
    )
    step_union: Any = None
    for cls in STEP_TYPES.values():
        step_union = cls if step_union is None else step_union | cls
    configure_tagged_union(
        step_union,
        converter,
        tag_generator=lambda cls: str(getattr(cls, "action")),  # noqa: B009 -- typed as type
        tag_name="action",
    )
    steps_type = tuple[Step, ...]
    converter.register_structure_hook_func(
        lambda t: t == steps_type,
        lambda items, _: tuple(converter.structure(i, step_union) for i in items),
    )
    converter.register_unstructure_hook_func(
        lambda t: t == steps_type,
        lambda steps: [converter.unstructure(s, step_union) for s in steps],
    )

    return converter


_plan_converter = _make_converter()
