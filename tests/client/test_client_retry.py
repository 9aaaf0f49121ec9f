import datetime as dt
import pickle

from random import Random as _Random

import pytest

from scim_ninjio._http import Request, Response
from scim_ninjio._retry import RetryPolicy, no_waiting, parse_retry_after
from scim_ninjio.exceptions import (
    ConfigurationError,
    ConnectError,
    ConnectionDroppedError,
    ReadTimeoutError,
    TLSError,
    TransportError,
)


def rng(seed: int | None = None) -> _Random:
    """Return a generator for jitter draws."""
    return _Random(seed)  # noqa: S311 -- jitter, not secrecy


GET = Request("GET", "/Users/1")
PUT = Request("PUT", "/Users/1", body=b"{}")
DELETE = Request("DELETE", "/Users/1")
POST = Request("POST", "/Users", body=b"{}")
PATCH = Request("PATCH", "/Users/1", body=b"{}")
SEARCH = Request("POST", "/Users/.search", body=b"{}", idempotent=True)


class TestRetryPolicy:
    """The retry policy value and its waits."""

    def test_defaults_are_bounded(self):
        """The default policy bounds attempts, total time and every wait."""
        policy = RetryPolicy()

        assert policy.attempts == 5
        assert policy.timeout == 60.0
        assert policy.max_wait == 10.0
        assert policy.max_retry_after == 60.0

    def test_is_frozen_value(self):
        """A policy is an immutable, comparable value."""
        policy = RetryPolicy(attempts=3)

        with pytest.raises(AttributeError):
            policy.attempts = 4  # type: ignore[misc]
        assert policy == RetryPolicy(attempts=3)
        assert pickle.loads(pickle.dumps(policy)) == policy  # noqa: S301 -- our own bytes

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("attempts", 0),
            ("timeout", -1.0),
            ("initial_wait", -0.1),
            ("max_wait", -2.0),
        ],
    )
    def test_rejects_nonsense(self, field, value):
        """A negative wait or no attempt is a ConfigurationError naming it."""
        with pytest.raises(ConfigurationError, match=f"RetryPolicy.{field}"):
            RetryPolicy(**{field: value})

    def test_backoff_grows_exponentially_up_to_the_cap(self):
        """Without jitter, waits double from initial_wait and stop at max_wait."""
        policy = RetryPolicy(jitter=False, initial_wait=1.0, max_wait=5.0)

        waits = [policy.backoff(n, rng()) for n in range(1, 6)]

        assert waits == [1.0, 2.0, 4.0, 5.0, 5.0]

    def test_full_jitter_stays_under_the_ceiling(self):
        """With jitter, each wait is drawn between 0 and the exponential ceiling."""
        policy = RetryPolicy(initial_wait=1.0, max_wait=8.0)
        draws = rng(7)

        waits = [policy.backoff(n, draws) for n in (1, 2, 3, 4) for _ in range(50)]

        assert all(0.0 <= w <= 8.0 for w in waits)
        assert max(waits[:50]) <= 1.0
        assert len(set(waits)) > 100

    def test_seed_makes_jitter_reproducible(self):
        """The same seed draws the same waits; no seed shares one generator."""
        policy = RetryPolicy(seed=42)

        first = [policy.backoff(n, policy.rng()) for n in (1, 2, 3)]
        second = [policy.backoff(n, policy.rng()) for n in (1, 2, 3)]

        assert first == second
        assert RetryPolicy().rng() is RetryPolicy().rng()

    def test_wait_false_never_waits(self):
        """RetryPolicy(wait=False) turns every wait, Retry-After included, into 0."""
        policy = RetryPolicy(wait=False)
        response = Response(429, {"retry-after": "30"})

        assert policy.backoff(3, rng()) == 0.0
        assert policy.delay(1, response, rng()) == 0.0
        assert not policy.waits

    def test_no_waiting_switch_nests(self):
        """no_waiting() zeroes waits inside the block, nested, then restores."""
        policy = RetryPolicy(jitter=False)

        with no_waiting():
            with no_waiting():
                inner = policy.backoff(1, rng())
            outer = policy.backoff(1, rng())

        assert inner == outer == 0.0
        assert policy.backoff(1, rng()) == 0.25

    def test_retry_after_replaces_backoff_and_is_capped(self):
        """A Retry-After is waited as given, but never longer than max_retry_after."""
        policy = RetryPolicy(max_retry_after=20.0)

        short = policy.delay(1, Response(429, {"retry-after": "3"}), rng())
        long = policy.delay(1, Response(503, {"retry-after": "3600"}), rng())

        assert short == 3.0
        assert long == 20.0

    def test_unreadable_retry_after_falls_back_to_backoff(self):
        """A Retry-After that reads as neither form leaves the computed back-off."""
        policy = RetryPolicy(jitter=False)

        wait = policy.delay(2, Response(503, {"retry-after": "later"}), rng())

        assert wait == 0.5


