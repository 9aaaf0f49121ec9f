import logging

import pytest

from client_helpers import BASE, drive, error, scim, session, user_json

from scim_ninjio import exceptions as ex
from scim_ninjio._http import Request, Response
from scim_ninjio._ops import Pacer, exchange
from scim_ninjio._ops._core import error_from, parse, parse_json
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.models import User


GET = Request("GET", "/Users/1")
POST = Request("POST", "/Users", body=b'{"userName":"bjensen"}')
PATCH = Request("PATCH", "/Users/1", body=b"{}")


class TestExchange:
    """One exchange: retries, budgets and what is returned."""

    def test_success_is_returned_at_once(self):
        """A 2xx answer ends the exchange after one request and no sleep."""
        run = drive(exchange(session(), GET), [scim(200, user_json("1"))])

        assert run.result.status == 200
        assert len(run.requests) == 1
        assert run.sleeps == []

    def test_idempotent_request_retried_on_5xx_until_success(self):
        """A GET that meets 500, 502 and 504 is sent again until it succeeds."""
        answers = [error(500), error(502), error(504), scim(200, user_json("1"))]

        run = drive(exchange(session(), GET), answers)

        assert run.result.status == 200
        assert len(run.requests) == 4
        assert len(run.sleeps) == 3

    def test_attempts_are_bounded(self):
        """After `attempts` tries the last failing answer is returned, not retried."""
        policy = RetryPolicy(attempts=3, wait=False)

        run = drive(exchange(session(policy=policy), GET), [error(503)] * 3)

        assert run.result.status == 503
        assert len(run.requests) == 3

    def test_total_time_is_bounded(self):
        """No retry is scheduled when its wait would pass the policy's timeout."""
        now = [0.0]
        policy = RetryPolicy(timeout=9.0, jitter=False, initial_wait=4.0, max_wait=100)

        def slow(request):
            now[0] += 1.0
            return error(503)

        run = drive(
            exchange(session(policy=policy, clock=lambda: now[0]), GET), [slow, slow]
        )

        assert run.result.status == 503
        assert [s.seconds for s in run.sleeps] == [4.0]

    def test_retry_after_is_honoured(self):
        """The wait before a retry is the server's Retry-After."""
        policy = RetryPolicy()

        run = drive(
            exchange(session(policy=policy), GET),
            [error(429, retry_after="7"), scim(200, user_json("1"))],
        )

        assert [s.seconds for s in run.sleeps] == [7.0]
        assert "429" in run.sleeps[0].reason

    def test_retry_after_too_long_for_the_budget_gives_up(self):
        """A Retry-After beyond the remaining time budget returns the 429 at once."""
        policy = RetryPolicy(timeout=5.0, max_retry_after=60.0)

        run = drive(
            exchange(session(policy=policy), GET), [error(429, retry_after="30")]
        )

        assert run.result.status == 429
        assert run.sleeps == []

    @pytest.mark.parametrize("status", [500, 502, 504])
    def test_post_is_not_retried_on_other_5xx(self, status):
        """A POST that meets a 5xx other than 503 is not sent again."""
        run = drive(exchange(session(), POST), [error(status)])

        assert run.result.status == status
        assert len(run.requests) == 1

    @pytest.mark.parametrize("status", [429, 503])
    @pytest.mark.parametrize("request_", [POST, PATCH])
    def test_post_and_patch_retried_on_429_and_503(self, status, request_):
        """POST and PATCH are sent again after 429 and 503."""
        run = drive(exchange(session(), request_), [error(status), scim(201, {})])

        assert run.result.status == 201
        assert len(run.requests) == 2

    def test_dropped_connection_on_get_is_retried(self):
        """A GET whose connection dropped is sent again."""
        answers = [ex.ConnectionDroppedError("reset"), scim(200, user_json("1"))]

        run = drive(exchange(session(), GET), answers)

        assert run.result.status == 200
        assert len(run.sleeps) == 1

    def test_timeout_on_post_is_raised_not_resent(self):
        """A POST whose answer timed out is not sent again by the exchange."""
        with pytest.raises(ex.ReadTimeoutError):
            drive(exchange(session(), POST), [ex.ReadTimeoutError("slow")])

    def test_connect_error_on_post_is_retried(self):
        """A POST that never reached the server is sent again."""
        run = drive(
            exchange(session(), POST), [ex.ConnectError("refused"), scim(201, {})]
        )

        assert run.result.status == 201

    def test_transport_errors_run_out_of_attempts(self):
        """Connect errors past the attempts are raised."""
        policy = RetryPolicy(attempts=2, wait=False)

        with pytest.raises(ex.ConnectError):
            drive(exchange(session(policy=policy), GET), [ex.ConnectError("x")] * 2)

    def test_transport_error_past_the_time_budget_is_raised(self):
        """A transport error whose retry wait would pass the budget is raised."""
        policy = RetryPolicy(timeout=0.1, jitter=False, initial_wait=1.0)

        with pytest.raises(ex.ConnectError):
            drive(exchange(session(policy=policy), GET), [ex.ConnectError("x")])

    def test_tries_are_reported(self):
        """The number of tries is appended to ``tries`` when asked."""
        tries: list[int] = []

        drive(exchange(session(), GET, tries=tries), [error(500), scim(200, {})])

        assert tries == [2]

    def test_tries_reported_when_budget_ends_it(self):
        """The tries are reported too when the time budget stops the retries."""
        tries: list[int] = []
        policy = RetryPolicy(timeout=1.0, max_retry_after=100)

        drive(
            exchange(session(policy=policy), GET, tries=tries),
            [error(429, retry_after="9")],
        )

        assert tries == [1]


