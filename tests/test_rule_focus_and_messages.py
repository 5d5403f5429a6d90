"""Where findings point inside a multi-line instruction (their focus), and what the
messages of the layer, copy and download rules name.

`line` stays the instruction's first line (suppressions, fingerprints); the focus is the
command or word that triggered the finding, and the text snippet shows its line.
"""

from __future__ import annotations

import pytest

from dfslim import packages
from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse


def findings(text: str, rule: str):
    return lint(parse(text), Settings(select=(rule,)).rules())


def only(text: str, rule: str):
    found = findings(text, rule)
    assert len(found) == 1, [f.message for f in found]
    return found[0]


# (rule, Dockerfile, the instruction's first line, the focus line, text the focus line holds)
FOCUS = [
    ("DFS105", "FROM python:3.12\nRUN apt-get update \\\n    && poetry install --only main\n", 2, 3, "poetry install"),
    ("DFS117", "FROM node:22\nRUN apt-get update \\\n    && npm ci \\\n    && rm -rf /var/lib/apt/lists/*\n", 2, 3, "npm ci"),
    ("DFS118", "FROM python:3.12\nRUN <<EOF\nset -e\npip install --no-cache-dir -e .\nEOF\n", 2, 4, "pip install"),
    ("DFS109", "FROM debian\nRUN wget -O /tmp/a.tgz https://x/a.tgz && tar -xzf /tmp/a.tgz -C /opt\nRUN set -e; \\\n    # the archive\n    rm -f /tmp/a.tgz\n", 3, 5, "rm -f"),
    ("DFS110", "FROM debian\nCOPY . /app\nRUN set -e \\\n    && echo hi \\\n    && chown -R app /app\n", 3, 5, "chown"),
    ("DFS112", "FROM python:3.12-slim\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    && apt-get install -y gcc\nCMD [\"python\", \"app.py\"]\n", 2, 4, "apt-get install -y gcc"),
    ("DFS113", "FROM debian\nRUN apt-get update \\\n    && wget -q https://x/t.tar.gz \\\n    && tar -xzf t.tar.gz -C /opt\n", 2, 3, "wget"),
    ("DFS114", "FROM debian\nRUN <<EOF\nset -e\nuseradd -u 1000001 app\nEOF\n", 2, 4, "useradd"),
    ("DFS115", "FROM golang:1.22 AS b\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=b \\\n    / \\\n    /rootfs/\n", 4, 5, "/"),
    ("DFS119", "FROM python:3.12-slim\nRUN apt-get update \\\n    && apt-get install -y libpq5 \\\n    && apt-get install -y vim\nCMD [\"python\", \"app.py\"]\n", 2, 4, "apt-get install -y vim"),
    ("DFS202", "FROM alpine:3.20\nADD --chown=1:1 \\\n    app.py /app/\n", 2, 2, "ADD"),
    ("DFS203", "FROM alpine:3.20\nADD --chown=1:1 \\\n    https://example.com/tool \\\n    /usr/local/bin/tool\n", 2, 3, "https://example.com/tool"),
    ("DFS205", "FROM debian\nRUN apt-get update \\\n    && curl -fsSL https://x/setup \\\n    | bash -\n", 2, 3, "curl"),
    ("DFS207", "ARG REGISTRY\nFROM \\\n    --platform=linux/amd64 \\\n    ${REGISTRY}/ubuntu\n", 2, 4, "${REGISTRY}/ubuntu"),
    ("DFS208", "FROM debian\nRUN echo a \\\n    && sudo apt-get update\n", 2, 3, "sudo"),
    ("DFS209", "FROM debian\nRUN mkdir -p /d \\\n    && chmod 777 /d\n", 2, 3, "chmod 777"),
    ("DFS209", "FROM debian\nCOPY --chown=1:1 \\\n    --chmod=777 \\\n    a /a\n", 2, 3, "--chmod=777"),
    ("DFS210", "FROM alpine:3.20\nCOPY --chown=1:1 \\\n    app/ \\\n    .env \\\n    /app/\n", 2, 4, ".env"),
    ("DFS211", "FROM debian\nRUN apt-get update && apt-get install -y \\\n    curl \\\n    openssh-server\n", 2, 4, "openssh-server"),
    ("DFS211", "FROM debian\nEXPOSE 80 \\\n    22\n", 2, 3, "22"),
    ("DFS212", "FROM debian\nRUN apt-get update \\\n    && curl -fsSLo /tmp/t.tgz https://x/t.tgz \\\n    && tar -xzf /tmp/t.tgz -C /opt\n", 2, 3, "curl"),
    ("DFS212", "FROM debian\nRUN apt-get update \\\n    && wget -qO- https://x/t.tgz \\\n    | tar -xz -C /opt\n", 2, 3, "wget"),
    ("DFS309", "FROM debian\nRUN set -e \\\n    && curl -sSL -o /x https://x/y\n", 2, 3, "curl"),
]


