"""The focus of the package and transport rules: in a multi-line instruction, a finding
points at the command (or word) that triggered it, while `line` stays the instruction's
first line."""

from __future__ import annotations

import pytest

from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse

PREAMBLE = "RUN set -eux \\\n    && echo one \\\n    && echo two \\\n"

CASES = [
    ("DFS102", "FROM debian:12\n" + PREAMBLE + "    && apt-get update\nRUN apt-get install -y curl\n", 5, "apt-get update"),
    ("DFS102", "FROM debian:12\n" + PREAMBLE + "    && apt-get install -y curl\n", 5, "apt-get install -y curl"),
    ("DFS103", "FROM debian:12\n" + PREAMBLE + "    && apt-get update \\\n    && apt-get install -y curl\n", 5, "apt-get update"),
    ("DFS104", "FROM debian:12\n" + PREAMBLE + "    && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n", 5, "apt-get install -y curl"),
    ("DFS106", "FROM alpine:3.20\n" + PREAMBLE + "    && apk add curl\n", 5, "apk add curl"),
    ("DFS106", "FROM alpine:3.20\n" + PREAMBLE + "    && apk update \\\n    && apk add --no-cache curl\n", 5, "apk update"),
    ("DFS107", "FROM fedora:40\n" + PREAMBLE + "    && dnf -y upgrade\n", 5, "dnf -y upgrade"),
    ("DFS108", "FROM node:20\n" + PREAMBLE + "    && npm ci\n", 5, "npm ci"),
    ("DFS111", "FROM python:3.12\nCOPY --chown=app:app \\\n    . /app\nRUN pip install -r /app/requirements.txt\n", 3, "."),
    ("DFS206", "FROM debian:12\n" + PREAMBLE + "    && curl -k -o /x https://example.com/x\n", 5, "curl -k -o /x https://example.com/x"),
    ("DFS206", "FROM node:20\nENV A=1 \\\n    NODE_TLS_REJECT_UNAUTHORIZED=0\n", 3, "NODE_TLS_REJECT_UNAUTHORIZED=0"),
    ("DFS206", "FROM debian:12\nADD --chown=app \\\n    http://example.com/x.tgz /opt/\n", 3, "http://example.com/x.tgz"),
    ("DFS301", "FROM debian:12\n" + PREAMBLE + "    && apt-get install curl\n", 5, "apt-get install curl"),
    ("DFS306", "FROM python:3.12\n" + PREAMBLE + "    && pip install flask\n", 5, "pip install flask"),
]


@pytest.mark.parametrize("rule, text, line, shown", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_focus_is_the_triggering_command(rule, text, line, shown):
    dockerfile = parse(text)
    (finding,) = lint(dockerfile, Settings(select=(rule,)).rules())
    assert finding.line == 2  # the instruction's first line
    focus_line, column, end_line, end_column = finding.focus
    assert (focus_line, end_line) == (line, line)
    source_line = text.splitlines()[line - 1]
    assert source_line[column - 1 : end_column - 1] == shown
    assert finding.snippet[0] == line
