import json

import pytest

from scim_ninjio import Request, Response
from scim_ninjio.exceptions import (
    ConfigurationError,
    ConnectionDroppedError,
    ReadTimeoutError,
)
from scim_ninjio.testing.emulator import Emulator
from scim_ninjio.testing.faults import (
    Fault,
    FaultInjector,
    FaultKind,
    FaultPlan,
    fault_response,
)


CREATE = Request("POST", "/Users", body=b'{"userName": "alice"}')
LIST = Request("GET", "/Users")


@pytest.fixture
def open_emulator():
    """An emulator that checks no token, so requests stay short."""
    return Emulator(token=None)


def injector_with(emulator, *faults, seed=0, sleep=None):
    """Wrap an emulator in an injector with these faults."""
    kwargs = {} if sleep is None else {"sleep": sleep}
    return FaultInjector(emulator, FaultPlan(faults, seed=seed), **kwargs)


class TestKinds:
    """Each kind of fault, in process."""

    def test_rate_limited(self, open_emulator):
        """A 429 carries Retry-After and a SCIM Error; the request is not processed."""
        injector = injector_with(
            open_emulator, Fault(kind="rate_limited", retry_after=7)
        )

        answer = injector.handle(CREATE)

        assert answer.status == 429
        assert answer.header("retry-after") == "7"
        assert json.loads(answer.body)["status"] == "429"
        assert open_emulator.users == ()
        assert injector.injected[0].processed is False

    def test_rate_limited_with_http_date(self, open_emulator):
        """Retry-After may be an HTTP date."""
        date = "Wed, 21 Oct 2015 07:28:00 GMT"
        injector = injector_with(
            open_emulator, Fault(kind=FaultKind.RATE_LIMITED, retry_after=date)
        )

        assert injector.handle(LIST).header("retry-after") == date

    def test_rate_limited_without_retry_after(self, open_emulator):
        """retry_after=None sends no Retry-After header."""
        injector = injector_with(
            open_emulator, Fault(kind="rate_limited", retry_after=None)
        )

        assert injector.handle(LIST).header("retry-after") is None

    def test_server_error_not_processed(self, open_emulator):
        """A 500 by default leaves the request unprocessed."""
        injector = injector_with(open_emulator, Fault(kind="server_error"))

        answer = injector.handle(CREATE)

        assert answer.status == 500
        assert json.loads(answer.body)["status"] == "500"
        assert open_emulator.users == ()

    def test_server_error_processed(self, open_emulator):
        """A 500 after processing: the user exists though the client saw an error."""
        injector = injector_with(
            open_emulator, Fault(kind="server_error", processed=True)
        )

        answer = injector.handle(CREATE)

        assert answer.status == 500
        assert [u.user_name for u in open_emulator.users] == ["alice"]

    def test_unavailable(self, open_emulator):
        """A 503 carries Retry-After when given, and is not processed."""
        with_header = injector_with(
            open_emulator, Fault(kind="unavailable", retry_after="2")
        )
        without = injector_with(
            open_emulator, Fault(kind="unavailable", retry_after=None)
        )

        first = with_header.handle(CREATE)
        second = without.handle(CREATE)

        assert (first.status, first.header("retry-after")) == (503, "2")
        assert second.header("retry-after") is None
        assert open_emulator.users == ()

    def test_latency(self, open_emulator):
        """A latency fault waits, then gives the real answer."""
        waited = []
        injector = injector_with(
            open_emulator, Fault(kind="latency", delay=0.25), sleep=waited.append
        )

        answer = injector.handle(CREATE)

        assert waited == [0.25]
        assert answer.status == 201

    def test_drop_before_processing(self, open_emulator):
        """A drop raises ConnectionDroppedError; by default nothing was processed."""
        injector = injector_with(open_emulator, Fault(kind="drop"))

        with pytest.raises(ConnectionDroppedError) as caught:
            injector.handle(CREATE)

        assert caught.value.method == "POST"
        assert caught.value.url == "/Users"
        assert open_emulator.users == ()

    def test_drop_after_processing(self, open_emulator):
        """A drop after processing: the user exists though no answer came."""
        injector = injector_with(open_emulator, Fault(kind="drop", processed=True))

        with pytest.raises(ConnectionDroppedError):
            injector.handle(CREATE)

        assert [u.user_name for u in open_emulator.users] == ["alice"]
        assert injector.injected[0].processed is True

    def test_hang(self, open_emulator):
        """A hang raises ReadTimeoutError at once, in process."""
        injector = injector_with(open_emulator, Fault(kind="hang"))

        with pytest.raises(ReadTimeoutError):
            injector.handle(CREATE)

        assert open_emulator.users == ()

    def test_hang_after_processing(self, open_emulator):
        """A hang may come after processing."""
        injector = injector_with(open_emulator, Fault(kind="hang", processed=True))

        with pytest.raises(ReadTimeoutError):
            injector.handle(CREATE)

        assert len(open_emulator.users) == 1

    def test_truncated(self, open_emulator):
        """A truncated answer keeps the real status and says the full length."""
        injector = injector_with(open_emulator, Fault(kind="truncated"))

        answer = injector.handle(CREATE)
        full = open_emulator.document(open_emulator.users[0].id)

        assert answer.status == 201
        assert int(answer.header("content-length")) > len(answer.body) > 0
        with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
            json.loads(answer.body)
        assert full["userName"] == "alice"

    def test_malformed(self, open_emulator):
        """A malformed answer keeps status and content type, with a body not JSON."""
        injector = injector_with(open_emulator, Fault(kind="malformed"))

        answer = injector.handle(LIST)

        assert answer.status == 200
        assert answer.content_type == "application/scim+json"
        with pytest.raises(ValueError, match="Expecting"):
            json.loads(answer.body)

    @pytest.mark.parametrize(
        ("status", "title"),
        [(502, "502 Bad Gateway"), (504, "504 Gateway Timeout"), (520, "520 Error")],
    )
    def test_html(self, open_emulator, status, title):
        """An HTML error page, as a proxy sends, is not processed."""
        injector = injector_with(open_emulator, Fault(kind="html", status=status))

        answer = injector.handle(CREATE)

        assert answer.status == status
        assert answer.content_type == "text/html"
        assert f"<title>{title}</title>".encode() in answer.body
        assert open_emulator.users == ()


