"""The fixes of the correctness rules, applied: DFS301 (`-y`), DFS303 (exec form), DFS309 (`-f`).

Each case lints a text with one rule, applies the edits of every finding's fix (sorted by
start, descending), checks the text that comes out, re-parses it and checks the rule no
longer fires.
"""

from __future__ import annotations

import pytest

from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse


def findings(text: str, rule: str):
    return lint(parse(text), Settings(select=(rule,)).rules())


def apply_fixes(text: str, rule: str, unsafe: bool = False) -> str:
    edits = []
    for finding in findings(text, rule):
        if finding.fix is not None and (finding.fix.safe or unsafe):
            edits.extend(finding.fix.edits)
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


CASES = [
    # DFS301: `-y` after `install`
    (
        "DFS301",
        "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends curl\n",
        "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
    ),
    (
        "DFS301",
        "FROM debian:bookworm-slim\nRUN apt-get update \\\n    # tools\n    && apt-get install \\\n        curl \\\n"
        "    && apt-get install wget\n",
        "FROM debian:bookworm-slim\nRUN apt-get update \\\n    # tools\n    && apt-get install -y \\\n        curl \\\n"
        "    && apt-get install -y wget\n",
    ),
    (
        "DFS301",
        "FROM debian:bookworm-slim\nRUN <<EOF\napt-get update\napt-get install curl\nEOF\n",
        "FROM debian:bookworm-slim\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n",
    ),
    (
        "DFS301",
        "FROM debian:bookworm-slim\r\nRUN apt-get update \\\r\n    && apt-get install curl\r\n",
        "FROM debian:bookworm-slim\r\nRUN apt-get update \\\r\n    && apt-get install -y curl\r\n",
    ),
    (
        "DFS301",
        "FROM rockylinux:9\nRUN sudo dnf group install 'Development Tools' && yum install git\n",
        "FROM rockylinux:9\nRUN sudo dnf group install -y 'Development Tools' && yum install -y git\n",
    ),
    (
        "DFS301",
        "# escape=`\nFROM ubuntu:22.04\nRUN apt-get update `\n    && apt-get install `\n        curl\n",
        "# escape=`\nFROM ubuntu:22.04\nRUN apt-get update `\n    && apt-get install -y `\n        curl\n",
    ),
    # DFS309: `-f` after `curl`
    (
        "DFS309",
        "FROM debian:bookworm-slim\nRUN curl -sSL -o /tmp/x.tgz https://example.com/x.tgz\n",
        "FROM debian:bookworm-slim\nRUN curl -f -sSL -o /tmp/x.tgz https://example.com/x.tgz\n",
    ),
    (
        "DFS309",
        "FROM debian:bookworm-slim\nRUN sudo curl -sSL \\\n    # the archive\n    -o /tmp/x.tgz https://example.com/x.tgz \\\n"
        "    && curl -sSL https://example.com/y | sh\n",
        "FROM debian:bookworm-slim\nRUN sudo curl -f -sSL \\\n    # the archive\n    -o /tmp/x.tgz https://example.com/x.tgz \\\n"
        "    && curl -f -sSL https://example.com/y | sh\n",
    ),
    (
        "DFS309",
        "FROM debian:bookworm-slim\nRUN <<EOF\nset -e\ncurl -sSLO https://example.com/x.tgz\nEOF\n",
        "FROM debian:bookworm-slim\nRUN <<EOF\nset -e\ncurl -f -sSLO https://example.com/x.tgz\nEOF\n",
    ),
    (
        "DFS309",
        "FROM debian:bookworm-slim\r\nRUN curl -sSL \\\r\n    https://example.com/key > /tmp/key\r\n",
        "FROM debian:bookworm-slim\r\nRUN curl -f -sSL \\\r\n    https://example.com/key > /tmp/key\r\n",
    ),
]