class TestWhatIsRetried:
    """Which failures each method retries."""

    @pytest.mark.parametrize("request_", [GET, PUT, DELETE, SEARCH])
    @pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 408])
    def test_idempotent_requests_retry_on_5xx_and_429(self, request_, status):
        """GET, PUT, DELETE and searches are retried on 5xx, 429 and 408."""
        assert RetryPolicy().retries_status(request_, status)

    @pytest.mark.parametrize("status", [501, 505, 400, 401, 404, 409, 412])
    def test_lasting_failures_are_not_retried(self, status):
        """501, 505 and 4xx other than 408/429 do not heal by waiting."""
        assert not RetryPolicy().retries_status(GET, status)

    @pytest.mark.parametrize("request_", [POST, PATCH])
    def test_post_and_patch_retry_only_on_429_and_503(self, request_):
        """POST and PATCH are retried only on 429 and 503."""
        policy = RetryPolicy()

        retried = {
            s
            for s in (429, 500, 502, 503, 504, 408)
            if policy.retries_status(request_, s)
        }

        assert retried == {429, 503}

    @pytest.mark.parametrize("request_", [GET, PUT, DELETE, POST, PATCH])
    def test_connect_errors_are_retried_for_every_method(self, request_):
        """A request that never reached the server is resent, any method."""
        assert RetryPolicy().retries_error(request_, ConnectError("refused"))

    @pytest.mark.parametrize(
        "error", [ReadTimeoutError("t"), ConnectionDroppedError("d")]
    )
    def test_lost_answers_are_retried_only_when_idempotent(self, error):
        """After a timeout or drop, only idempotent requests are resent."""
        policy = RetryPolicy()

        assert policy.retries_error(GET, error)
        assert policy.retries_error(PUT, error)
        assert not policy.retries_error(POST, error)
        assert not policy.retries_error(PATCH, error)

    @pytest.mark.parametrize("error", [TLSError("bad cert"), TransportError("odd")])
    def test_tls_and_unknown_errors_are_never_retried(self, error):
        """A TLS failure or an unclassified transport error is raised at once."""
        assert not RetryPolicy().retries_error(GET, error)


class TestParseRetryAfter:
    """Both forms of Retry-After."""

    def test_seconds(self):
        """The delta-seconds form reads as that many seconds."""
        assert parse_retry_after("120") == 120.0
        assert parse_retry_after(" 0 ") == 0.0

    def test_http_date(self):
        """The HTTP-date form reads as the seconds until that date."""
        now = dt.datetime(2026, 1, 2, 3, 4, 0, tzinfo=dt.UTC)

        assert parse_retry_after("Fri, 02 Jan 2026 03:04:30 GMT", now=now) == 30.0

    def test_past_date_is_zero(self):
        """A date in the past means "now", never a negative wait."""
        now = dt.datetime(2026, 1, 2, 3, 4, 0, tzinfo=dt.UTC)

        assert parse_retry_after("Thu, 01 Jan 2026 00:00:00 GMT", now=now) == 0.0

    def test_naive_date_is_utc(self):
        """A date without a zone (-0000) is read as UTC."""
        now = dt.datetime(2026, 1, 2, 3, 4, 0, tzinfo=dt.UTC)

        assert parse_retry_after("Fri, 02 Jan 2026 03:04:10 -0000", now=now) == 10.0

    def test_default_now_is_the_clock(self):
        """Without ``now`` the current time is used."""
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=100)
        header = soon.strftime("%a, %d %b %Y %H:%M:%S GMT")

        assert 90 < (parse_retry_after(header) or 0) <= 100

    @pytest.mark.parametrize(
        "value", [None, "", "soon", "-5", "1.5e3", "Mon, 99 Foo", "\N{SUPERSCRIPT TWO}"]
    )
    def test_unreadable_is_none(self, value):
        """Missing or unreadable values give None, so the back-off applies."""
        assert parse_retry_after(value) is None
