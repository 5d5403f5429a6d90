"""Where findings point beyond their line: the build targets a finding is about, and the
focus span on the command or word that triggered it inside a multi-line instruction
(RULES.md, "Stages and targets" and "Where a finding points")."""

from __future__ import annotations

import pytest

from conftest import FIXTURES


def test_a_root_user_shared_by_two_targets_names_only_the_one_that_ends_on_it(lint_text):
    text = (FIXTURES / "rules" / "DFS201" / "shared_root_user.Dockerfile").read_text(encoding="utf-8")
    (finding,) = lint_text(text, "DFS201")
    assert finding.line == 6
    assert finding.targets == ("web",)
    assert finding.message.endswith("(in target web)")


def test_each_target_without_user_is_its_own_finding(lint_text):
    text = (FIXTURES / "rules" / "DFS201" / "targets.Dockerfile").read_text(encoding="utf-8")
    found = {finding.line: finding for finding in lint_text(text, "DFS201")}
    assert sorted(found) == [7, 29]
    assert found[7].targets == ("api",) and found[7].message.endswith("(in target api)")
    assert found[29].targets == ("debug",) and "(in target" not in found[29].message


def test_explicit_targets_replace_the_inferred_ones():
    from dfslim.config import Settings
    from dfslim.linter import lint
    from dfslim.parser import parse

    text = "FROM python:3.12-slim AS api\nCMD [\"api\"]\nFROM python:3.12-slim AS worker\nUSER 1000\nCMD [\"w\"]\n"
    findings = lint(parse(text, "Dockerfile")._replace(targets=("worker",)), Settings(select=("DFS201",)).rules())
    assert findings == []
    findings = lint(parse(text, "Dockerfile")._replace(targets=("api",)), Settings(select=("DFS201",)).rules())
    assert [(f.line, f.targets) for f in findings] == [(1, ("api",))]


FOCUS_CASES = [
    # rule, text, (focus line, column, end line, end column)
    (
        "DFS302",
        "FROM debian:bookworm-slim\nRUN <<EOF\nset -e\napt-get update\ncurl -fsSL https://x.example/i.sh | bash\nEOF\n",
        (5, 1, 5, 41),
    ),
    (
        "DFS302",
        "FROM debian:bookworm-slim\nRUN apt-get update \\\n    && curl -fsSL https://x.example/t.tar \\\n    | tar -x\n",
        (3, 8, 4, 13),
    ),
    (
        "DFS305",
        "FROM python:3.12-slim\nRUN set -eux; \\\n    cd /app \\\n    && pip install --no-cache-dir .\n",
        (3, 5, 3, 12),
    ),
    (
        "DFS303",
        "FROM python:3.12-slim\nCMD gunicorn \\\n    --bind 0.0.0.0:8000 \\\n    app:app\n",
        (2, 5, 4, 12),
    ),
    (
        "DFS308",
        "FROM alpine AS a\nCOPY \\\n    --from=1 \\\n    /x /x\nFROM alpine\n",
        (3, 5, 3, 13),
    ),
    (
        "DFS201",
        "FROM debian:bookworm-slim\nUSER \\\n    root\nCMD [\"/app\"]\n",
        (3, 5, 3, 9),
    ),
    (
        "DFS304",
        "FROM debian:bookworm-slim\nWORKDIR \\\n    app\n",
        (3, 5, 3, 8),
    ),
    (
        "DFS101",
        "FROM \\\n    python:3.12\nCMD [\"python\", \"app.py\"]\n",
        (2, 5, 2, 16),
    ),
]


@pytest.mark.parametrize("rule, text, focus", FOCUS_CASES, ids=[case[0] for case in FOCUS_CASES])
def test_focus_is_the_command_or_word_that_triggered_it(lint_text, rule, text, focus):
    (finding,) = lint_text(text, rule)
    assert finding.line <= focus[0]
    assert finding.focus == focus
    assert finding.snippet[0] == focus[0]