@pytest.mark.parametrize("rule, text, line, focus_line, shown", FOCUS, ids=[f"{c[0]}-{i}" for i, c in enumerate(FOCUS)])
def test_focus_is_the_triggering_command_or_word(rule, text, line, focus_line, shown):
    finding = only(text, rule)
    assert finding.line == line
    start_line, start_column, end_line, end_column = finding.focus
    assert start_line == focus_line
    lines = text.splitlines()
    assert lines[start_line - 1][start_column - 1 :].startswith(shown)
    assert finding.snippet[0] == focus_line


def test_onbuild_focus_points_inside_the_onbuild_line():
    finding = only("FROM debian\nONBUILD RUN echo a \\\n    && sudo make install\n", "DFS208")
    assert finding.line == 2 and finding.focus[0] == 3


def test_exec_form_run_has_no_narrower_focus():
    text = 'FROM python:3.12-slim\nRUN ["/bin/bash", "-c", \\\n  "apt-get update && apt-get install -y gcc"]\nCMD ["python", "app.py"]\n'
    finding = only(text, "DFS112")
    assert finding.focus == (2, 1, 3, 46)  # the whole instruction: exec-form offsets are not exact


# ------------------------------------------------------------------ DFS109: who created the files


def test_dfs109_names_the_copy_from_and_suggests_a_bind_mount():
    text = (
        "FROM python:3.12-slim AS build\nRUN pip wheel --no-cache-dir -w /wheels flask\n"
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
        "COPY --from=build /wheels /wheels\nRUN pip install --no-cache-dir /wheels/*\nRUN rm -rf /wheels\n"
    )
    finding = only(text, "DFS109")
    assert "`COPY --from=build /wheels /wheels` (line 5) created" in finding.message
    assert "line 4" not in finding.message and "line 6" not in finding.message
    assert "`RUN --mount=type=bind,from=build,source=/wheels,target=/wheels ...`" in finding.suggestion
    assert "that uses them (line 6)" in finding.suggestion
    assert finding.fix is None


def test_dfs109_a_run_that_only_reads_the_files_is_no_creator():
    text = "FROM debian\nCOPY scripts/*.sh scripts/*.env /tmp/scripts/\nRUN bash /tmp/scripts/setup.sh\nRUN rm -rf /tmp/scripts\n"
    finding = only(text, "DFS109")
    assert "(line 2) created" in finding.message and "line 3" not in finding.message
    assert "--mount=type=bind,source=scripts,target=/tmp/scripts" in finding.suggestion
    assert finding.fix is None  # moving the rm into the RUN above would save nothing
    # a read of what the base image ships is not flagged at all
    assert findings("FROM debian\nRUN bash /usr/share/setup/run.sh\nRUN rm -rf /usr/share/setup\n", "DFS109") == []


def test_dfs109_a_download_used_by_later_runs():
    text = (
        "FROM debian\nRUN wget -O /tmp/get-pip.py https://bootstrap.pypa.io/get-pip.py\n"
        "RUN python3.11 /tmp/get-pip.py\nRUN python3.12 /tmp/get-pip.py\nRUN rm /tmp/get-pip.py\n"
    )
    finding = only(text, "DFS109")
    assert "(line 2) created" in finding.message
    assert "create, use and delete the files in one RUN: do the work of lines 3 and 4 in the RUN at line 2" in finding.suggestion