class TestMatching:
    """Which requests a rule fires on."""

    def test_route_and_method(self, open_emulator):
        """A rule applies only to its routes and methods."""
        injector = injector_with(
            open_emulator,
            Fault(kind="unavailable", route="/Groups*", method="post, patch"),
        )

        assert injector.handle(CREATE).status == 201
        assert injector.handle(Request("GET", "/Groups")).status == 200
        answer = injector.handle(
            Request("POST", "/Groups", body=b'{"displayName": "g"}')
        )
        assert answer.status == 503

    def test_route_matches_the_path_only(self, open_emulator):
        """The route pattern is matched against the path, not the query."""
        injector = injector_with(
            open_emulator, Fault(kind="unavailable", route="/Users")
        )

        assert injector.handle(Request("GET", "/Users?count=1")).status == 503

    def test_nth(self, open_emulator):
        """nth fires on the given matching requests, counted from 1."""
        injector = injector_with(open_emulator, Fault(kind="unavailable", nth={2, 4}))

        statuses = [injector.handle(LIST).status for _ in range(5)]

        assert statuses == [200, 503, 200, 503, 200]
        assert [f.seq for f in injector.injected] == [2, 4]

    def test_nth_counts_matching_requests_only(self, open_emulator):
        """nth counts the requests that match the rule, not all of them."""
        injector = injector_with(
            open_emulator, Fault(kind="unavailable", method="POST", nth=2)
        )
        injector.handle(CREATE)
        injector.handle(LIST)

        answer = injector.handle(Request("POST", "/Users", body=b'{"userName": "b"}'))

        assert answer.status == 503
        assert injector.seen == 3

    def test_probability_is_seeded(self, open_emulator):
        """The same seed fires on the same requests; another seed differs."""

        def pattern(seed):
            injector = injector_with(
                open_emulator, Fault(kind="unavailable", probability=0.3), seed=seed
            )
            return [injector.handle(LIST).status for _ in range(60)]

        assert pattern(1) == pattern(1)
        assert pattern(1) != pattern(2)
        assert 5 < pattern(1).count(503) < 30

    def test_limit(self, open_emulator):
        """limit caps how many times a rule fires."""
        injector = injector_with(open_emulator, Fault(kind="unavailable", limit=2))

        statuses = [injector.handle(LIST).status for _ in range(4)]

        assert statuses == [503, 503, 200, 200]

    def test_first_firing_rule_wins(self, open_emulator):
        """When two rules fire, the first decides; both count the request."""
        injector = injector_with(
            open_emulator,
            Fault(kind="rate_limited", nth=1),
            Fault(kind="unavailable", nth={1, 2}),
        )

        first = injector.handle(LIST).status
        second = injector.handle(LIST).status

        assert (first, second) == (429, 503)

    def test_probability_zero_never_fires(self, open_emulator):
        """probability 0 never fires."""
        injector = injector_with(open_emulator, Fault(kind="drop", probability=0))

        assert all(injector.handle(LIST).status == 200 for _ in range(20))
        assert injector.injected == ()


