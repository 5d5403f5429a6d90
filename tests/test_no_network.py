"""Linting never touches the network and never runs a program.

Dockerfiles full of URLs (`ADD https://...`, `curl | sh`, registries in `FROM`) go through
the CLI with every rule selected while opening a socket, resolving a name, spawning a
process or exec-ing a program raises. A few files lint in-process (no fork either); many
files go through the process pool, which forks workers but must still run nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dfslim.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "files"


class Forbidden(BaseException):
    """Raised by the blocked functions; a BaseException so no `except Exception` hides it."""


def _blocked(name: str):
    def refuse(*args, **kwargs):
        raise Forbidden(f"dfslim called {name} during a lint run")

    return refuse


SOCKET_CALLS = ("socket", "create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "socketpair", "create_server", "fromfd")
PROCESS_CALLS = (
    "system", "popen", "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
    "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp",
)


class _NoSocket(socket.socket):
    """socket.socket stays a class (ssl subclasses it when imported) that cannot be made."""

    def __init__(self, *args, **kwargs):
        raise Forbidden("dfslim called socket.socket during a lint run")


def _block_everything(monkeypatch, allow_fork: bool) -> None:
    monkeypatch.setattr(socket, "socket", _NoSocket)
    for name in SOCKET_CALLS[1:]:
        if hasattr(socket, name):
            monkeypatch.setattr(socket, name, _blocked(f"socket.{name}"))
    for name in ("Popen", "run", "call", "check_call", "check_output", "getoutput", "getstatusoutput"):
        monkeypatch.setattr(subprocess, name, _blocked(f"subprocess.{name}"))
    for name in PROCESS_CALLS:
        if hasattr(os, name):
            monkeypatch.setattr(os, name, _blocked(f"os.{name}"))
    import _posixsubprocess

    monkeypatch.setattr(_posixsubprocess, "fork_exec", _blocked("_posixsubprocess.fork_exec"))
    if not allow_fork:
        monkeypatch.setattr(os, "fork", _blocked("os.fork"))


DOCKERFILES = {
    "remote-add.Dockerfile": """\
FROM python:3.12
ADD https://github.com/tianon/gosu/releases/download/1.17/gosu-amd64 /usr/local/bin/gosu
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tgz /tmp/
ADD git@github.com:moby/buildkit.git#v0.10.1 /src
ADD http://insecure.example.com/archive.tar.gz /opt/
RUN curl -fsSL https://get.docker.com | sh
RUN wget -qO- http://example.com/install.sh | bash -s -- --yes
RUN pip install git+https://github.com/psf/requests.git https://example.com/pkg.whl
RUN npm install -g https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz
RUN curl -k https://example.com/x -o /tmp/x && sh /tmp/x
HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1
CMD ["gunicorn", "app:app"]
""",
    "registries.Dockerfile": """\
# syntax=docker/dockerfile:1.7
ARG REGISTRY=ghcr.io
FROM ${REGISTRY}/owner/base:latest AS base
FROM registry.example.com:5000/team/builder@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS build
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --network=host npm ci
RUN --mount=type=ssh git clone git@github.com:org/private.git /src
FROM docker.io/library/ubuntu:22.04
COPY --from=docker.io/library/alpine:3.19 /etc/os-release /tmp/
COPY --from=build /src /app
RUN apt-get update && apt-get install -y curl ca-certificates
USER 1000
""",
    "heredoc.Dockerfile": """\
FROM alpine:3.19
RUN <<EOF
set -eu
apk add curl
curl -fsSL https://sh.rustup.rs | sh -s -- -y
nc -z example.com 443
EOF
COPY <<EOF /etc/motd
see http://example.com
EOF
""",
    "windows.Dockerfile": """\
# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN powershell -Command Invoke-WebRequest https://example.com/x.msi -OutFile x.msi; `
    Start-Process msiexec -Wait
""",
}


def _write_inputs(folder: Path, corpus_sample: int) -> list[str]:
    paths = []
    for name, text in DOCKERFILES.items():
        path = folder / name
        path.write_text(text)
        paths.append(str(path))
    if CORPUS.is_dir() and corpus_sample:
        wanted = (b"ADD http", b"| sh", b"|sh", b"| bash", b"curl ", b"wget ")
        for path in sorted(CORPUS.iterdir()):
            data = path.read_bytes()
            if any(word in data for word in wanted):
                shutil.copy(path, folder / path.name)
                paths.append(str(folder / path.name))
                if len(paths) >= len(DOCKERFILES) + corpus_sample:
                    break
    return paths


def _invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    if isinstance(result.exception, Forbidden) or (result.exception and not isinstance(result.exception, SystemExit)):
        raise AssertionError(f"{args[:6]}: {result.exception!r}") from result.exception
    assert "Forbidden" not in result.output and "Traceback" not in result.output, result.output[-2000:]
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr[-2000:])
    return result


@pytest.mark.parametrize("output_format", ["json", "sarif", "text", "github", "gitlab", "checkstyle"])
def test_lint_opens_no_socket_and_runs_nothing(tmp_path, monkeypatch, output_format):
    paths = _write_inputs(tmp_path, corpus_sample=6)
    _block_everything(monkeypatch, allow_fork=False)
    result = _invoke("lint", "--select", "all", "--format", output_format, "--no-color", *paths)
    assert result.output.strip()


def test_fix_opens_no_socket_and_runs_nothing(tmp_path, monkeypatch):
    paths = _write_inputs(tmp_path, corpus_sample=6)
    _block_everything(monkeypatch, allow_fork=False)
    _invoke("lint", "--select", "all", "--diff", "--unsafe-fixes", *paths)
    _invoke("fix", "--select", "all", "--unsafe-fixes", "--fail-level", "none", *paths)
    _invoke("lint", "--select", "all", "--fix", "--fail-level", "none", "-o", str(tmp_path / "report.sarif"), *paths)
    _invoke("lint", "--select", "all", "--format", "json", "--context", str(tmp_path), *paths)


def test_stdin_and_other_commands_open_no_socket(tmp_path, monkeypatch):
    _block_everything(monkeypatch, allow_fork=False)
    for text in DOCKERFILES.values():
        result = CliRunner().invoke(main, ["lint", "--select", "all", "--format", "json", "-"], input=text)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1)
    for args in (["rules"], ["explain", "DFS203"], ["--version"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (args, repr(result.exception))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the process pool needs two CPUs")
def test_parallel_lint_opens_no_socket_and_runs_nothing(tmp_path, monkeypatch):
    """Enough files for the process pool: workers are forked, never exec'd, and inherit
    the blocks, so a socket or a program in a worker fails the run too."""
    paths = _write_inputs(tmp_path, corpus_sample=40)
    for copy in range(10):  # without the corpus, still enough files for the pool
        for name, text in DOCKERFILES.items():
            (tmp_path / f"{copy}-{name}").write_text(text)
            paths.append(str(tmp_path / f"{copy}-{name}"))
    _block_everything(monkeypatch, allow_fork=True)
    result = _invoke("lint", "--select", "all", "--format", "json", *paths)
    assert '"findings"' in result.output


def test_the_blocks_work(monkeypatch):
    """The test would pass vacuously if the patches did not bite."""
    import urllib.request

    _block_everything(monkeypatch, allow_fork=False)

    with pytest.raises(Forbidden):
        urllib.request.urlopen("http://example.com", timeout=1)
    with pytest.raises(Forbidden):
        subprocess.run(["true"])
    with pytest.raises(Forbidden):
        os.system("true")
    with pytest.raises(Forbidden):
        os.fork()
