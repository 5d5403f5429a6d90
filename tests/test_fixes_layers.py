"""The fixes of the layer rules (DFS109, DFS114, DFS116, DFS202), applied by hand.

Each case lints a Dockerfile with one rule, splices every fix's edits into the text
(last edit first), checks the expected text comes out, re-parses it and checks the rule
no longer fires.
"""

from __future__ import annotations

import pytest

from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse


def findings(text: str, rule: str):
    return lint(parse(text), Settings(select=(rule,)).rules())


def apply(text: str, rule: str) -> str:
    edits = [edit.edit for finding in findings(text, rule) if finding.fix for edit in finding.edits]
    edits.sort(key=lambda edit: (edit.start, edit.end), reverse=True)
    for earlier, later in zip(edits[1:], edits):
        assert earlier.end <= later.start, "edits overlap"
    for edit in edits:
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


CASES = [
    # DFS202: ADD -> COPY
    ("DFS202", "FROM alpine\nADD app.py /app/\n", "FROM alpine\nCOPY app.py /app/\n"),
    ("DFS202", "FROM alpine\nADD --chown=1:1 \\\n    # config\n    a.conf /etc/\n", "FROM alpine\nCOPY --chown=1:1 \\\n    # config\n    a.conf /etc/\n"),
    ("DFS202", "FROM alpine\nADD <<EOF /etc/motd\nhello\nEOF\n", "FROM alpine\nCOPY <<EOF /etc/motd\nhello\nEOF\n"),
    ("DFS202", "FROM alpine\r\nadd --link a.txt \\\r\n  /a.txt\r\n", "FROM alpine\r\ncopy --link a.txt \\\r\n  /a.txt\r\n"),
    ("DFS202", "FROM alpine\nONBUILD ADD app.py /app/\n", "FROM alpine\nONBUILD COPY app.py /app/\n"),
    ("DFS202", "FROM alpine\nonbuild  add $PWD/app-$REV.jar /opt/\n", "FROM alpine\nonbuild  copy $PWD/app-$REV.jar /opt/\n"),
    # DFS114: useradd -l
    ("DFS114", "FROM debian\nRUN useradd -u 100000 app\n", "FROM debian\nRUN useradd -l -u 100000 app\n"),
    (
        "DFS114",
        "FROM debian\nRUN groupadd -g 100000 app \\\n    # user\n    && useradd \\\n      -u 100000 -g app app && useradd --uid=200000 b\n",
        "FROM debian\nRUN groupadd -g 100000 app \\\n    # user\n    && useradd -l \\\n      -u 100000 -g app app && useradd -l --uid=200000 b\n",
    ),
    ("DFS114", "FROM debian\nRUN <<EOF\nset -e\nsudo useradd -u 100000 app\nEOF\n", "FROM debian\nRUN <<EOF\nset -e\nsudo useradd -l -u 100000 app\nEOF\n"),
    ("DFS114", "FROM debian\r\nRUN useradd \\\r\n  -u 100000 app\r\n", "FROM debian\r\nRUN useradd -l \\\r\n  -u 100000 app\r\n"),
    # DFS109: the cleanup moves into the RUN above
    (
        "DFS109",
        "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN apt-get clean && rm -rf /var/lib/apt/lists/*\nCMD [\"sh\"]\n",
        "FROM debian\nRUN apt-get update && apt-get install -y curl && apt-get clean && rm -rf /var/lib/apt/lists/*\nCMD [\"sh\"]\n",
    ),
    (
        "DFS109",
        "FROM debian\nRUN apt-get update \\\n    # tools\n    && apt-get install -y curl\n# clean up\nRUN rm -f /x || true; \\\n    rm -rf /var/lib/apt/lists/*\n",
        "FROM debian\nRUN apt-get update \\\n    # tools\n    && apt-get install -y curl && { rm -f /x || true; rm -rf /var/lib/apt/lists/*; }\n# clean up\n",
    ),
    (
        "DFS109",
        "FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\nRUN <<EOF\napt-get clean\nrm -rf /var/lib/apt/lists/*\nEOF\n",
        "FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl && { apt-get clean; rm -rf /var/lib/apt/lists/*; }\nEOF\n",
    ),
    (
        "DFS109",
        "FROM debian\r\nRUN apt-get update \\\r\n  && apt-get install -y curl\r\nRUN rm -rf /var/lib/apt/lists/*",
        "FROM debian\r\nRUN apt-get update \\\r\n  && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\r\n",
    ),
    # DFS116: consecutive RUNs joined
    ("DFS116", "FROM debian\nRUN a\nRUN b\nRUN c\n", "FROM debian\nRUN a \\\n    && b \\\n    && c\n"),
    (
        "DFS116",
        "FROM debian\nRUN a \\\n    # inner\n    && b\n# between\n\nRUN c || true\n",
        "FROM debian\nRUN a \\\n    # inner\n    && b \\\n# between\n    && { c || true; }\n",
    ),
    ("DFS116", "FROM debian\r\nRUN a\r\nRUN b; c\r\n", "FROM debian\r\nRUN a \\\r\n    && { b; c; }\r\n"),
    ("DFS116", "# escape=`\nFROM debian\nRUN --network=none a\nRUN --network=none b\n", "# escape=`\nFROM debian\nRUN --network=none a `\n    && b\n"),
]


