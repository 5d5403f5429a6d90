"""Every rule against its fixtures: `tests/fixtures/rules/<ID>/*.Dockerfile`.

Each fixture mixes bad and good cases; `# expect: <ID>` above an instruction says the
rule must flag it, and every other instruction must not be flagged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, expectations
from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse_bytes
from dfslim.registry import all_rules

RULE_FIXTURES = sorted((FIXTURES / "rules").glob("*/*.Dockerfile"))


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(path: Path):
    rule_id = path.parent.name
    data = path.read_bytes()
    dockerfile = parse_bytes(data, str(path))
    findings = lint(dockerfile, Settings(select=(rule_id,)).rules())
    found = {(finding.line, finding.rule) for finding in findings}
    wanted = {(line, code) for line, code in expectations(data.decode("utf-8-sig")) if code == rule_id}
    assert sorted(found - wanted) == [], "flagged but not expected"
    assert sorted(wanted - found) == [], "expected but not flagged"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_every_rule_has_bad_and_good_fixtures(rule):
    folder = FIXTURES / "rules" / rule.id
    files = sorted(folder.glob("*.Dockerfile"))
    assert files, f"no fixtures in {folder}"
    marked = instructions = 0
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        marked += sum(1 for _line, code in expectations(text) if code == rule.id)
        instructions += len(parse_bytes(path.read_bytes(), str(path)).instructions)
    assert marked, "no bad case (`# expect:` marker)"
    assert instructions > marked, "no good case"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_module_name_matches_its_id(rule):
    module = rule.module.rsplit(".", 1)[-1]
    assert module == f"{rule.id.lower()}_{rule.name.replace('-', '_')}"
