"""The fixes of the package-manager rules (DFS102, DFS104-DFS108, DFS117, DFS118), applied to real text.

Each case lints a Dockerfile with one rule, applies the edits of every fix it offers
(sorted by start, last first), checks the text that comes out, re-parses it and checks the
rule no longer fires.
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
        assert finding.fix is not None, f"no fix for line {finding.line}: {finding.message}"
        assert finding.fix.safe or unsafe, "the fix is unsafe"
        edits.extend(finding.fix.edits)
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


CASES = [
    # DFS104: unsafe, --no-install-recommends right after install
    (
        "DFS104",
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
        "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n",
    ),
    (
        "DFS104",
        "FROM debian:12\nRUN apt-get update \\\n    # refresh\n    && apt-get -q install -y \\\n        curl\n",
        "FROM debian:12\nRUN apt-get update \\\n    # refresh\n    && apt-get -q install --no-install-recommends -y \\\n        curl\n",
    ),
    (
        "DFS104",
        "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n",
        "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install --no-install-recommends -y curl\nEOF\n",
    ),
    (
        "DFS104",
        "FROM debian:12\r\nRUN apt-get update \\\r\n    && apt-get install -y curl; apt install -y jq\r\n",
        "FROM debian:12\r\nRUN apt-get update \\\r\n    && apt-get install --no-install-recommends -y curl; apt install --no-install-recommends -y jq\r\n",
    ),
    # DFS105: --no-cache-dir after install, --no-cache for uv
    (
        "DFS105",
        "FROM python:3.12-slim\nRUN pip install -r requirements.txt\n",
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n",
    ),
    (
        "DFS105",
        "FROM python:3.12-slim\nRUN python -m pip install --upgrade pip \\\n    # deps\n    && uv pip install --system -r requirements.txt\n",
        "FROM python:3.12-slim\nRUN python -m pip install --no-cache-dir --upgrade pip \\\n    # deps\n    && uv pip install --no-cache --system -r requirements.txt\n",
    ),
    (
        "DFS105",
        "FROM python:3.12-slim\nRUN <<EOF\nset -e\npip3 install flask\nEOF\n",
        "FROM python:3.12-slim\nRUN <<EOF\nset -e\npip3 install --no-cache-dir flask\nEOF\n",
    ),
    (
        "DFS105",
        "FROM python:3.12-slim\r\nRUN pip install \\\r\n    flask\r\n",
        "FROM python:3.12-slim\r\nRUN pip install --no-cache-dir \\\r\n    flask\r\n",
    ),
    (
        "DFS105",
        "# escape=`\nFROM python:3.12-slim\nRUN pip install `\n    flask\n",
        "# escape=`\nFROM python:3.12-slim\nRUN pip install --no-cache-dir `\n    flask\n",
    ),
    # DFS105 for the other Python installers: their flag, or the removal of their cache
    (
        "DFS105",
        "FROM python:3.12-slim\nRUN uv sync --frozen\n",
        "FROM python:3.12-slim\nRUN uv sync --no-cache --frozen\n",
    ),
    (
        "DFS105",
        "FROM python:3.12-slim\nRUN pip install poetry && poetry install --only main\n",
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir poetry && poetry install --no-cache --only main\n",
    ),
    (
        "DFS105",
        "FROM python:3.12-slim\nRUN pipenv install --system --deploy\n",
        "FROM python:3.12-slim\nRUN pipenv install --system --deploy && rm -rf /root/.cache/pipenv\n",
    ),
    (
        "DFS105",
        "FROM python:3.12-slim\nENV PIPENV_CACHE_DIR=/var/cache/pipenv\nRUN pipenv install --system --deploy\n",
        "FROM python:3.12-slim\nENV PIPENV_CACHE_DIR=/var/cache/pipenv\nRUN pipenv install --system --deploy && rm -rf $PIPENV_CACHE_DIR\n",
    ),
    (
        "DFS105",
        "FROM python:3.12-slim\nUSER app\nRUN pipenv install --deploy\n",
        "FROM python:3.12-slim\nUSER app\nRUN pipenv install --deploy && rm -rf $HOME/.cache/pipenv\n",
    ),
    (
        "DFS105",
        "FROM python:3.12-slim\nRUN <<EOF\npdm sync --prod\nEOF\n",
        "FROM python:3.12-slim\nRUN <<EOF\npdm sync --prod && pdm cache clear\nEOF\n",
    ),
    # DFS106: --no-cache after add
    (
        "DFS106",
        "FROM alpine:3.20\nRUN apk update && apk add curl\n",
        "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
    ),
    (
        "DFS106",
        "FROM alpine:3.20\nRUN set -eux; apk update; apk add --no-cache curl\n",
        "FROM alpine:3.20\nRUN set -eux; apk add --no-cache curl\n",
    ),
    (
        "DFS106",
        "FROM alpine:3.20\nRUN apk update \\\n    && apk add \\\n        curl\n",
        "FROM alpine:3.20\nRUN apk add --no-cache \\\n        curl\n",
    ),
    (
        "DFS106",
        "FROM alpine:3.20\nRUN <<EOF\napk update\napk add git\nEOF\n",
        "FROM alpine:3.20\nRUN <<EOF\napk add --no-cache git\nEOF\n",
    ),
    (
        "DFS106",
        "FROM alpine:3.20\nRUN apk update && apk upgrade && apk add curl\n",
        "FROM alpine:3.20\nRUN apk upgrade --no-cache && apk add --no-cache curl\n",
    ),
    (
        "DFS106",
        "FROM alpine:3.20\nRUN apk update \\\n    && apk upgrade\n",
        "FROM alpine:3.20\nRUN apk upgrade --no-cache\n",
    ),
    (
        "DFS106",
        "FROM alpine:3.20\nRUN apk add --virtual .build-deps \\\n    # compilers\n    gcc musl-dev \\\n    && make && apk del .build-deps\n",
        "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps \\\n    # compilers\n    gcc musl-dev \\\n    && make && apk del .build-deps\n",
    ),
    (
        "DFS106",
        "FROM alpine:3.20\nRUN <<EOF\napk add git\napk add curl\nEOF\n",
        "FROM alpine:3.20\nRUN <<EOF\napk add --no-cache git\napk add --no-cache curl\nEOF\n",
    ),
    (
        "DFS106",
        "FROM alpine:3.20\r\nRUN apk add \\\r\n    curl\r\n",
        "FROM alpine:3.20\r\nRUN apk add --no-cache \\\r\n    curl\r\n",
    ),
    # DFS107: the clean command of the same tool appended
    (
        "DFS107",
        "FROM fedora:40\nRUN dnf install -y httpd\n",
        "FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n",
    ),
    (
        "DFS107",
        "FROM rockylinux:9\nRUN yum install -y \\\n    # web\n    httpd \\\n    mod_ssl\n",
        "FROM rockylinux:9\nRUN yum install -y \\\n    # web\n    httpd \\\n    mod_ssl && yum clean all\n",
    ),
    (
        "DFS107",
        "FROM ubi9/ubi-minimal\nRUN <<EOF\nset -e\nmicrodnf install -y shadow-utils\nEOF\n",
        "FROM ubi9/ubi-minimal\nRUN <<EOF\nset -e\nmicrodnf install -y shadow-utils && microdnf clean all\nEOF\n",
    ),
    (
        "DFS107",
        "FROM opensuse/leap:15.6\r\nRUN zypper -n in \\\r\n    curl\r\n",
        "FROM opensuse/leap:15.6\r\nRUN zypper -n in \\\r\n    curl && zypper clean --all\r\n",
    ),
    (
        "DFS107",
        "FROM rockylinux:9\nRUN sudo yum install -y httpd\n",
        "FROM rockylinux:9\nRUN sudo yum install -y httpd && sudo yum clean all\n",
    ),
    # DFS108: the cache cleanup appended
    (
        "DFS108",
        "FROM node:20-slim\nRUN npm ci --omit=dev\n",
        "FROM node:20-slim\nRUN npm ci --omit=dev && npm cache clean --force\n",
    ),
    (
        "DFS108",
        "FROM node:20-slim\nCOPY package.json yarn.lock ./\nRUN npm install -g serve \\\n    # deps\n    && yarn install --frozen-lockfile\n",
        "FROM node:20-slim\nCOPY package.json yarn.lock ./\nRUN npm install -g serve \\\n    # deps\n    && yarn install --frozen-lockfile && npm cache clean --force && yarn cache clean\n",
    ),
    (
        "DFS108",
        "FROM node:20-slim\nRUN <<EOF\nnpm ci\nEOF\n",
        "FROM node:20-slim\nRUN <<EOF\nnpm ci && npm cache clean --force\nEOF\n",
    ),
    (
        "DFS108",
        "FROM node:20-slim\r\nRUN npm ci \\\r\n    --omit=dev\r\n",
        "FROM node:20-slim\r\nRUN npm ci \\\r\n    --omit=dev && npm cache clean --force\r\n",
    ),
    # DFS102: the update-only RUN merged into the install RUN that follows
    (
        "DFS102",
        "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n",
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    ),
    (
        "DFS102",
        "FROM debian:12\nRUN apt-get -qq update\n# tools\nRUN set -eux; \\\n    # quiet\n    DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n        curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
        "FROM debian:12\n# tools\nRUN set -eux; \\\n    # quiet\n    apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n        curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
    ),
    (
        "DFS102",
        "FROM ubuntu:24.04\nRUN apt-get update\nRUN <<EOF\nset -e\napt-get install -y curl\nEOF\n",
        "FROM ubuntu:24.04\nRUN <<EOF\nset -e\napt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nEOF\n",
    ),
    (
        "DFS102",
        "FROM ubuntu:24.04\r\nRUN apt-get update\r\nRUN apt-get install -y \\\r\n    curl\r\n",
        "FROM ubuntu:24.04\r\nRUN apt-get update && apt-get install -y \\\r\n    curl && rm -rf /var/lib/apt/lists/*\r\n",
    ),
    (
        "DFS102",
        "FROM ubuntu:24.04\nRUN apt-get update\nRUN apt-get update && apt-get install -y curl\n",
        "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y curl\n",
    ),
    (
        "DFS102",
        "# escape=`\nFROM ubuntu:24.04\nRUN apt-get update `\n    -q\nRUN apt-get install -y `\n    curl\n",
        "# escape=`\nFROM ubuntu:24.04\nRUN apt-get update -q && apt-get install -y `\n    curl && rm -rf /var/lib/apt/lists/*\n",
    ),
]


# DFS117: unsafe, the production flag after the subcommand (no build step follows)
DEV_CASES = [
    ("FROM node:22\nRUN npm ci\nCMD [\"node\", \"s.js\"]\n", "FROM node:22\nRUN npm ci --omit=dev\nCMD [\"node\", \"s.js\"]\n"),
    ("FROM node:22\nRUN npm ci \\\n    --no-audit\n", "FROM node:22\nRUN npm ci --omit=dev \\\n    --no-audit\n"),
    ("FROM node:22\nRUN <<EOF\nset -e\nnpm install\nEOF\n", "FROM node:22\nRUN <<EOF\nset -e\nnpm install --omit=dev\nEOF\n"),
    ("FROM node:22\nRUN sh -c 'npm ci'\n", "FROM node:22\nRUN sh -c 'npm ci --omit=dev'\n"),
    ("FROM node:22\nRUN yarn --frozen-lockfile\n", "FROM node:22\nRUN yarn --production --frozen-lockfile\n"),
    ("FROM node:22\nRUN pnpm install --frozen-lockfile\n", "FROM node:22\nRUN pnpm install --prod --frozen-lockfile\n"),
    ("FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv sync --frozen\n", "FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv sync --no-dev --frozen\n"),
    ("FROM python:3.12\nRUN poetry install --no-root\n", "FROM python:3.12\nRUN poetry install --only main --no-root\n"),
    ("FROM python:3.12\nRUN pdm install\n", "FROM python:3.12\nRUN pdm install --prod\n"),
    ("FROM python:3.12\nRUN pipenv install --system --dev\n", "FROM python:3.12\nRUN pipenv install --system\n"),
    ("FROM ruby:3.3\nRUN bundle install --jobs 4\n", "FROM ruby:3.3\nRUN BUNDLE_WITHOUT=development:test bundle install --jobs 4\n"),
    ("FROM node:22\nONBUILD RUN npm ci\n", "FROM node:22\nONBUILD RUN npm ci --omit=dev\n"),
    # npm 6 (Node.js 14 and older) ignores `--omit=dev`
    ("FROM node:6-alpine\nRUN npm install\n", "FROM node:6-alpine\nRUN npm install --production\n"),
    ("FROM node:14.21-slim AS app\nRUN npm ci\n", "FROM node:14.21-slim AS app\nRUN npm ci --production\n"),
    # every branch that installs them is fixed, not only the first
    (
        "FROM node:22\nRUN bash -c 'if [ -f yarn.lock ]; then yarn install --frozen-lockfile; else pnpm install --frozen-lockfile; fi'\n",
        "FROM node:22\nRUN bash -c 'if [ -f yarn.lock ]; then yarn install --production --frozen-lockfile; else pnpm install --prod --frozen-lockfile; fi'\n",
    ),
]
# DFS118: unsafe, drop `-e`
EDITABLE_CASES = [
    ("FROM python:3.12\nRUN pip install --no-cache-dir -e .\n", "FROM python:3.12\nRUN pip install --no-cache-dir .\n"),
    ("FROM python:3.12\nRUN pip install --no-cache-dir --editable=./lib -e. flask\n", "FROM python:3.12\nRUN pip install --no-cache-dir ./lib . flask\n"),
    ("FROM python:3.12\nRUN pip install --no-cache-dir \\\n    -e /src\n", "FROM python:3.12\nRUN pip install --no-cache-dir \\\n    /src\n"),
    ("FROM python:3.12\nRUN uv pip install --no-cache --system -e '.[pg]'\n", "FROM python:3.12\nRUN uv pip install --no-cache --system '.[pg]'\n"),
]
CASES += [("DFS117", before, after) for before, after in DEV_CASES] + [("DFS118", before, after) for before, after in EDITABLE_CASES]


@pytest.mark.parametrize("rule, before, after", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_fix(rule, before, after):
    assert findings(before, rule), "nothing to fix"
    fixed = apply_fixes(before, rule, unsafe=True)
    assert fixed == after
    assert findings(fixed, rule) == []


NO_FIX = [
    ("DFS102", "FROM debian:12\nRUN apt-get update\nENV A=1\nRUN apt-get install -y curl\n"),
    ("DFS102", "FROM debian:12\nRUN apt-get update && echo done\nRUN apt-get install -y curl\n"),
    ("DFS102", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt apt-get update\nRUN apt-get install -y curl\n"),
    ("DFS102", "FROM debian:12\nRUN apt-get update\nRUN yes | apt-get install curl\n"),
    ("DFS102", "FROM debian:12\nRUN apt-get update\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n"),
    # a later RUN installs from the same lists: moving the update into the next RUN is not enough
    ("DFS102", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get install -y git\n"),
    ("DFS104", "FROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n"),
    ("DFS105", "FROM python:3.12\nRUN [\"pip\", \"install\", \"flask\"]\n"),
    ("DFS106", "FROM alpine:3.20\nRUN apk update\n"),
    ("DFS106", "FROM alpine:3.20\nRUN apk update && apk info curl && apk add curl\n"),
    ("DFS106", "FROM alpine:3.20\nRUN apk update || true && apk add curl\n"),
    ("DFS106", "FROM alpine:3.20\nRUN apk update \\\n    # refresh\n    && apk add curl\n"),
    ("DFS106", "FROM alpine:3.20\nRUN sh -c 'apk update && apk add curl'\n"),
    ("DFS107", "FROM fedora:40\nRUN if [ -x /usr/bin/dnf ]; then dnf install -y httpd; fi\n"),
    ("DFS107", "FROM fedora:40\nRUN dnf install -y httpd & wait\n"),
    ("DFS108", "FROM node:20\nRUN for d in a b; do (cd $d && npm ci); done\n"),
    ("DFS105", "FROM python:3.12\nRUN if [ -f Pipfile ]; then pipenv install --system; fi\n"),
    # DFS117: a build step after the install needs the development dependencies
    ("DFS117", "FROM node:22\nRUN npm ci\nCOPY . .\nRUN npm run build\n"),
    ("DFS117", "FROM node:22\nRUN npm ci && npx tsc -p .\n"),
    ("DFS117", "FROM node:22 AS base\nRUN yarn install\nFROM base AS web\nRUN yarn build\nCMD [\"node\", \"s.js\"]\nFROM base\n"),
    ("DFS117", "FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv sync --frozen && uv run pytest\n"),
    ("DFS117", "FROM ruby:3.3\nRUN bundle install\nRUN bundle exec rake assets:precompile\n"),
    # ... no production flag to insert, or the call already chooses its groups
    ("DFS117", "FROM node:22\nRUN yarn install --immutable\n"),
    ("DFS117", "FROM python:3.12\nRUN pip install --no-cache-dir -r requirements-dev.txt\n"),
    ("DFS117", "FROM python:3.12\nRUN poetry install --no-cache --without docs\n"),
    ("DFS117", "FROM python:3.12\nENV UV_NO_CACHE=1\nARG UV_OPTIONS\nRUN uv sync $UV_OPTIONS\n"),
    ("DFS117", "FROM python:3.12\nRUN PIPENV_DEV=1 pipenv install --system\n"),
    ("DFS117", "FROM ruby:3.3\nRUN sudo bundle install\n"),
    ("DFS117", "FROM node:22\nRUN [\"npm\", \"ci\"]\n"),
    # one branch has no mechanical fix (Yarn 2+): a fix for the other alone would not help
    ("DFS117", "FROM node:22\nRUN if [ -f .yarnrc.yml ]; then yarn install --immutable; else npm ci; fi\n"),
    ("DFS118", "FROM python:3.12\nRUN pip install --no-cache-dir \"-e\" .\n"),
    ("DFS118", "FROM python:3.12\nRUN [\"pip\", \"install\", \"--no-cache-dir\", \"-e\", \".\"]\n"),
]


@pytest.mark.parametrize("rule, text", NO_FIX, ids=[f"{c[0]}-{i}" for i, c in enumerate(NO_FIX)])
def test_no_fix_where_unsafe(rule, text):
    found = findings(text, rule)
    assert found, "expected a finding"
    assert all(finding.fix is None for finding in found)


def test_apt_recommends_fix_is_unsafe():
    (finding,) = findings("FROM debian:12\nRUN apt-get install -y curl\n", "DFS104")
    assert finding.fix is not None and not finding.fix.safe


def test_yarn_fix_unsafe_after_whole_context_copy():
    (finding,) = findings("FROM node:20\nCOPY . .\nRUN yarn install\n", "DFS108")
    assert finding.fix is not None and not finding.fix.safe
    (finding,) = findings("FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn install\n", "DFS108")
    assert finding.fix is not None and finding.fix.safe


def test_one_finding_one_edit_per_command():
    (finding,) = findings("FROM python:3.12\nRUN pip install a && pip3 install b; python3 -m pip install c\n", "DFS105")
    assert len(finding.fix.edits) == 3


def test_suggestions_quote_the_users_command():
    (finding,) = findings("FROM python:3.12\nRUN pip3 install -r requirements.txt\n", "DFS105")
    assert "`pip3 install --no-cache-dir -r requirements.txt`" in finding.suggestion
    assert "--mount=type=cache,target=/root/.cache/pip" in finding.suggestion
    (finding,) = findings("FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n", "DFS102")
    assert "`RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*`" in finding.suggestion
