"""The README's promises: its commands are CI's, its example runs."""

from __future__ import annotations

import pathlib
import re


ROOT = pathlib.Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    """The console commands under the README's "Quick start" heading."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [
        block.strip()
        for block in re.findall(r"```console\n(.*?)```", section, flags=re.DOTALL)
    ]


def test_quick_start_has_exactly_two_commands():
    """One runs the demo, one runs the tests; nothing else to type."""
    commands = quick_start_commands()

    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    assert commands[0].endswith("scim-ninjio demo")


def test_the_test_command_is_the_one_ci_runs():
    """.ci/run runs exactly the README's test command."""
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()

    assert quick_start_commands()[1] in ci_lines


def test_the_demo_command_installs_the_cli_extra():
    """The demo needs click and rich, which only the cli extra installs."""
    assert "pip install -e '.[cli]'" in quick_start_commands()[0]


def test_the_python_example_runs():
    """The README's Python example syncs into the emulator and converges."""
    (example,) = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    namespace: dict[str, object] = {}

    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102 -- our own README

    assert namespace["report"].failures == ()
