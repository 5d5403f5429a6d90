"""Safe fixes over every real Dockerfile of the shared corpus.

For each file: fixing converges and fixing again changes nothing; the result parses;
no safe-fixable finding is left; every line no fix touched is byte-identical; and the
fixed file has no finding, rule by rule, that the original did not have.
"""

from __future__ import annotations

import difflib
from collections import Counter

import pytest

from conftest import SHARED
from dfslim.config import Settings
from dfslim.fixer import fix_text
from dfslim.linter import lint
from dfslim.parser import parse

CORPUS = SHARED / "corpus" / "files"


def touched_lines(findings) -> set[int]:
    """Lines (1-based) that the safe fixes of these findings may change."""
    lines: set[int] = set()
    for finding in findings:
        if finding.fix is None or not finding.fix.safe:
            continue
        lines.update(range(finding.line, finding.end_line + 1))
        for edit in finding.edits:
            lines.update(range(edit.line, edit.end_line + 1))
    return lines


def changed_lines(before: str, after: str) -> set[int]:
    old = before.split("\n")
    matcher = difflib.SequenceMatcher(None, old, after.split("\n"), autojunk=False)
    changed: set[int] = set()
    for tag, low, high, _new_low, _new_high in matcher.get_opcodes():
        if tag != "equal":
            changed.update(range(low + 1, max(high, low + 1) + 1))
    return changed


def check_file(text: str, path: str, rules) -> dict:
    before = lint(parse(text, path), rules)
    outcome = fix_text(text, path, rules)
    if outcome.text == text:
        return {}
    again = fix_text(outcome.text, path, rules)
    assert again.text == outcome.text and again.count == 0, "a second fix pass changed the file"
    after = lint(parse(outcome.text, path), rules)
    left = [f.rule for f in after if f.fix is not None and f.fix.safe]
    assert left == [], f"safe-fixable findings left: {left}"
    stray = changed_lines(text, outcome.text) - touched_lines(before)
    assert not stray, f"lines changed outside the fixed instructions: {sorted(stray)}"
    grown = {rule: n for rule, n in Counter(f.rule for f in after).items() if n > Counter(f.rule for f in before)[rule]}
    assert not grown, f"new findings after fixing: {grown}"
    return dict(outcome.applied)


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside this checkout")
def test_safe_fixes_over_the_corpus():
    rules = Settings().rules()
    applied: Counter = Counter()
    changed = 0
    failures = []
    for path in sorted(CORPUS.glob("*.Dockerfile")):
        text = path.read_bytes().decode("utf-8")
        try:
            per_file = check_file(text, str(path), rules)
        except Exception as error:  # noqa: BLE001 - every failure is reported with its file
            failures.append(f"{path.name}: {type(error).__name__}: {error}")
            continue
        changed += bool(per_file)
        applied.update(per_file)
    print(f"\ncorpus fixes: {changed} files changed; applied per rule: {dict(sorted(applied.items()))}")
    assert failures == []
    assert changed > 100