class TestPacing:
    """The client-side rate limit, as Sleeps."""

    def test_rate_limit_spaces_requests(self):
        """With rate_limit=2, requests are spaced by Sleeps of half a second."""
        now = [100.0]
        s = session(rate_limit=2.0, clock=lambda: now[0])

        first = drive(exchange(s, GET), [scim(200, {})])
        second = drive(exchange(s, GET), [scim(200, {})])

        assert first.sleeps == []
        assert [round(x.seconds, 3) for x in second.sleeps] == [0.5]
        assert "rate limit" in second.sleeps[0].reason

    def test_pacer_reserves_successive_slots(self):
        """Each reservation takes the next free slot; idle time is not banked."""
        now = [0.0]
        pacer = Pacer(4.0, clock=lambda: now[0])

        waits = [pacer.reserve() for _ in range(3)]
        now[0] = 10.0
        later = pacer.reserve()

        assert waits == [0.0, 0.25, 0.5]
        assert later == 0.0


class TestErrorFrom:
    """Answers that failed, turned into typed errors."""

    @pytest.mark.parametrize(
        ("status", "scim_type", "cls"),
        [
            (400, "invalidFilter", ex.InvalidFilterError),
            (400, "tooMany", ex.TooManyError),
            (400, "mutability", ex.MutabilityError),
            (400, "invalidSyntax", ex.InvalidSyntaxError),
            (400, "invalidPath", ex.InvalidPathError),
            (400, "noTarget", ex.NoTargetError),
            (400, "invalidValue", ex.InvalidValueError),
            (400, "invalidVers", ex.InvalidVersionError),
            (400, "sensitive", ex.SensitiveError),
            (400, "invalidCursor", ex.InvalidCursorError),
            (400, "expiredCursor", ex.ExpiredCursorError),
            (400, "invalidCount", ex.InvalidCountError),
            (400, None, ex.BadRequestError),
            (401, None, ex.UnauthorizedError),
            (403, None, ex.ForbiddenError),
            (404, None, ex.NotFoundError),
            (405, None, ex.MethodNotAllowedError),
            (409, None, ex.ConflictError),
            (409, "uniqueness", ex.UniquenessError),
            (412, None, ex.PreconditionFailedError),
            (413, None, ex.PayloadTooLargeError),
            (500, None, ex.ServerError),
            (501, None, ex.NotImplementedByServerError),
            (503, None, ex.ServerError),
        ],
    )
    def test_scim_error_body_gives_its_typed_error(self, status, scim_type, cls):
        """Each status and scimType of an Error body has its own exception class."""
        response = error(status, scim_type, detail="the detail")

        exc = error_from(session(), GET, response)

        assert type(exc) is cls
        assert exc.status == status
        assert exc.scim_type == scim_type
        assert exc.detail == "the detail"
        assert exc.method == "GET"
        assert exc.url == BASE + "/Users/1"

    def test_rate_limited_carries_retry_after(self):
        """A 429 becomes RateLimitedError with the server's Retry-After in seconds."""
        exc = error_from(session(), GET, error(429, retry_after="12"))

        assert isinstance(exc, ex.RateLimitedError)
        assert exc.retry_after == 12.0

    def test_empty_body_gives_the_status_class(self):
        """An error status without a body still gets its typed exception."""
        exc = error_from(session(), GET, Response(401))

        assert isinstance(exc, ex.UnauthorizedError)
        assert exc.detail is None

    def test_status_as_number_and_json_media_type_are_read(self):
        """An Error with a numeric status and application/json is read as SCIM."""
        response = Response(
            404,
            {"content-type": "application/json"},
            b'{"status": 404, "detail": "gone"}',
        )

        exc = error_from(session(), GET, response)

        assert isinstance(exc, ex.NotFoundError)
        assert exc.detail == "gone"

    def test_html_error_page_is_a_protocol_error(self):
        """A proxy's HTML page is a RemoteProtocolError with status and body start."""
        body = b"<html><body>Bad Gateway</body></html>" + b"x" * 500
        response = Response(502, {"content-type": "text/html"}, body)

        exc = error_from(session(), GET, response)

        assert isinstance(exc, ex.RemoteProtocolError)
        assert exc.status == 502
        assert exc.body_start.startswith("<html><body>Bad Gateway")
        assert len(exc.body_start) == 200
        assert "text/html" in str(exc)
        assert "check the base URL" in str(exc)

    def test_json_that_is_not_an_error_is_a_protocol_error(self):
        """A JSON body that does not fit the Error model is a RemoteProtocolError."""
        response = Response(
            404, {"content-type": "application/json"}, b'{"message": "nope"}'
        )

        exc = error_from(session(), GET, response)

        assert isinstance(exc, ex.RemoteProtocolError)
        assert exc.status == 404

    def test_truncated_json_is_a_protocol_error(self):
        """A truncated error body is a RemoteProtocolError, not a JSON exception."""
        response = Response(
            500, {"content-type": "application/scim+json"}, b'{"status": "5'
        )

        exc = error_from(session(), GET, response)

        assert isinstance(exc, ex.RemoteProtocolError)

    def test_unfollowed_redirect_is_a_protocol_error(self):
        """A redirect that reached the operation names where it pointed."""
        response = Response(302, {"location": "https://login.example.com/"})

        exc = error_from(session(), POST, response)

        assert isinstance(exc, ex.RemoteProtocolError)
        assert "login.example.com" in str(exc)
        assert exc.status == 302


