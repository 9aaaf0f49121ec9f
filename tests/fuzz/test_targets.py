"""The fuzz targets over their seeds: each accepts valid input, and refuses badly."""

import pytest

from targets import TARGETS, seeds


@pytest.mark.parametrize("name", sorted(TARGETS))
class TestTargets:
    """Each fuzz target runs in the ordinary test run, without a fuzzer."""

    def test_seeds(self, name):
        """Every seed of a target ends in a result, not in an exception."""
        found = list(seeds(name))

        assert found
        for seed in found:
            TARGETS[name](seed)

    @pytest.mark.parametrize(
        "data",
        [b"", b"\x00", b"\xff\xfe", b"[" * 5000, b'{"userName": "\\ud800"}'],
    )
    def test_hostile_input(self, name, data):
        """Empty, binary, deep and surrogate input ends in a result or a refusal."""
        TARGETS[name](data)


class TestLaws:
    """A target fails on input that breaks its law, so it can find a bug."""

    def test_codec_checks_the_round_trip(self, monkeypatch):
        """A codec whose re-encode loses a value makes the codec target fail."""
        import targets

        monkeypatch.setattr(targets, "encode", lambda model: {"userName": "other"})

        with pytest.raises(AssertionError, match="changed on a re-encode"):
            targets.codec(b'{"userName": "bjensen"}')

    def test_filters_check_render(self, monkeypatch):
        """A renderer that drops a clause makes the filters target fail."""
        import targets

        monkeypatch.setattr(targets, "render", lambda f: 'userName eq "x"')

        with pytest.raises(AssertionError, match="did not survive"):
            targets.filters(b"title pr")
