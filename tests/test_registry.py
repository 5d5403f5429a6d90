"""Rule discovery: built-ins from `rules/`, plugins from the `dfslim.rules` entry points."""

from __future__ import annotations

import sys
from pathlib import Path

import dfslim.rules
from dfslim import registry

PLUGIN = '''"""Flags MAINTAINER.

## What it does
Flags the deprecated MAINTAINER instruction.

## Why is this bad?
It is deprecated.

## Example
    MAINTAINER me

## Use instead
    LABEL org.opencontainers.image.authors="me"
"""

from dfslim.api import Meta, Severity, Violation

META = Meta(id="ACME001", name="acme-maintainer", category="correctness", severity=Severity.INFO)


def check(dockerfile):
    for instruction in dockerfile.of("MAINTAINER"):
        yield Violation(instruction, "MAINTAINER is deprecated", "use a LABEL")
'''


def test_builtin_rules_come_from_the_top_level_rules_folder():
    assert Path(dfslim.rules.__path__[0]).resolve() == (Path(__file__).resolve().parents[1] / "rules")
    modules = {p.stem for p in Path(dfslim.rules.__path__[0]).glob("dfs*.py")}
    assert {rule.module.rsplit(".", 1)[-1] for rule in registry.all_rules()} >= modules


def test_installed_plugin_rules_are_found(tmp_path, monkeypatch, lint_text):
    (tmp_path / "acme_dfslim_rules.py").write_text(PLUGIN)
    info = tmp_path / "acme_dfslim_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-dfslim-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[dfslim.rules]\nacme = acme_dfslim_rules\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.all_rules.cache_clear()
    monkeypatch.setattr("dfslim.linter._KEYS", None)
    try:
        assert registry.by_key()["acme-maintainer"].id == "ACME001"
        findings = lint_text("FROM x:1\nMAINTAINER me\n", "ACME001")
        assert [(f.rule, f.line) for f in findings] == [("ACME001", 2)]
    finally:
        sys.modules.pop("acme_dfslim_rules", None)
        registry.all_rules.cache_clear()


def test_no_plugin_scan_without_a_declared_group(monkeypatch):
    monkeypatch.setattr(sys, "path", [p for p in sys.path if "acme" not in p])
    assert registry._plugins_declared() is False


CRASHING_PLUGIN = '''"""Crashes on one file.

## What it does
Raises on a file that says `MAINTAINER boom`.

## Why is this bad?
It is a test of a broken rule.

## Example
    MAINTAINER boom

## Use instead
    LABEL x=y
"""

from dfslim.api import Meta, Severity, Violation

META = Meta(id="ACME002", name="acme-crash", category="correctness", severity=Severity.INFO)


def check(dockerfile):
    for instruction in dockerfile.of("MAINTAINER"):
        if instruction.args == "boom":
            raise KeyError("boom")
        yield Violation(instruction, "MAINTAINER is deprecated", "use a LABEL")
'''


def test_a_crashing_rule_is_a_one_line_error_and_other_files_are_still_linted(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dfslim.cli import main

    (tmp_path / "acme_crash.py").write_text(CRASHING_PLUGIN)
    info = tmp_path / "acme_crash-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-crash\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[dfslim.rules]\nacme = acme_crash\n")
    broken, fine = tmp_path / "broken.Dockerfile", tmp_path / "fine.Dockerfile"
    broken.write_text("FROM alpine:3.20\nMAINTAINER boom\n")
    fine.write_text("FROM alpine:3.20\nMAINTAINER me\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.all_rules.cache_clear()
    monkeypatch.setattr("dfslim.linter._KEYS", None)
    try:
        result = CliRunner().invoke(main, ["lint", "--select", "ACME002", str(broken), str(fine)], catch_exceptions=False)
    finally:
        sys.modules.pop("acme_crash", None)
        registry.all_rules.cache_clear()
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{broken}: internal error in rule ACME002 (KeyError: 'boom'); please report it" in result.output
    assert f"{fine}:2:1" in result.output
