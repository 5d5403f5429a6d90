"""The fix engine: ordering, overlaps, safety, convergence and damage detection."""

from __future__ import annotations

import os
import stat

import pytest

from dfslim.api import Edit, Fix, Meta, Severity, Violation
from dfslim.config import Settings
from dfslim.fixer import FixError, apply_fixes, fix_text, unified_diff, write_atomically
from dfslim.linter import lint
from dfslim.parser import parse
from dfslim.registry import Rule

DOC = "Test rule.\n\n## What it does\n## Why is this bad?\n## Example\n## Use instead\n"


def make_rule(rule_id, check, safe=True):
    meta = Meta(id=rule_id, name=f"test-{rule_id.lower()}", category="size", severity=Severity.WARNING, fix="safe" if safe else "unsafe")
    return Rule(meta, check, DOC, f"tests.{rule_id}")


def appender(text, safe=True, once_marker=None):
    """A rule that appends `text` to every RUN that does not end with it."""

    def check(dockerfile):
        for instruction in dockerfile.of("RUN"):
            if not instruction.value.endswith(text.strip()):
                yield Violation(instruction, "m", "s", Fix("append", (Edit(instruction.end, instruction.end, text),), safe=safe))

    return check


def test_safe_fix_applies_and_settles():
    rules = Settings(select=("DFS103",)).rules()
    text = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"
    outcome = fix_text(text, "Dockerfile", rules)
    assert outcome.text == "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    assert outcome.applied == {"DFS103": 1}
    assert outcome.findings == []
    assert fix_text(outcome.text, "Dockerfile", rules).count == 0  # idempotent


def test_the_outcome_names_the_findings_whose_fixes_it_applied():
    rules = Settings(select=("DFS103", "DFS104")).rules()
    text = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"
    findings = lint(parse(text, "Dockerfile"), rules)
    assert [f.rule for f in fix_text(text, "Dockerfile", rules).chosen] == ["DFS103"]  # DFS104's fix is unsafe
    unsafe = fix_text(text, "Dockerfile", rules, unsafe=True)
    assert sorted(f.rule for f in unsafe.chosen) == ["DFS103", "DFS104"] and all(f in findings for f in unsafe.chosen)


def test_crlf_bom_and_missing_final_newline_are_kept():
    rules = Settings(select=("DFS103",)).rules()
    text = "\ufeffFROM debian:12\r\nRUN apt-get update \\\r\n  && apt-get install -y curl"
    outcome = fix_text(text, "Dockerfile", rules)
    assert outcome.text == "\ufeffFROM debian:12\r\nRUN apt-get update \\\r\n  && apt-get install -y curl && rm -rf /var/lib/apt/lists/*"


def test_unsafe_fixes_need_the_flag():
    rule = make_rule("TST001", appender(" && echo unsafe", safe=False), safe=False)
    text = "FROM x:1\nRUN a\n"
    assert fix_text(text, "D", [rule]).count == 0
    assert fix_text(text, "D", [rule], unsafe=True).text == "FROM x:1\nRUN a && echo unsafe\n"


def test_overlapping_fixes_are_applied_in_later_passes():
    first = make_rule("TST001", appender(" && one"))
    second = make_rule("TST002", appender(" && two"))
    text = "FROM x:1\nRUN a\n"
    df = parse(text)
    findings = lint(df, [first, second])
    once, chosen = apply_fixes(df.text, findings)
    assert len(chosen) == 1  # the same insertion point: the second waits for the next pass
    with pytest.raises(FixError, match="do not settle|undo each other"):
        fix_text(text, "D", [first, second])  # each pass re-breaks the other's condition


def test_a_fix_that_breaks_the_file_changes_nothing():
    def breaker(dockerfile):
        run = next(dockerfile.of("RUN"))
        yield Violation(run, "m", "s", Fix("break", (Edit(run.start, run.start, "RUN <<EOF\n"),)))

    with pytest.raises(FixError, match="the fix of TST009 makes the file unparsable"):
        fix_text("FROM x:1\nRUN a\n", "D", [make_rule("TST009", breaker)])


def test_fixes_that_undo_each_other_are_refused():
    def add(dockerfile):
        run = next(dockerfile.of("RUN"))
        if "x" not in run.value:
            yield Violation(run, "m", "s", Fix("add", (Edit(run.end, run.end, " x"),)))

    def remove(dockerfile):
        run = next(dockerfile.of("RUN"))
        if run.value.endswith(" x"):
            yield Violation(run, "m", "s", Fix("remove", (Edit(run.end - 2, run.end, ""),)))

    with pytest.raises(FixError, match="undo each other"):
        fix_text("FROM x:1\nRUN a\n", "D", [make_rule("TST003", add), make_rule("TST004", remove)])


def test_unified_diff():
    diff = unified_diff("Dockerfile", "a\nb\n", "a\nc\n")
    assert diff.splitlines()[:3] == ["--- a/Dockerfile", "+++ b/Dockerfile", "@@ -1,2 +1,2 @@"]


def test_write_atomically_keeps_mode_and_follows_symlinks(tmp_path):
    target = tmp_path / "real.Dockerfile"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "Dockerfile"
    link.symlink_to(target)
    write_atomically(str(link), "new\r\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dfslim-")] == []


def test_apt_lists_a_later_install_relies_on_are_not_removed():
    rules = Settings(select=("DFS103",)).rules()
    text = "FROM debian:12\nRUN apt-get update && apt-get install -y gnupg\nRUN apt-get install -y curl\n"
    outcome = fix_text(text, "Dockerfile", rules)
    # line 2 fetched the lists and gets the finding, without a fix: removing them would
    # break line 3, which installs from them and adds no lists of its own
    assert outcome.text == text
    assert [(f.line, f.fix) for f in outcome.findings] == [(2, None)]
