"""Properties: no request makes the emulator raise, and its indexes stay true."""

import json
import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
)

from scim_ninjio import Request
from scim_ninjio.policy import NinjioSettings
from scim_ninjio.testing.emulator import Emulator, EmulatorProfile


STATUSES = {200, 201, 204, 304, 400, 401, 404, 405, 409, 412, 501}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
attribute_names = st.sampled_from(
    [
        "userName",
        "displayName",
        "members",
        "emails",
        "active",
        "name",
        "Operations",
        "op",
        "path",
        "value",
        "schemas",
        "filter",
        "count",
        "cursor",
        "id",
        "meta",
    ]
) | st.text(max_size=10)
bodies = (
    st.none()
    | st.binary(max_size=40)
    | st.dictionaries(attribute_names, json_values, max_size=5).map(
        lambda d: json.dumps(d).encode()
    )
)
segments = st.sampled_from(
    [
        "Users",
        "Groups",
        ".search",
        "ServiceProviderConfig",
        "ResourceTypes",
        "Schemas",
        "Bulk",
        "users",
        "%00",
        "..",
        "x",
    ]
) | st.text(max_size=8).map(lambda t: urllib.parse.quote(t, safe=""))
queries = st.dictionaries(
    st.sampled_from(
        [
            "filter",
            "count",
            "startIndex",
            "cursor",
            "sortBy",
            "sortOrder",
            "attributes",
            "excludedAttributes",
        ]
    ),
    st.text(max_size=20) | st.sampled_from(['userName eq "a"', "title pr", "-1", "2"]),
    max_size=3,
)


class TestAnyRequest:
    """Arbitrary requests."""

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
        path=st.lists(segments, max_size=3),
        query=queries,
        body=bodies,
    )
    def test_always_a_scim_answer(self, method, path, query, body):
        """Any request gets a known status and a SCIM body, never an exception."""
        emulator = Emulator(token=None, strict=bool(len(path) % 2))
        emulator.add_user({"userName": "a"}, user_id="u1")
        target = "/" + "/".join(path)
        if query:
            target += "?" + urllib.parse.urlencode(query)

        answer = emulator.handle(Request(method, target, body=body))

        assert answer.status in STATUSES
        if answer.status not in {204, 304}:
            document = json.loads(answer.body)
            assert isinstance(document["schemas"], list)


user_names = st.sampled_from(["alice", "ALICE", "bob", "Bob", "carol", "dave"])
departments = st.none() | st.sampled_from(["Sales", "Ops", "sales"])


class EmulatorMachine(RuleBasedStateMachine):
    """Random writes through HTTP-shaped requests; the indexes must stay true."""

    users = Bundle("users")
    groups = Bundle("groups")

    def __init__(self):
        super().__init__()
        self.emulator = Emulator(
            token=None,
            profile=EmulatorProfile(
                name="generic-placing",
                user_delete=True,
                placement=True,
                unique_group_names=False,
            ),
            placement=NinjioSettings(default_group=False),
        )

    def call(self, method, target, body=None):
        """Send a request; return the status and the parsed body."""
        raw = None if body is None else json.dumps(body).encode()
        answer = self.emulator.handle(Request(method, target, body=raw))
        return answer.status, (json.loads(answer.body) if answer.body else None)

    @rule(target=users, name=user_names, department=departments)
    def create_user(self, name, department):
        """POST a user, maybe with a department."""
        body = {"userName": name}
        if department:
            body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = {
                "department": department
            }
        status, document = self.call("POST", "/Users", body)
        assert status in {201, 409}
        return document["id"] if status == 201 else "missing"

    @rule(user=users, name=user_names)
    def rename_user(self, user, name):
        """Rename a user by PATCH."""
        status, _ = self.call(
            "PATCH",
            f"/Users/{user}",
            {"Operations": [{"op": "replace", "path": "userName", "value": name}]},
        )
        assert status in {200, 404, 409}

    @rule(user=consumes(users))
    def delete_user(self, user):
        """DELETE a user."""
        status, _ = self.call("DELETE", f"/Users/{user}")
        assert status in {204, 404}

    @rule(target=groups, members=st.lists(users, max_size=3, unique=True))
    def create_group(self, members):
        """POST a group with some of the users."""
        status, document = self.call(
            "POST",
            "/Groups",
            {"displayName": "g", "members": [{"value": m} for m in members]},
        )
        assert status in {201, 400}
        return document["id"] if status == 201 else "missing"

    @rule(group=groups, user=users, add=st.booleans())
    def change_members(self, group, user, add):
        """Add or remove a member by PATCH."""
        operation = (
            {"op": "add", "path": "members", "value": [{"value": user}]}
            if add
            else {"op": "remove", "path": f'members[value eq "{user}"]'}
        )
        status, _ = self.call("PATCH", f"/Groups/{group}", {"Operations": [operation]})
        assert status in {200, 400, 404}

    @rule(group=consumes(groups))
    def delete_group(self, group):
        """DELETE a group."""
        status, _ = self.call("DELETE", f"/Groups/{group}")
        assert status in {204, 404}

    @invariant()
    def user_names_are_indexed(self):
        """Every user is found by its userName, and by nothing else."""
        seen = set()
        for user in self.emulator.users:
            assert user.user_name.casefold() not in seen
            seen.add(user.user_name.casefold())
            query = urllib.parse.urlencode(
                {"filter": f'userName eq "{user.user_name}"'}
            )
            _, found = self.call("GET", f"/Users?{query}")
            assert [r["id"] for r in found["Resources"]] == [user.id]

    @invariant()
    def memberships_agree(self):
        """Users' groups and groups' members tell the same story."""
        groups = {g.id: {m.value for m in g.members} for g in self.emulator.groups}
        for user in self.emulator.users:
            listed = {g.value for g in user.groups}
            holding = {gid for gid, members in groups.items() if user.id in members}
            assert listed == holding
            placement = self.emulator.placement_of(user.id)
            assert placement is not None
            # Placement joins a group by name without regard to case.
            names = {g.display.casefold() for g in user.groups}
            assert {name.casefold() for name in placement.groups} <= names


EmulatorMachine.TestCase.settings = settings(stateful_step_count=20, deadline=None)
TestEmulatorMachine = EmulatorMachine.TestCase
