from __future__ import annotations

import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"
EXPECT_RE = re.compile(r"^\s*#\s*expect:\s*(.+?)\s*$")


def expectations(text: str) -> set[tuple[int, str]]:
    """`# expect: DFS103` (ids comma-separated) marks the next instruction line."""
    wanted: set[tuple[int, str]] = set()
    pending: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT_RE.match(line)
        if match:
            pending += [code.strip() for code in match.group(1).split(",") if code.strip()]
        elif pending and line.strip() and not line.lstrip().startswith("#"):
            wanted.update((number, code) for code in pending)
            pending = []
    return wanted


@pytest.fixture
def lint_text():
    """Lint a Dockerfile given as text with the named rules; returns the findings."""
    from dfslim.config import Settings
    from dfslim.linter import lint
    from dfslim.parser import parse

    def run(text: str, *select: str, path: str = "Dockerfile"):
        rules = Settings(select=select).rules() if select else Settings().rules()
        return lint(parse(text, path), rules)

    return run