def test_dfs109_folders_only_made_are_said_so():
    text = "FROM python:3.12\nRUN mkdir -p /app/packs\nWORKDIR /app\nRUN pip install --user requests\nRUN find . -name '*.pyc' -delete\n"
    finding = only(text, "DFS109")
    assert "in a folder `RUN mkdir -p /app/packs` (line 2) made or changed" in finding.message


def test_dfs109_a_second_cleanup_names_what_is_still_there():
    text = "FROM debian\nCOPY a.sh /tmp/scripts/\nRUN rm -rf /tmp/scripts\nCOPY motd.txt /tmp/\nRUN rm -rf /tmp/*\n"
    messages = [f.message for f in findings(text, "DFS109")]
    assert len(messages) == 2
    assert "`COPY motd.txt /tmp/` (line 4) created" in messages[1] and "line 2" not in messages[1]


def test_dfs109_onbuild_cleanup_names_the_onbuild_copy():
    text = "FROM debian\nWORKDIR /app\nONBUILD COPY . /app\nONBUILD RUN rm -rf /app/tests\n"
    finding = only(text, "DFS109")
    assert finding.line == 4
    assert "`ONBUILD COPY . /app` (line 3) created" in finding.message
    assert finding.fix is None


# ------------------------------------------------------------------ messages of other rules


def test_dfs112_targets_are_judged_on_their_own():
    text = (
        "FROM python:3.12-slim AS worker\nRUN apt-get update && apt-get install -y gcc\nCMD [\"celery\", \"worker\"]\n"
        "FROM ubuntu:24.04 AS toolbox\nRUN apt-get update && apt-get install -y build-essential\nCMD [\"bash\"]\n"
    )
    finding = only(text, "DFS112")
    assert finding.line == 2 and finding.targets == ("worker",)
    assert "(in target worker)" in finding.message
    # a test stage nobody copies from is not offered as the builder to use
    text = "FROM python:3.12-slim AS test\nRUN pip install pytest\nFROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nCMD [\"python\", \"app.py\"]\n"
    assert "builder stage `test`" not in only(text, "DFS112").suggestion


def test_dfs207_says_why_an_undeclared_variable_is_empty():
    finding = only("FROM alpine$TAG\n", "DFS207")
    assert "no `ARG` before the first `FROM` declares `TAG`, so it is empty" in finding.message


def test_dfs210_git_in_a_builder_only():
    text = "FROM python:3.12-slim AS build\nCOPY .git /src/.git\nRUN pip wheel -w /w /src\nFROM python:3.12-slim\nCOPY --from=build /w /w\nCOPY .git /app/.git\n"
    assert [f.line for f in findings(text, "DFS210")] == [6]


def test_dfs112_names_only_the_targets_that_are_not_build_environments():
    text = (
        "FROM python:3.12-slim AS base\nRUN apt-get update && apt-get install -y gcc\n"
        "FROM base AS api\nCMD [\"gunicorn\", \"app:app\"]\n"
        "FROM base AS shell\nCMD [\"bash\"]\n"
    )
    finding = only(text, "DFS112")
    assert finding.targets == ("api",) and finding.message.endswith("(in target api)")


def test_cache_mount_suggested_for_another_user_is_below_its_home():
    text = "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nRUN pip install --user flask\n"
    finding = only(text, "DFS105")
    assert "/root/.cache" not in finding.suggestion
    assert "user `app`" in finding.suggestion and "<its home>/.cache/pip,uid=<its uid>" in finding.suggestion
    assert "target=/root/.cache/pip" in only("FROM python:3.12-slim\nRUN pip install flask\n", "DFS105").suggestion


def test_verified_download_form_keeps_the_steps_between_download_and_use():
    text = (
        "FROM debian:bookworm-slim\n"
        "RUN curl -fsSL https://example.com/atd.tgz -o /tmp/atd.tgz \\\n"
        "    && mkdir -p /usr/src/atd \\\n"
        "    && tar -xzf /tmp/atd.tgz -C /usr/src/atd \\\n"
        "    && rm /tmp/atd.tgz\n"
    )
    suggestion = only(text, "DFS212").suggestion
    lines = suggestion.splitlines()
    assert lines[1] == "RUN curl -fsSL https://example.com/atd.tgz -o /tmp/atd.tgz \\"
    assert lines[2:6] == [
        '    && echo "<sha256>  /tmp/atd.tgz" | sha256sum -c - \\',
        "    && mkdir -p /usr/src/atd \\",
        "    && tar -xzf /tmp/atd.tgz -C /usr/src/atd \\",
        "    && ...",
    ]


