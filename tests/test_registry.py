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
