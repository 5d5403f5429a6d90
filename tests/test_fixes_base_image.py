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


# The smaller image lacks what buildpack-deps installs: a swap that leaves a RUN calling
# such a program without installing it would break the build, so there is no fix, and
# the suggestion names what to install.
@pytest.mark.parametrize("text, lacking", [
    ("FROM buildpack-deps:bookworm-scm\nRUN wget -q https://example.org/a.tgz && git clone https://example.org/r\nCMD [\"./app\"]\n",
     ["wget", "git"]),
    # a later stage built on it calls gpg and make
    ("FROM buildpack-deps:bookworm AS base\nFROM base\nRUN gpg --verify a.sig && make install\nCMD [\"./app\"]\n",
     ["gpg", "make"]),
    # the full python image is buildpack-deps: python:*-slim has no curl, nor a compiler
    ("FROM python:3.12\nRUN curl -fsSL https://example.org/x.sh | sh && cc -o tool tool.c\nCMD [\"python\"]\n",
     ["curl", "cc"]),
    # -dev packages bring make (through dpkg-dev), not a compiler
    ("FROM buildpack-deps:bookworm\nRUN apt-get update && apt-get install -y tk-dev && ./configure && make\nCMD [\"./app\"]\n",
     ["configure"]),
])
def test_no_fix_when_the_smaller_image_lacks_a_program_the_file_calls(text, lacking):
    (finding,) = findings(text)
    assert finding.fix is None
    named = ", ".join("a C compiler for `./configure`" if p == "configure" else f"`{p}`" for p in lacking)
    assert f"it lacks {named}, which this file calls" in finding.suggestion


@pytest.mark.parametrize("text", [
    # installed by the file, or brought by what it installs (build-essential has make)
    "FROM buildpack-deps:bookworm-scm\nRUN apt-get update && apt-get install -y wget git && wget -q x && git clone y\nCMD [\"./app\"]\n",
    "FROM buildpack-deps:bookworm\nRUN apt-get update && apt-get install -y build-essential && make\nCMD [\"./app\"]\n",
    # the -curl tag carries no git: a RUN that calls git installs it anyway
    "FROM buildpack-deps:bookworm-curl\nRUN echo hello\nCMD [\"./app\"]\n",
    # `command -v` only asks whether it is there
    "FROM buildpack-deps:bookworm-curl\nRUN if command -v curl; then echo yes; fi\nCMD [\"./app\"]\n",
    # a builder stage on another image may call what it likes
    "FROM golang:1.22 AS build\nRUN git clone x && make\nFROM buildpack-deps:bookworm\nCOPY --from=build /out /app\nCMD [\"/app\"]\n",
])
def test_the_fix_stays_when_the_smaller_image_has_what_the_file_calls(text):
    (finding,) = [f for f in findings(text) if f.rule == "DFS101"]
    assert finding.fix is not None and "lacks" not in finding.suggestion