def test_dev_dependency_message_names_every_install_of_the_run():
    text = "FROM node:22\nRUN if [ -f yarn.lock ]; then yarn install --frozen-lockfile; else pnpm install; fi\n"
    finding = only(text, "DFS117")
    assert finding.message == (
        "`yarn install` installs the development dependencies into the image too, and so does `pnpm install`"
    )
    assert "`yarn install --production --frozen-lockfile` and `pnpm install --prod`" in finding.suggestion
    assert len(finding.fix.edits) == 2


def test_dev_dependency_messages_say_what_brings_them_and_what_to_write():
    finding = only("FROM node:22\nRUN npm ci --no-audit\nCMD [\"node\", \"s.js\"]\n", "DFS117")
    assert finding.message == "`npm ci` installs the development dependencies into the image too"
    assert "`npm ci --omit=dev --no-audit`" in finding.suggestion and not finding.fix.safe
    finding = only("FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt -r requirements/test.txt\n", "DFS117")
    assert finding.message.endswith("(`-r requirements/test.txt`)") and finding.fix is None
    finding = only("FROM node:22\nRUN npm ci\nCOPY . .\nRUN npm run build\n", "DFS117")
    assert "the build step on line 4 (`npm run build`)" in finding.suggestion and "`npm ci --omit=dev`" in finding.suggestion
    # a base that a lint image is also built FROM: the finding is about the app
    finding = only("FROM node:22 AS base\nRUN npm ci\nFROM base AS app\nCMD [\"node\", \"s.js\"]\nFROM base AS lint\n", "DFS117")
    assert finding.targets == ("app",)


def test_python_cache_messages_name_every_installer():
    finding = only("FROM python:3.12\nRUN pip install poetry && poetry install --only main\n", "DFS105")
    assert finding.message == "pip and poetry keep their download caches in the image"
    finding = only("FROM python:3.12\nRUN pdm install --prod\n", "DFS105")
    assert "append `&& pdm cache clear`" in finding.suggestion and "/root/.cache/pdm" in finding.suggestion


# ------------------------------------------------------------------ DFS119 and DFS212: the suggested lines