@pytest.mark.parametrize("rule, before, after", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_fix(rule, before, after):
    fixed = apply(before, rule)
    assert fixed == after
    assert findings(fixed, rule) == [], "the rule still fires after its fix"


NO_FIX = [
    ("DFS202", "FROM alpine\nADD --unpack=false a.tar.gz /opt/\n"),  # COPY has no --unpack
    ("DFS114", 'FROM debian\nRUN ["useradd", "-u", "100000", "app"]\n'),  # exec form
    ("DFS109", "FROM debian\nRUN apt-get update && apt-get install -y curl\nENV A=1\nRUN rm -rf /var/lib/apt/lists/*\n"),  # not the RUN above
    ("DFS109", "FROM debian\nWORKDIR /app\nCOPY . .\nRUN rm -rf tests\n"),  # a COPY created it
    ("DFS109", "FROM debian\nWORKDIR /tmp\nRUN wget https://x/y.tgz && cd /opt && tar xzf /tmp/y.tgz\nRUN rm -f y.tgz\n"),  # relative path, the RUN above cds
    ("DFS109", "FROM debian\nRUN apt-get update && apt-get install -y curl &\nRUN rm -rf /var/lib/apt/lists/*\n"),  # background
    ("DFS109", "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n"),  # two creators
    ("DFS116", "FROM debian\nRUN cd /app && make\nRUN make install\n"),  # the cd would carry over
    ("DFS116", "FROM debian\nRUN export A=1\nRUN echo $A\n"),
    ("DFS116", "FROM debian\nRUN a # note\nRUN b\n"),  # trailing comment
    ("DFS116", "FROM debian\nRUN a\nRUN b # note\n"),
    ("DFS116", "FROM debian\nRUN a &\nRUN b\n"),
    ("DFS116", 'FROM debian\nRUN ["a"]\nRUN b\n'),
    ("DFS116", "FROM debian\nRUN a\nRUN <<EOF\nb\nEOF\n"),
]


@pytest.mark.parametrize("rule, text", NO_FIX, ids=[f"{c[0]}-{i}" for i, c in enumerate(NO_FIX)])
def test_no_fix(rule, text):
    found = findings(text, rule)
    assert found, "the rule should fire"
    assert all(finding.fix is None for finding in found)


NO_FIX_SHELLS = [
    ("DFS116", 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Write-Host a\nRUN Write-Host b\n'),
    ("DFS116", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo a\nRUN echo b\n"),
    ("DFS109", 'FROM python:3.12\nSHELL ["pwsh", "-c"]\nRUN pip install flask\nRUN pip cache purge\n'),
]


@pytest.mark.parametrize("rule, text", NO_FIX_SHELLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(NO_FIX_SHELLS)])
def test_no_fix_outside_posix_shells(rule, text):
    found = findings(text, rule)
    assert found and all(finding.fix is None for finding in found)


def test_fix_with_posix_shell_instruction():
    text = 'FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a\nRUN b\n'
    assert apply(text, "DFS116") == 'FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a \\\n    && b\n'


def test_no_fix_after_a_bare_assignment():
    for text in (
        "FROM debian\nRUN A=1; echo $A\nRUN echo $A\n",
        "FROM debian\nRUN case $X in a) ARCH=arm64 ;; *) ARCH=amd64 ;; esac && curl -o f $ARCH\nRUN echo $ARCH\n",
    ):
        found = findings(text, "DFS116")
        assert found and all(finding.fix is None for finding in found)
    # an assignment prefix only sets the variable for its command: joinable
    assert apply("FROM debian\nRUN A=1 make\nRUN echo $A\n", "DFS116") == "FROM debian\nRUN A=1 make \\\n    && echo $A\n"
