"""The peers' own test cases for the rules dfslim shares with them.

`tests/fixtures/peers/<peer>/<peer rule>/*.Dockerfile` each restate one case of a public
peer test suite (hadolint's rule specs, BuildKit's lint tests and check docs, checkov's and
trivy's Dockerfile check tests); the header comment cites the case. `# expect:` marks what
dfslim must flag per RULES.md, which may differ from the peer on purpose (the header then
says why). `RULE_MAP.txt` names the dfslim rules a peer rule stands for: those are
selected, off-by-default ones too, and the findings are compared with the marks as in
test_rules.py (no build context: only the named-file checks of context-aware rules run).

`KNOWN_GAPS.txt` lists the fixtures dfslim answers wrongly today, each with the catalog
line it breaks. They run as strict xfails: when a fix makes one pass, the suite fails until
its line is removed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, expectations
from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse_bytes
from dfslim.registry import all_rules

PEERS = FIXTURES / "peers"
PEER_NAMES = frozenset({"hadolint", "buildkit", "checkov", "trivy"})  # as META.others names them, lower-cased


def _data_lines(name: str) -> list[str]:
    lines = (PEERS / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


RULE_MAP = {
    (peer, rule): (tuple(ids.split(",")), basis)
    for peer, rule, ids, basis in (line.split() for line in _data_lines("RULE_MAP.txt"))
}
KNOWN_GAPS = dict(line.split("\t", 1) for line in _data_lines("KNOWN_GAPS.txt"))
PEER_FIXTURES = sorted(PEERS.glob("*/*/*.Dockerfile"))


def _key(path: Path) -> str:
    return path.relative_to(PEERS).as_posix()


def _selected(path: Path) -> tuple[str, ...]:
    return RULE_MAP[(path.parent.parent.name, path.parent.name)][0]


def _param(path: Path):
    reason = KNOWN_GAPS.get(_key(path))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, marks=marks, id=_key(path))


@pytest.mark.parametrize("path", [_param(path) for path in PEER_FIXTURES])
def test_peer_case(path: Path):
    data = path.read_bytes()
    selected = _selected(path)
    findings = lint(parse_bytes(data, str(path)), Settings(select=selected).rules())
    found = {(finding.line, finding.rule) for finding in findings}
    wanted = {(line, code) for line, code in expectations(data.decode("utf-8")) if code in selected}
    assert sorted(found - wanted) == [], "flagged but not expected"
    assert sorted(wanted - found) == [], "expected but not flagged"


def test_every_peer_folder_is_mapped():
    folders = {(path.parent.parent.name, path.parent.name) for path in PEER_FIXTURES}
    assert sorted(folders - RULE_MAP.keys()) == []


def test_marks_name_only_the_selected_rules():
    stray = [
        (_key(path), code)
        for path in PEER_FIXTURES
        for _line, code in expectations(path.read_text(encoding="utf-8"))
        if code not in _selected(path)
    ]
    assert stray == []


HEADER_RE = re.compile(r"# Peer case: \S+/\S+ at [0-9a-f]{12}, \S+ line \d+, ")


def _first_comment(text: str) -> str:
    """The first comment after any parser directives, with its `#   ` continuation lines."""
    lines = [line for line in text.splitlines() if not re.match(r"#\s*(check|syntax|escape)\s*=", line)]
    comment = lines[0]
    for line in lines[1:]:
        if not line.startswith("#   "):
            break
        comment += " " + line[4:]
    return comment


def test_every_fixture_cites_its_case():
    """The header names the peer's repository, commit, file and line."""
    uncited = [_key(path) for path in PEER_FIXTURES if not HEADER_RE.match(_first_comment(path.read_text(encoding="utf-8")))]
    assert uncited == []


def test_known_gaps_name_existing_fixtures_and_a_catalog_line():
    keys = {_key(path) for path in PEER_FIXTURES}
    assert sorted(set(KNOWN_GAPS) - keys) == []
    assert [fixture for fixture, reason in KNOWN_GAPS.items() if "RULES.md" not in reason] == []


def _named_peer_rules(other: str) -> tuple[str, set[str]]:
    """`hadolint DL3032/DL3040`, `trivy DS-0015/0019`, `checkov CKV2_DOCKER_2..16`: (peer, rule ids)."""
    peer, _, spec = other.partition(" ")
    first, *rest = spec.split(" (")[0].split("/")
    span = re.fullmatch(r"(.*?)(\d+)\.\.(\d+)", first)
    if span:
        return peer.lower(), {f"{span[1]}{n}" for n in range(int(span[2]), int(span[3]) + 1)}
    stem = re.sub(r"\d+$", "", first)
    # a bare number after `/` keeps the first id's prefix: `DS-0015/0019`, `CKV_DOCKER_3/8`
    return peer.lower(), {first} | {stem + tail if tail.isdigit() else tail for tail in rest}


def test_rule_map_catalog_rows_are_the_catalogs():
    """A row marked `catalog` must be named by its rule's META.others, and every peer rule of
    these four peers that a META.others names must have a row."""
    named = set()
    for rule in all_rules():
        for other in rule.meta.others:
            peer, names = _named_peer_rules(other)
            if peer in PEER_NAMES:
                named |= {(peer, name, rule.id) for name in names}
    assert {basis for _ids, basis in RULE_MAP.values()} <= {"catalog", "equivalent"}
    rows = {(peer, name, rule_id) for (peer, name), (ids, basis) in RULE_MAP.items() if basis == "catalog" for rule_id in ids}
    assert sorted(rows - named) == [], "marked catalog but not in META.others"
    assert sorted(named - rows) == [], "in META.others but no catalog row"