class TestParse:
    """Successful answers read as models, or protocol errors."""

    def test_reads_a_model(self):
        """A 2xx SCIM body is decoded into the model."""
        user = parse(session(), GET, scim(200, user_json("1", "bjensen")), User)

        assert user.user_name == "bjensen"

    def test_missing_content_type_is_accepted(self):
        """A JSON body without a content type is read."""
        response = Response(200, {}, b'{"id": "1", "userName": "b"}')

        assert parse(session(), GET, response, User).id == "1"

    def test_wrong_content_type_is_a_protocol_error(self):
        """A 200 text/html body raises RemoteProtocolError naming the media type."""
        response = Response(200, {"content-type": "text/html"}, b"<html>login</html>")

        with pytest.raises(ex.RemoteProtocolError, match="text/html") as info:
            parse(session(), GET, response, User)

        assert info.value.body_start == "<html>login</html>"

    def test_body_that_does_not_fit_is_a_protocol_error(self):
        """A body that does not fit raises RemoteProtocolError with the path."""
        response = scim(200, {"id": "1", "userName": ["not", "a", "string"]})

        with pytest.raises(ex.RemoteProtocolError, match=r"\$\.userName") as info:
            parse(session(), GET, response, User)

        assert isinstance(info.value.__cause__, ex.ValidationError)

    def test_empty_body_is_a_protocol_error(self):
        """A 200 without the expected body is a RemoteProtocolError."""
        with pytest.raises(ex.RemoteProtocolError, match="not valid JSON"):
            parse(session(), GET, scim(200), User)

    def test_error_status_raises_its_error(self):
        """parse raises the typed error of an error status."""
        with pytest.raises(ex.NotFoundError):
            parse(session(), GET, error(404), User)

    def test_parse_json(self):
        """parse_json returns plain JSON, raises for errors and for non-JSON."""
        assert parse_json(session(), GET, scim(200, [1, 2])) == [1, 2]
        with pytest.raises(ex.ForbiddenError):
            parse_json(session(), GET, error(403))
        with pytest.raises(ex.RemoteProtocolError, match="not JSON"):
            parse_json(session(), GET, Response(200, {}, b"<html>"))


