import json

from client_helpers import drive, page, session, spc, user_json
from hypothesis import given
from hypothesis import strategies as st

from scim_ninjio import _filter
from scim_ninjio._http import Request, Response
from scim_ninjio._ops import eq, iterate
from scim_ninjio.models import User


class TestPagingProperties:
    """Index paging returns every result once, whatever the server's page cap."""

    @given(
        total=st.integers(min_value=0, max_value=60),
        asked=st.integers(min_value=1, max_value=25),
        cap=st.integers(min_value=1, max_value=25),
        report_total=st.booleans(),
    )
    def test_every_result_once(self, total, asked, cap, report_total):
        """With any page size and any server cap, each user comes once, in order."""
        everyone = [user_json(str(i)) for i in range(total)]

        def server(request: Request) -> Response:
            if request.path == "/ServiceProviderConfig":
                return spc()
            start = int(request.query["startIndex"])
            count = min(int(request.query["count"]), cap)
            return page(
                everyone[start - 1 : start - 1 + count], total if report_total else None
            )

        pages = -(-total // min(asked, cap)) + (0 if report_total and total else 1)
        run = drive(iterate(session(page_size=asked), User), [server] * (pages + 1))

        assert [u.id for u in run.emitted] == [str(i) for i in range(total)]
        assert all(int(r.query["count"]) == asked for r in run.requests[1:])


class TestFilterProperties:
    """No value can widen a filter built by the client."""

    @given(st.text())
    def test_value_round_trips_as_one_comparison(self, value):
        """Any userName parses back as one comparison holding exactly that value."""
        parsed = _filter.parse(eq("userName", value))

        assert isinstance(parsed, _filter.Compare)
        assert parsed.op == "eq"
        assert parsed.value == value
        assert json.loads(eq("userName", value).removeprefix("userName eq ")) == value
