"""The fix of DFS101 (fat-base-image), applied: the image swapped for its smaller variant,
in the `FROM` or, when the image comes from a global `ARG` default only that `FROM` uses,
in the `ARG` default (RULES.md, DFS101 fine print).

Each case lints a text with DFS101, applies the edits of every finding's fix, checks the
text that comes out, re-parses it and checks the rule no longer fires.
"""

from __future__ import annotations

import pytest

from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse


def findings(text: str):
    return lint(parse(text), Settings(select=("DFS101",)).rules())


def fixed(text: str) -> str:
    edits = [edit.edit for finding in findings(text) if finding.fix for edit in finding.edits]
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


CASES = [
    # a literal image
    ("FROM python:3.12\nCMD [\"python\"]\n", "FROM python:3.12-slim\nCMD [\"python\"]\n"),
    # the tag from an ARG default that only this FROM uses: the default changes
    ("ARG PY=3.12\nFROM python:${PY}\n", "ARG PY=3.12-slim\nFROM python:${PY}\n"),
    ("ARG PY=3.12\nFROM python:$PY\n", "ARG PY=3.12-slim\nFROM python:$PY\n"),
    # the whole image from the ARG, quoted, with other ARGs on the line
    (
        'ARG NODE=20 BASE="python:3.12-bookworm"\nFROM ${BASE} AS app\n',
        'ARG NODE=20 BASE="python:3.12-slim-bookworm"\nFROM ${BASE} AS app\n',
    ),
    # a distribution suffix written in the FROM stays there
    ("ARG PY=3.12\nFROM python:${PY}-bookworm\n", "ARG PY=3.12-slim\nFROM python:${PY}-bookworm\n"),
    # a platform flag and the escape directive change nothing
    (
        "# escape=`\nARG PY=3.11\nFROM --platform=$BUILDPLATFORM python:${PY} AS build\nRUN echo `\n    hi\n",
        "# escape=`\nARG PY=3.11-slim\nFROM --platform=$BUILDPLATFORM python:${PY} AS build\nRUN echo `\n    hi\n",
    ),
    # the ARG is also used elsewhere: the FROM gets the suffix
    (
        "ARG PY=3.12\nFROM python:${PY}\nRUN echo ${PY}\n",
        "ARG PY=3.12\nFROM python:${PY}-slim\nRUN echo ${PY}\n",
    ),
    (
        "ARG PY=3.12\nFROM python:${PY}\nARG PY\n",
        "ARG PY=3.12\nFROM python:${PY}-slim\nARG PY\n",
    ),
    (
        "ARG PY=3.12\nFROM python:${PY} AS api\nCMD [\"api\"]\nFROM python:${PY}-slim\nCMD [\"worker\"]\n",
        "ARG PY=3.12\nFROM python:${PY}-slim AS api\nCMD [\"api\"]\nFROM python:${PY}-slim\nCMD [\"worker\"]\n",
    ),
    # the ARG default holds a variable of its own: the FROM gets the suffix
    (
        "ARG V=3.12\nARG BASE=python:${V}\nFROM ${BASE}\n",
        "ARG V=3.12\nARG BASE=python:${V}\nFROM ${BASE}-slim\n",
    ),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_fix_gives_the_smaller_image(text, expected):
    after = fixed(text)
    assert after == expected
    assert findings(after) == []


def test_the_suggestion_names_the_arg_to_set():
    (finding,) = findings("ARG PYTHON_VERSION=3.12\nFROM python:${PYTHON_VERSION}\n")
    assert "`ARG PYTHON_VERSION=3.12-slim`" in finding.suggestion
    assert finding.fix.title == "Use `python:3.12-slim`: `ARG PYTHON_VERSION=3.12-slim`"
    assert not finding.fix.safe
