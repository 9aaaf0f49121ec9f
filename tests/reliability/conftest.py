"""
Every reliability test also checks that no token got out.

While each test runs, every logger records at DEBUG into a handler that
keeps the formatted lines, tracebacks included. After the test, no line may
hold a token, and neither may any file the tests wrote (SQLite ledgers and
their journals, directory documents, reports). A test whose failure report
holds a token is shown with it blotted out, and a test whose captured
output holds one fails.
"""

from __future__ import annotations

import logging
import pathlib

from collections.abc import Iterator

import pytest

from scim_ninjio.testing import DEFAULT_TOKEN


#: A token used by the hygiene tests, besides the emulator's default one.
SECRET = "tok-" + "9f3Kq7Zb2Lm8Xc4Vn1Pw"
TOKENS = (DEFAULT_TOKEN, SECRET)


def holds_token(text: str | bytes) -> bool:
    """Whether some text or bytes hold one of the tokens."""
    if isinstance(text, bytes):
        return any(token.encode() in text for token in TOKENS)

    return any(token in text for token in TOKENS)


class Recorder(logging.Handler):
    """Keeps every record, formatted with its traceback, for the check."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record as its handler would write it."""
        self.lines.append(self.format(record) + repr(record.__dict__))


def _files(root: pathlib.Path) -> Iterator[pathlib.Path]:
    return (path for path in root.rglob("*") if path.is_file())


@pytest.fixture(autouse=True)
def no_token_gets_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorder]:
    """Record every log line at DEBUG; afterwards, find no token anywhere."""
    recorder = Recorder()
    root = logging.getLogger()
    level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)
        root.setLevel(level)
    leaked = [line[:80] for line in recorder.lines if holds_token(line)]
    assert not leaked, f"{len(leaked)} log lines hold a token"
    files = [
        path.name
        for path in _files(tmp_path_factory.getbasetemp())
        if holds_token(path.read_bytes())
    ]
    assert not files, f"files hold a token: {files}"


def redacted(text: str) -> str:
    """The text with every token replaced by asterisks."""
    for token in TOKENS:
        text = text.replace(token, "********")

    return text


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[None]:
    """
    Keep tokens out of test reports; fail a test whose output shows one.

    A failure's report may show the test's own inputs, tokens among them:
    it is kept, with the tokens blotted out. Captured output is what the
    code under test printed: a token there fails the test.
    """
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed and holds_token(report.longreprtext):
        report.longrepr = redacted(report.longreprtext)
    if holds_token(report.capstdout + report.capstderr):
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid}: a token appeared in the captured output "
            f"(shown with tokens blotted out):\n"
            f"{redacted(report.capstdout + report.capstderr)}"
        )
        report.sections = [
            (title, redacted(content)) for title, content in report.sections
        ]