class TestInjector:
    """The injector: changing plans, and its record of faults."""

    def test_add_keeps_counts(self, open_emulator):
        """add() appends rules without restarting the others' counts."""
        injector = injector_with(open_emulator, Fault(kind="unavailable", nth=2))
        injector.handle(LIST)

        injector.add(Fault(kind="rate_limited", nth=2))

        assert injector.handle(LIST).status == 503
        assert injector.handle(LIST).status == 429

    def test_clear(self, open_emulator):
        """clear() removes every rule."""
        injector = injector_with(open_emulator, Fault(kind="unavailable"))

        injector.clear()

        assert injector.handle(LIST).status == 200
        assert injector.plan.faults == ()

    def test_setting_a_plan_restarts_counts(self, open_emulator):
        """A new plan starts its counts afresh."""
        injector = injector_with(open_emulator)
        injector.handle(LIST)

        injector.plan = FaultPlan([Fault(kind="unavailable", nth=1)])

        assert injector.handle(LIST).status == 503

    def test_counts_and_records(self, open_emulator):
        """Every injected fault is recorded with the request and counted by kind."""
        injector = injector_with(
            open_emulator,
            Fault(kind="unavailable", nth=1),
            Fault(kind="rate_limited", nth={2, 3}),
        )
        for _ in range(4):
            injector.handle(Request("GET", "/Users?count=1"))

        assert injector.counts() == {
            FaultKind.UNAVAILABLE: 1,
            FaultKind.RATE_LIMITED: 2,
        }
        record = injector.injected[0]
        assert (record.method, record.target, record.kind) == (
            "GET",
            "/Users?count=1",
            FaultKind.UNAVAILABLE,
        )
        assert "injected=3" in repr(injector)

    def test_is_a_handler(self, open_emulator):
        """An injector is called like the handler it wraps."""
        injector = FaultInjector(open_emulator)

        assert injector(LIST).status == 200


class TestValidation:
    """Fault rules and plans that make no sense are refused."""

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"kind": "nope"}, "is not a kind of fault; use one of"),
            ({"kind": "drop", "probability": 1.5}, "probability"),
            ({"kind": "drop", "nth": 0}, "from 1"),
            ({"kind": "drop", "limit": -1}, "limit"),
            ({"kind": "latency", "delay": -1}, "delay"),
            ({"kind": "latency", "delay": float("inf")}, "delay"),
            ({"kind": "html", "status": 200}, "4xx or 5xx"),
            ({"kind": "rate_limited", "processed": True}, "never processed"),
            ({"kind": "truncated", "processed": False}, "always processed"),
        ],
    )
    def test_bad_faults(self, kwargs, message):
        """A fault with a bad value is refused with a message saying which."""
        with pytest.raises(ConfigurationError, match=message):
            Fault(**kwargs)

    def test_methods_from_a_list(self):
        """Methods may be given as a list, in any case."""
        assert Fault(kind="drop", method=["get", "Post"]).method == {"GET", "POST"}

    def test_plan_from_dict(self):
        """A plan is read from JSON-like data."""
        plan = FaultPlan.from_dict(
            {
                "seed": 3,
                "faults": [
                    {"kind": "unavailable", "route": "/Users*", "probability": 0.5},
                    {"kind": "drop", "nth": [1, 2], "processed": True},
                ],
            }
        )

        assert plan.seed == 3
        assert plan.faults[0].route == "/Users*"
        assert plan.faults[1].nth == {1, 2}

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"rules": []}, "'faults' and 'seed'"),
            ({"seed": "x"}, "integer 'seed'"),
            ({"faults": {}}, "list of 'faults'"),
            ({"faults": [1]}, r"faults\[0\] must be an object"),
            ({"faults": [{"kind": "drop", "colour": 1}]}, "keys among"),
            ({"faults": [{"kind": "drop", "probability": 2}]}, r"faults\[0\]: prob"),
            ({"faults": [{"kind": "latency", "delay": "x"}]}, r"faults\[0\]"),
            ({"faults": [{"route": "/x"}]}, r"faults\[0\]"),
        ],
    )
    def test_bad_plan_data(self, data, message):
        """Bad plan data is refused with the entry and what is wrong."""
        with pytest.raises(ConfigurationError, match=message):
            FaultPlan.from_dict(data)

    @pytest.mark.parametrize("kind", ["latency", "drop", "hang"])
    def test_no_answer_of_their_own(self, kind):
        """Kinds that give no answer cannot be turned into one."""
        with pytest.raises(ConfigurationError, match="no answer"):
            fault_response(Fault(kind=kind), Response(200))

    @pytest.mark.parametrize("kind", ["malformed", "truncated"])
    def test_need_the_real_answer(self, kind):
        """Kinds made from the real answer need it."""
        with pytest.raises(ConfigurationError, match="no answer"):
            fault_response(Fault(kind=kind), None)
