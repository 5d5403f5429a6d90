"""The shipped image runs or exposes an SSH server.

## What it does
Flags, in a stage that ships, an `EXPOSE` of port 22 (`22`, `22/tcp`, a list or a range
that includes it, or a variable that resolves to it) and a `RUN` that installs an SSH
server: `openssh-server` (also `openssh-server-pam`) with `apt-get`/`apt`, `apk`,
`yum`/`dnf`/`microdnf`, `zypper`, and Alpine's `openssh`, a meta-package that pulls in
`openssh-server`. Each finding points at its own instruction.

## Why is this bad?
An SSH daemon in a container is one more long-running, network-facing service to patch,
configure and guard with credentials or keys that end up in the image. Containers are
entered with `docker exec` / `kubectl exec`, and files move with `docker cp` or volumes;
an exposed port 22 invites brute-force attempts.

## Example
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y openssh-server && rm -rf /var/lib/apt/lists/*
    EXPOSE 22

## Use instead
    FROM debian:bookworm-slim
    # no sshd: use `docker exec -it <container> sh`
    RUN apt-get update && apt-get install -y openssh-client && rm -rf /var/lib/apt/lists/*

## Not flagged
Port 2222 or any port other than 22, `22/udp`, `openssh-client`, `openssh-keygen`,
Alpine's `openssh-client`/`openssh-client-default`, and anything in a builder stage.
"""

import re

from dfslim.api import (
    Meta,
    Severity,
    Violation,
    arg_words,
    expand,
    expanded,
    installed_packages,
    package_name,
    tool_call,
)
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS211",
    name="ssh-in-image",
    category="security",
    severity=Severity.WARNING,
    scope="final",
    others=("trivy DS-0004", "checkov CKV_DOCKER_1"),
)

SERVERS = frozenset({"openssh-server", "openssh-server-pam"})
PORT_RE = lazy_compile(r"(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?", re.IGNORECASE)


def check(dockerfile):
    for instruction in dockerfile.of("EXPOSE", "RUN"):
        if instruction.stage < 0:
            continue  # before any FROM: not part of an image (DFS300's business)
        if instruction.keyword == "EXPOSE":
            found = _exposes_22(dockerfile, instruction)
            if found:
                port, word = found
                yield Violation(
                    instruction,
                    f"`EXPOSE {port}` publishes the SSH port",
                    "remove port 22 from this EXPOSE; enter the container with `docker exec -it "
                    "<container> sh` (or `kubectl exec`) instead of SSH",
                    focus=(word.start, word.end),
                )
            continue
        found = _ssh_servers(instruction)
        if found:
            name, tool, word = found
            yield Violation(
                instruction, f"this RUN installs an SSH server (`{name}`)", _suggestion(name, tool), focus=instruction.script.span(word)
            )


def _exposes_22(dockerfile, instruction):
    """(the port as written after substitution, its word) when the EXPOSE includes 22/tcp."""
    for word in arg_words(instruction, dockerfile.escape):
        for port in expand(word.text, instruction.scope).split():
            match = PORT_RE.fullmatch(port)
            if not match or (match.group(3) or "tcp").lower() != "tcp":
                continue
            low, high = int(match.group(1)), int(match.group(2) or match.group(1))
            if low <= 22 <= high:
                return port, word
    return None


def _ssh_servers(instruction):
    commands = instruction.script.commands
    for index, command in enumerate(commands):
        installed = installed_packages(command)
        tool = tool_call(command).name if installed else ""
        for word in installed:
            for part in expanded(instruction, commands, index, word.text).split():
                name = package_name(part)
                if name in SERVERS or (tool == "apk" and name == "openssh"):
                    return name, tool, word
    return None


def _suggestion(name, tool):
    client = "openssh-clients" if tool in ("yum", "dnf", "microdnf", "tdnf") else "openssh-client"
    if tool == "apk" and name == "openssh":
        return (
            "on Alpine `openssh` includes the server: install `openssh-client` if you only need "
            "`ssh`/`scp`/`git` over SSH; enter the container with `docker exec` instead of sshd"
        )
    return (
        f"drop `{name}` (install `{client}` if you only need `ssh`/`scp`/`git` over SSH); enter the "
        "container with `docker exec -it <container> sh` (or `kubectl exec`) instead of sshd"
    )