UNSAFE_CASES = [
    # DFS303: exec form, one JSON string per word
    (
        "FROM python:3.12-slim\nCMD python app.py\n",
        'FROM python:3.12-slim\nCMD ["python", "app.py"]\n',
    ),
    (
        "FROM python:3.12-slim\nCMD gunicorn \\\n    # bind to all interfaces\n    --bind 0.0.0.0:8000 \\\n    app:app\n",
        'FROM python:3.12-slim\nCMD ["gunicorn", \\\n    # bind to all interfaces\n    "--bind", "0.0.0.0:8000", \\\n    "app:app"]\n',
    ),
    (
        "FROM python:3.12-slim\r\nCMD python \\\r\n    app.py\r\n",
        'FROM python:3.12-slim\r\nCMD ["python", \\\r\n    "app.py"]\r\n',
    ),
    (
        "FROM nginx:1.27\nCMD nginx -g \"daemon off;\"\n",
        'FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n',
    ),
    (
        "FROM nginx:1.27\nENTRYPOINT exec /docker-entrypoint.sh\n",
        'FROM nginx:1.27\nENTRYPOINT ["/docker-entrypoint.sh"]\n',
    ),
    (
        "FROM python:3.12-slim\nCMD ['gunicorn', 'start:app', '-c', './gunicorn.conf.py']\n",
        'FROM python:3.12-slim\nCMD ["gunicorn", "start:app", "-c", "./gunicorn.conf.py"]\n',
    ),
    (
        'FROM node:20-slim\nCMD ["serve", "-s", "dist"]  # the comment breaks the JSON\n',
        'FROM node:20-slim\nCMD ["serve", "-s", "dist"]\n',
    ),
    (
        "FROM python:3.12-slim\nCMD python -c 'print(\"héllo\")'\n",
        'FROM python:3.12-slim\nCMD ["python", "-c", "print(\\"héllo\\")"]\n',
    ),
]


@pytest.mark.parametrize("rule, before, after", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_safe_fix(rule, before, after):
    assert findings(before, rule), "the rule must fire on the input"
    fixed = apply_fixes(before, rule)
    assert fixed == after
    assert findings(fixed, rule) == []


@pytest.mark.parametrize("before, after", UNSAFE_CASES, ids=[f"DFS303-{i}" for i in range(len(UNSAFE_CASES))])
def test_exec_form_fix(before, after):
    found = findings(before, "DFS303")
    assert found and found[0].fix is not None and not found[0].fix.safe
    assert apply_fixes(before, "DFS303") == before, "an unsafe fix is not applied without --unsafe-fixes"
    fixed = apply_fixes(before, "DFS303", unsafe=True)
    assert fixed == after
    assert findings(fixed, "DFS303") == []
    instruction = [i for i in parse(fixed).instructions if i.keyword in ("CMD", "ENTRYPOINT")][0]
    assert instruction.exec_form is not None


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.12-slim\nCMD gunicorn --bind :$PORT app:app\n",
        "FROM python:3.12-slim\nCMD python manage.py migrate && python manage.py runserver\n",
        "FROM python:3.12-slim\nCMD python app.py > /var/log/app.log\n",
        "FROM python:3.12-slim\nCMD python *.py\n",
        'FROM python:3.12-slim\nCMD echo "$HOME"\n',
        "FROM python:3.12-slim\nCMD cd /app\n",
        "FROM python:3.12-slim\nCMD FOO=1 python app.py\n",
        "FROM python:3.12-slim\nCMD python ~/app.py\n",
        # in exec form `sh -c` would still be PID 1, behind its pipe
        'FROM python:3.12-slim\nCMD sh -c "app 2>&1 | tee /var/log/app.log"\n',
        "FROM python:3.12-slim\nCMD /bin/bash -c 'python manage.py migrate && gunicorn app:app'\n",
    ],
)
def test_no_exec_form_fix_with_shell_syntax(text):
    found = findings(text, "DFS303")
    assert found and found[0].fix is None


def test_exec_form_fix_for_a_shell_script_that_hands_over():
    found = findings('FROM python:3.12-slim\nCMD sh -c "python manage.py migrate && exec gunicorn app:app"\n', "DFS303")
    assert found[0].fix is not None
    found = findings('FROM python:3.12-slim\nCMD sh -c "app | tee app.log"\n', "DFS303")
    assert "`sh -c` stays PID 1 in exec form too" in found[0].suggestion


def test_no_fix_for_exec_form_run():
    for rule, text in (
        ("DFS301", 'FROM debian:bookworm-slim\nRUN ["apt-get", "install", "curl"]\n'),
        ("DFS309", 'FROM debian:bookworm-slim\nRUN ["curl", "-o", "/tmp/x", "https://example.com/x"]\n'),
    ):
        found = findings(text, rule)
        assert found and found[0].fix is None