def test_dfs119_suggests_a_debug_target_built_from_the_shipped_one():
    text = (
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y libpq5 vim strace && rm -rf /var/lib/apt/lists/*\n"
        "USER app\nCMD [\"gunicorn\", \"app:app\"]\n"
    )
    finding = only(text, "DFS119")
    assert finding.message.startswith("`vim` and `strace` are installed into the shipped image")
    # what vim and strace add with their recommends on python:3.12-slim (trixie), from the
    # index: their files, less the documentation -slim leaves out
    base = packages.base_packages("python-slim", "trixie")
    alone = packages.closure(["libpq5"], "trixie", True, base)
    both = packages.closure(["libpq5", "vim", "strace"], "trixie", True, base)
    layer = {"slim": True, "debconf_bytes": packages.base_debconf_bytes("python-slim", "trixie")}
    saved = packages.layer_bytes(both, "trixie", **layer) - packages.layer_bytes(alone, "trixie", **layer)
    assert finding.savings_bytes == saved > 30e6
    lines = finding.suggestion.splitlines()
    assert lines[0] == "name the shipped stage (`FROM python:3.12-slim AS app`),"
    assert lines[2:7] == [
        "FROM app AS debug",
        "USER root",
        "RUN apt-get update && apt-get install -y --no-install-recommends vim strace && rm -rf /var/lib/apt/lists/*",
        "USER app",
        "FROM app",
    ]


def test_dfs119_a_target_that_is_not_the_last_gets_its_own_debug_stage():
    text = (
        "FROM alpine:3.20 AS api\nRUN apk add --no-cache htop\nENTRYPOINT [\"/api\"]\n"
        "FROM alpine:3.20 AS web\nENTRYPOINT [\"/web\"]\n"
    )
    finding = only(text, "DFS119")
    assert finding.targets == ("api",)
    assert "FROM api AS api-debug\nRUN apk add --no-cache htop\n" in finding.suggestion
    assert "FROM api\n" not in finding.suggestion + "\n"


def test_dfs212_suggests_the_check_right_after_the_download_and_add_checksum():
    text = "FROM debian\nRUN curl -fsSLo /usr/local/bin/tool https://x/tool-linux-amd64 && chmod +x /usr/local/bin/tool\n"
    finding = only(text, "DFS212")
    assert finding.message == (
        "`curl https://x/tool-linux-amd64` downloads `/usr/local/bin/tool`, and this RUN makes it executable "
        "with `chmod +x` without verifying it"
    )
    assert finding.suggestion.splitlines()[1:4] == [
        "RUN curl -fsSLo /usr/local/bin/tool https://x/tool-linux-amd64 \\",
        '    && echo "<sha256>  /usr/local/bin/tool" | sha256sum -c - \\',
        "    && chmod +x /usr/local/bin/tool",
    ]
    assert "`ADD --checksum=sha256:<hash> --chmod=755 https://x/tool-linux-amd64 /usr/local/bin/tool`" in finding.suggestion
    assert finding.savings_bytes is None and finding.fix is None


def test_dfs212_a_stream_is_downloaded_to_a_file_in_the_suggestion():
    finding = only("FROM debian\nRUN curl -fsSL https://x/node.tar.xz | tar -xJ -C /usr/local\n", "DFS212")
    assert "is piped straight into `tar`" in finding.message
    assert "    && tar -xJ -C /usr/local -f /tmp/node.tar.xz \\" in finding.suggestion
    assert "`ADD --checksum=sha256:<hash> https://x/node.tar.xz /tmp/node.tar.xz`" in finding.suggestion


def test_dfs212_reports_the_first_download_of_the_run():
    text = "FROM debian\nRUN curl -fsSLo a.zip https://x/a.zip && unzip a.zip && curl -fsSL https://x/b.tgz | tar -xz\n"
    assert "`a.zip`" in only(text, "DFS212").message


@pytest.mark.parametrize(("image", "suggested"), [
    ("nginx:1.27-alpine", "`nginxinc/nginx-unprivileged:1.27-alpine`"),
    ("nginx", "`nginxinc/nginx-unprivileged`"),
    ("docker.io/library/nginx:stable", "`nginxinc/nginx-unprivileged:stable`"),
])
def test_dfs201_suggests_the_unprivileged_nginx_image(image, suggested):
    # a bare USER stops nginx's master from starting (port 80, /var/cache/nginx, pid file)
    finding = only(f"FROM {image}\nCOPY site /usr/share/nginx/html\n", "DFS201")
    assert finding.suggestion.startswith(f"use {suggested}, which runs as uid 101")
    assert "USER app" not in finding.suggestion


def test_dfs104_suggestion_keeps_the_prefixes_of_the_command():
    # without ACCEPT_EULA=Y the copied command stops at the licence prompt
    text = "FROM debian:bookworm\nRUN apt-get update && ACCEPT_EULA=Y sudo apt-get install -y msodbcsql17\n"
    finding = only(text, "DFS104")
    assert finding.suggestion == "write `ACCEPT_EULA=Y sudo apt-get install --no-install-recommends -y msodbcsql17`"


@pytest.mark.parametrize(("text", "copy"), [
    # no syntax directive: the frontend may predate symbolic modes, so the octal one
    ("FROM debian:bookworm-slim\nCOPY start.sh /app/start.sh\nRUN chmod +x /app/start.sh\n",
     "`COPY --chmod=755 start.sh /app/start.sh`"),
    # a mode that would differ for folders stays symbolic (600 would lock folders)
    ("FROM debian:bookworm-slim\nCOPY app /app\nRUN chmod -R go-rwx /app\n", "`COPY --chmod=go-rwx app /app`"),
    # dockerfile:1 is the newest 1.x, which reads symbolic modes
    ("# syntax=docker/dockerfile:1\nFROM debian:bookworm-slim\nCOPY start.sh /app/start.sh\nRUN chmod +x /app/start.sh\n",
     "`COPY --chmod=+x start.sh /app/start.sh`"),
])
def test_dfs110_suggests_a_mode_the_builder_reads(text, copy):
    finding = only(text, "DFS110")
    assert finding.suggestion.startswith(f"set owner and mode while copying: {copy}")


def test_dfs305_keeps_the_run_flags_and_prefixes_and_spots_a_redundant_cd():
    text = "FROM golang:1.22\nRUN --mount=type=cache,target=/root/.cache cd /src && GOBIN=/build go install .\n"
    finding = only(text, "DFS305")
    assert "`RUN --mount=type=cache,target=/root/.cache GOBIN=/build go install .`" in finding.suggestion
    redundant = only("FROM debian:bookworm-slim\nWORKDIR /srv/data\nRUN cd /srv/data && ls\n", "DFS305")
    assert redundant.suggestion == "drop the `cd`: the `WORKDIR` in effect is already `/srv/data`"


@pytest.mark.parametrize(("run", "advice"), [
    ("RUN sudo apt-get update && sudo apt-get install -y curl\n", "put `USER root` before this RUN and `USER app` after it"),
    # the rest of the RUN writes as app in its home: only the sudo'd part moves
    ("RUN sudo apt-get install -y curl && mkdir -p ~/.config\n",
     "move the commands run with `sudo` into a RUN of their own between `USER root` and `USER app`"),
    ("RUN sudo echo ready && touch ~/.ready\n", "`echo` needs no root"),
])
def test_dfs208_advice_fits_the_rest_of_the_run(run, advice):
    finding = only("FROM ubuntu:22.04\nUSER app\n" + run, "DFS208")
    assert f"drop `sudo` ({advice}" in finding.suggestion


def test_dfs201_says_when_the_app_lives_in_roots_home():
    # /root is mode 700: the new user could not even enter the WORKDIR
    text = "FROM python:3.12-slim\nWORKDIR /root/app\nCOPY . .\nCMD [\"python\", \"main.py\"]\n"
    assert "the app lives under `/root` (mode 700)" in only(text, "DFS201").suggestion
    elsewhere = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"main.py\"]\n"
    assert "/root" not in only(elsewhere, "DFS201").suggestion


def test_dfs201_warns_of_a_privileged_port():
    text = "FROM python:3.12-slim\nCOPY . /app\nEXPOSE 80 8080/tcp\nCMD [\"python\", \"/app/main.py\"]\n"
    assert "it exposes port 80: a non-root process binds a port below 1024 only where" in only(text, "DFS201").suggestion
    high = text.replace("EXPOSE 80 8080/tcp", "EXPOSE 8080")
    assert "exposes" not in only(high, "DFS201").suggestion


def test_dfs303_is_exact_about_busybox_running_a_lone_command_in_place():
    lone = only("FROM alpine:3.20\nCMD sleep 10000\n", "DFS303")
    assert "BusyBox's sh runs a lone command in its place, so it is PID 1 here" in lone.message
    chain = only("FROM alpine:3.20\nCMD cd /app && ./run\n", "DFS303")
    assert "the program is not PID 1" in chain.message
    dash = only("FROM debian:12\nCMD sleep 10000\n", "DFS303")
    assert "the program is not PID 1" in dash.message


def test_dfs112_sketch_builds_the_real_step_where_python_lives():
    official = only(
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq5 "
        "&& pip install --upgrade pip && pip install psycopg2\nCMD [\"python\", \"app.py\"]\n", "DFS112")
    # the pip upgrade is no build step; the final stage needs the run-time library too
    assert "pip install --prefix=/install psycopg2" in official.suggestion
    assert "--prefix=/install --upgrade pip" not in official.suggestion
    assert "run-time packages of this RUN: `libpq5`" in official.suggestion
    # Ubuntu's Python is in /usr: /install copied to /usr/local would not be found
    ubuntu = only(
        "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends gcc python3-pip "
        "&& pip install psycopg2\nCMD [\"python3\", \"app.py\"]\n", "DFS112")
    assert "/opt/venv/bin/pip install psycopg2" in ubuntu.suggestion and "COPY --from=build /opt/venv /opt/venv" in ubuntu.suggestion
