"""Tests for the error tree."""

from __future__ import annotations

import pickle

import pytest

from scim_ninjio import exceptions as exc


def all_errors() -> list[type[exc.ScimNinjioError]]:
    """Every public error class."""
    return [
        getattr(exc, name)
        for name in exc.__all__
        if isinstance(getattr(exc, name), type)
        and issubclass(getattr(exc, name), exc.ScimNinjioError)
    ]


class TestTree:
    """The shape of the error tree."""

    def test_all_is_sorted_and_complete(self):
        """__all__ is sorted and names every public class."""
        public = {
            name
            for name, value in vars(exc).items()
            if isinstance(value, type)
            and issubclass(value, exc.ScimNinjioError | exc.FieldError)
            and not name.startswith("_")
        }

        assert exc.__all__ == sorted(exc.__all__)
        assert public <= set(exc.__all__)

    @pytest.mark.parametrize("cls", all_errors(), ids=lambda c: c.__name__)
    def test_every_error_is_named_in_the_module_docstring(self, cls):
        """The tree in the module docstring lists every error."""
        assert exc.__doc__ is not None
        assert cls.__name__ in exc.__doc__

    def test_builtin_bases_where_they_fit(self):
        """Errors subclass the builtin whose meaning they share."""
        assert issubclass(exc.ValidationError, ValueError)
        assert issubclass(exc.ConfigurationError, ValueError)
        assert issubclass(exc.ReadTimeoutError, TimeoutError)
        assert issubclass(exc.LocalProtocolError, ValueError)


class TestScimErrors:
    """Errors for the server's HTTP error answers."""

    @pytest.mark.parametrize(
        ("status", "scim_type", "cls"),
        [
            (400, "invalidFilter", exc.InvalidFilterError),
            (400, "INVALIDFILTER", exc.InvalidFilterError),
            (400, "tooMany", exc.TooManyError),
            (400, "mutability", exc.MutabilityError),
            (400, "invalidSyntax", exc.InvalidSyntaxError),
            (400, "invalidPath", exc.InvalidPathError),
            (400, "noTarget", exc.NoTargetError),
            (400, "invalidValue", exc.InvalidValueError),
            (400, "invalidVers", exc.InvalidVersionError),
            (400, "sensitive", exc.SensitiveError),
            (400, "invalidCursor", exc.InvalidCursorError),
            (400, "expiredCursor", exc.ExpiredCursorError),
            (400, "invalidCount", exc.InvalidCountError),
            (400, "somethingNew", exc.BadRequestError),
            (400, None, exc.BadRequestError),
            (409, "uniqueness", exc.UniquenessError),
            (409, None, exc.ConflictError),
            # A scimType that does not fit the status does not win.
            (500, "uniqueness", exc.ServerError),
            (401, None, exc.UnauthorizedError),
            (403, None, exc.ForbiddenError),
            (404, None, exc.NotFoundError),
            (405, None, exc.MethodNotAllowedError),
            (412, None, exc.PreconditionFailedError),
            (413, None, exc.PayloadTooLargeError),
            (429, None, exc.RateLimitedError),
            (500, None, exc.ServerError),
            (501, None, exc.NotImplementedByServerError),
            (503, None, exc.ServerError),
            (418, None, exc.ScimError),
        ],
    )
    def test_error_for_status(self, status, scim_type, cls):
        """The status and scimType pick the most precise class."""
        assert exc.error_for_status(status, scim_type) is cls

    def test_message_says_what_and_where(self):
        """The message names the request, the status, the type and the detail."""
        error = exc.UniquenessError(
            detail="userName bjensen is taken", method="POST", url="https://x/Users"
        )

        assert str(error) == (
            "POST https://x/Users failed with HTTP 409 (uniqueness): "
            "userName bjensen is taken"
        )
        assert error.status == 409
        assert error.scim_type == "uniqueness"

    def test_message_without_context(self):
        """An error built bare still reads as a sentence."""
        assert str(exc.ServerError(status=503)) == "request failed with HTTP 503"

    def test_rate_limited_keeps_retry_after(self):
        """RateLimitedError carries the server's Retry-After."""
        error = exc.RateLimitedError(retry_after=2.5, method="GET", url="u")

        again = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own bytes

        assert again.retry_after == 2.5
        assert again.status == 429
        assert str(again) == str(error)


class TestPickling:
    """Errors keep their context through pickling (for multiprocessing, logs)."""

    @pytest.mark.parametrize(
        "error",
        [
            exc.ValidationError(errors=[exc.FieldError("$.a", "bad")], subject="User"),
            exc.OperationNotAllowedError(
                "no", operation="DELETE /Users/1", profile="ninjio"
            ),
            exc.ThresholdExceededError("stop", deactivations=9, managed=10, limit=2),
            exc.ConnectError("down", method="GET", url="https://x/Users"),
            exc.RemoteProtocolError(
                "html", status=502, method="GET", url="u", body_start="<html>"
            ),
            exc.FilterSyntaxError("bad", text="userName eq", position=11),
            exc.NotFoundError(detail="gone", method="GET", url="u"),
        ],
        ids=lambda e: type(e).__name__,
    )
    def test_round_trip(self, error):
        """Every attribute survives."""
        again = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own bytes

        assert type(again) is type(error)
        assert str(again) == str(error)
        for name in type(error)._context:
            assert getattr(again, name) == getattr(error, name)

    def test_validation_error_without_errors(self):
        """A ValidationError with no field errors still has a message."""
        assert str(exc.ValidationError(subject="directory.json")) == (
            "invalid directory.json"
        )