class TestLogging:
    """One DEBUG line per exchange, a WARNING per retry, bodies on opt-in."""

    def test_one_debug_line_per_exchange(self, caplog):
        """Each HTTP exchange logs one DEBUG line: method, path, status, ms, attempt."""
        caplog.set_level(logging.DEBUG, logger="scim_ninjio")

        drive(
            exchange(
                session(), Request("GET", "/Users?filter=userName%20eq%20%22x%22")
            ),
            [scim(200, {})],
        )

        lines = [r for r in caplog.records if r.levelno == logging.DEBUG]
        assert len(lines) == 1
        message = lines[0].getMessage()
        assert message.startswith("GET /Users -> 200 in ")
        assert "ms (attempt 1)" in message
        assert "userName" not in message
        assert getattr(lines[0], "scim_ninjio.status") == 200

    def test_warning_per_scheduled_retry(self, caplog):
        """Each scheduled retry logs one WARNING with the wait and the reason."""
        caplog.set_level(logging.DEBUG, logger="scim_ninjio")

        drive(
            exchange(session(), GET),
            [error(503), ex.ConnectionDroppedError("x"), scim(200, {})],
        )

        warnings = [
            r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
        ]
        assert len(warnings) == 2
        assert "HTTP 503 from GET /Users/1" in warnings[0]
        assert "ConnectionDroppedError" in warnings[1]
        debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
        assert any("-> ConnectionDroppedError" in m for m in debug)

    def test_bodies_are_not_logged_by_default(self, caplog):
        """Without log_bodies, no body reaches the log."""
        caplog.set_level(logging.DEBUG, logger="scim_ninjio")

        drive(exchange(session(), POST), [scim(201, user_json("1", "secret-person"))])

        assert "bjensen" not in caplog.text
        assert "secret-person" not in caplog.text

    def test_bodies_are_logged_on_opt_in(self, caplog):
        """With log_bodies, request and response bodies are logged at DEBUG."""
        caplog.set_level(logging.DEBUG, logger="scim_ninjio")

        drive(
            exchange(session(log_bodies=True), POST),
            [scim(201, user_json("1", "babs"))],
        )
        drive(
            exchange(session(log_bodies=True), GET),
            [ex.ConnectError("x"), Response(204)],
        )

        assert "bjensen" in caplog.text
        assert "babs" in caplog.text
        assert "(none)" in caplog.text

    def test_nothing_is_formatted_when_debug_is_off(self, caplog):
        """With DEBUG off, exchanges log nothing."""
        caplog.set_level(logging.INFO, logger="scim_ninjio")

        drive(exchange(session(), GET), [scim(200, {})])

        assert caplog.records == []
