"""Compilers and headers are installed in the shipped image and never removed.

## What it does
Flags a `RUN` in a stage that ships when it installs build tools with a system package
manager (`apt-get`/`apt`/`aptitude install`, `apk add`, `yum`/`dnf`/`microdnf`/`tdnf
install`, `zypper install`) and does not remove them later in the same `RUN`. Build
tools are `build-essential`, `build-base`, `alpine-sdk`, `gcc`, `g++`, `gcc-c++`,
`clang`, `make` (also versioned, `gcc-12`, `clang-15`), `linux-headers`, the `Development
Tools` group, and every `*-dev` / `*-devel` package (`python3-dev`, `musl-dev`,
`libpq-dev`: headers and static libraries, never needed to run a program).

## Why is this bad?
A compiler toolchain with its headers weighs 150 to 300 MB. Once the native extension or
the program is built, nothing needs it, yet it ships in every pull and every container,
and it hands an attacker who gets in a ready-made compiler. A layer is frozen when its
`RUN` ends: a removal in a later `RUN` saves nothing.

## Example
    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y gcc libpq-dev \\
        && pip install --no-cache-dir psycopg2 \\
        && rm -rf /var/lib/apt/lists/*

## Use instead
Compile in a builder stage and copy only the result:

    FROM python:3.12-slim AS build
    RUN apt-get update && apt-get install -y gcc libpq-dev \\
        && pip install --no-cache-dir --prefix=/install psycopg2

    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*
    COPY --from=build /install /usr/local

or remove the tools in the same `RUN`, after the build (keep the runtime libraries, such
as `libpq5`, installed explicitly):

    RUN apt-get update && apt-get install -y gcc libpq-dev \\
        && pip install --no-cache-dir psycopg2 \\
        && apt-get purge -y --auto-remove gcc libpq-dev \\
        && rm -rf /var/lib/apt/lists/*

On Alpine, install them as a virtual package and delete it:
`apk add --no-cache --virtual .build-deps gcc musl-dev && ... && apk del .build-deps`.

## What counts as a removal
In the same `RUN`, after the install: `apt-get purge`/`remove` of the names (a glob such
as `'*-dev'` too), `apk del` of the names or of the `--virtual` package that holds them,
`yum`/`dnf`/`microdnf remove`, `zypper remove`; and the official images' pattern
`apt-mark auto '.*'` followed by `apt-get purge --auto-remove` (or `apt-get
autoremove`). Package lists given through a variable are read from `ENV`/`ARG`, an
`export` or a `NAME=... cmd` prefix; a variable dfslim cannot read is never flagged, and
removing the same variable clears it.

## Scope
Only stages that ship: a builder stage exists to hold compilers. Each build target (the
last stage, and every other leaf stage not named as a test or dev stage) is judged on its
own: the exemptions below look at that target's `CMD`/`ENTRYPOINT` and base image, so a
`worker` target built on `python:3.12-slim` is flagged even when the last stage is a dev
container. A `RUN` in a stage several targets are built `FROM` is flagged when one of them
is not exempt, and the finding names those. Not flagged either:

- a build or development environment, which ships its tools on purpose: its `CMD` or
  `ENTRYPOINT` runs a shell or a build tool (`bash`, `make`, `gradle`...), a bare
  language REPL (`python3`, `ghci`, `php -a`) or just idles (`sleep infinity`, a dev
  container); or it sets none and is built on an OS or toolchain image (`ubuntu`,
  `debian`, `alpine`, or an image dfslim has no data for) rather than on a language
  runtime (`python`, `node`, `php`...), which is there to run an app. This holds for
  every target: a target without a command of its own (`FROM ubuntu AS base-amd64`,
  picked by a `FROM base-$TARGETARCH` dfslim cannot resolve) is judged by its base;
- an image whose base already ships gcc (`buildpack-deps`, `gcc`, `rust`, `golang` but
  not its Alpine variant, and the full `python`, `node`, `ruby`, `perl`, `erlang`,
  `elixir` images): removing what the `RUN` added would save little, the base image is
  the finding (DFS101 fat-base-image).

A deliberate choice, such as the official `php` images keeping `$PHPIZE_DEPS` for
`docker-php-ext-install`, is what `# dfslim: ignore=DFS112` is for.
"""

import fnmatch
import re

from dfslim.api import (
    SHELLS,
    Meta,
    Severity,
    Violation,
    expanded,
    installed_packages,
    package_name,
    removed_packages,
    spell,
    build_graph,
    tool_action,
    tool_call,
    unwrap,
)
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS112",
    name="build-tools-shipped",
    category="size",
    severity=Severity.WARNING,
    scope="final",
)

BUILD_TOOLS = frozenset(
    "build-essential build-base alpine-sdk gcc g++ gcc-c++ clang make linux-headers kernel-headers "
    "libc-dev development-tools".split()
)
VERSIONED_RE = lazy_compile(r"(gcc|g\+\+|clang|linux-headers)-[0-9][0-9.]*|linux-headers-.+")
DEV_RE = lazy_compile(r".+-(dev|devel)")
# What a build or development environment runs: it ships its tools on purpose.
ENVIRONMENT_COMMANDS = SHELLS | frozenset(
    "make cmake ninja gcc g++ cc clang go cargo rustc mvn gradle lein sbt ant bazel tox pytest sleep".split()
)
# Interactive interpreters: an image whose command is a bare REPL is a language environment.
REPLS = frozenset("python python2 python3 node irb pry ghci iex erl jshell julia R clj clojure repl php scala swift".split())
# Official images whose default variant already ships a C toolchain (buildpack-deps based):
# compilers added on top change nothing, the base image is the finding (DFS101).
TOOLCHAIN_FAMILIES = frozenset("buildpack-deps gcc rust".split())
TOOLCHAIN_FULL_FAMILIES = frozenset("python node ruby perl erlang elixir".split())


def is_build_tool(name: str) -> bool:
    name = name.strip("@").replace(" ", "-")
    return name in BUILD_TOOLS or bool(VERSIONED_RE.fullmatch(name) or DEV_RE.fullmatch(name))


def check(dockerfile):
    graph = build_graph(dockerfile)
    exempt: dict[int, bool] = {}  # target stage index -> ships its tools on purpose
    for instruction in dockerfile.of("RUN"):
        if instruction.stage < 0:
            continue  # before any FROM: not part of an image (DFS300's business)
        targets = graph.targets_of(dockerfile.stage_of(instruction))
        if not targets:
            continue  # a builder: it exists to hold compilers
        for target in targets:
            if target.index not in exempt:
                exempt[target.index] = _build_environment(dockerfile, target) or _base_has_toolchain(dockerfile, target)
        shipped_with = tuple(target for target in targets if not exempt[target.index])
        if not shipped_with:
            continue
        left = _left_installed(instruction)
        if left:
            # the finding is about the targets that are not build environments
            yield _violation(dockerfile, instruction, left)._replace(targets=shipped_with)


def _left_installed(instruction):
    """The build tools the RUN installs and does not remove: {name: (tool, command index)}."""
    commands = instruction.script.commands
    pending: dict[str, tuple[str, str | None, int]] = {}  # name -> (tool, apk virtual, command index)
    auto: set[str] = set()  # pending names `apt-mark auto` marked as automatically installed
    for index, command in enumerate(commands):
        action = tool_call(command)
        if action is None:
            continue
        if action.name == "apt-mark":
            _apt_mark(action, pending, auto)
            continue
        installed = installed_packages(command)
        virtual = (action.values("--virtual", "-t") or [None])[0] if action.name == "apk" else None
        for word in installed:
            for name in _names(instruction, commands, index, word.text):
                if is_build_tool(name) or "$" in name:
                    pending[name] = (action.name, virtual, index)
                    auto.discard(name)
        removed = [n for w in removed_packages(command) for n in _names(instruction, commands, index, w.text)]
        for name, (_tool, virtual, _index) in list(pending.items()):
            if any(fnmatch.fnmatchcase(name, pattern) or pattern == virtual for pattern in removed):
                del pending[name]
        if action.name == "apt" and _auto_removes(action):
            for name in auto & set(pending):
                del pending[name]
    return {name: (tool, index) for name, (tool, _virtual, index) in pending.items() if "$" not in name}


def _apt_mark(call, pending, auto) -> None:
    """`apt-mark auto '.*'` (or names) marks pending apt packages as removable by an
    autoremove; `apt-mark manual NAME` takes one back."""
    names = [w.text for w in call.packages]
    apt = {name for name, details in pending.items() if details[0] == "apt"}
    if call.action == "auto":
        if not names or any(ch in name for name in names for ch in "*$^[?"):  # `xargs apt-mark auto`: all
            auto |= apt
        else:
            auto |= apt & {package_name(name) for name in names}
    elif call.action == "manual":
        auto -= {package_name(name) for name in names}


def _names(instruction, commands, index, text):
    if text.startswith("@"):  # a dnf group: `@development-tools`, `@"Development Tools"`
        return [text[1:].lower().replace(" ", "-")]
    if " " in text and "$" not in text:  # `dnf group install "Development Tools"`
        return [text.lower().replace(" ", "-")]
    return [package_name(part) for part in expanded(instruction, commands, index, text).split()]


def _auto_removes(action) -> bool:
    return action.action == "autoremove" or (action.action == "remove" and action.has("--auto-remove", "--autoremove"))


def _build_environment(dockerfile, target) -> bool:
    """Whether the image of `target` is a build or development environment: the `CMD` or
    `ENTRYPOINT` it runs is a shell or a build tool, or it sets none and its base image is
    not a language runtime (an OS or toolchain image, or one dfslim has no data for)."""
    from dfslim.images import lookup

    last = {}
    lineage = dockerfile.lineage(target)
    for stage in lineage:
        for instruction in stage.instructions:
            if instruction.keyword in ("CMD", "ENTRYPOINT"):
                last[instruction.keyword] = instruction
    instruction = last.get("ENTRYPOINT") or last.get("CMD")
    if "ENTRYPOINT" in last and "CMD" in last and "entrypoint" in _argv(last["ENTRYPOINT"])[0].lower():
        instruction = last["CMD"]  # `ENTRYPOINT ["docker-entrypoint.sh"]` runs the CMD
    if instruction is None:
        info = lookup(lineage[0].base_resolved)
        return info is None or info.kind != "runtime"
    argv = _argv(instruction)
    if len(argv) > 2 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1].startswith("-") and "c" in argv[1]:
        argv = argv[2].split()  # `sh -c "python app.py"`: the program is python
    while argv and argv[0].rsplit("/", 1)[-1] in ("exec", "env", "tini", "dumb-init", "--"):
        argv = argv[1:]
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    if "repl" in argv or "--repl" in argv:
        return True
    if program in REPLS or re.fullmatch(r"python[0-9.]*", program):
        return len(argv) == 1 or argv[1:] in (["-a"], ["repl"])  # `python3`, `php -a`, `lein repl`
    return not program or program in ENVIRONMENT_COMMANDS


def _argv(instruction) -> list[str]:
    argv = list(instruction.exec_form if instruction.exec_form is not None else instruction.args.split())
    return argv or [""]


def _base_has_toolchain(dockerfile, target) -> bool:
    """Whether the base image of `target` already ships gcc (buildpack-deps and the
    images built on it: `python:3.12`, `node:20`, `golang:1.22`, `rust:1`, `gcc:14`...)."""
    from dfslim.images import lookup

    info = lookup(dockerfile.lineage(target)[0].base_resolved)
    if info is None:
        return False
    if info.family in TOOLCHAIN_FAMILIES or (info.family == "golang" and "alpine" not in info.variant):
        return True
    return info.family in TOOLCHAIN_FULL_FAMILIES and info.is_full


def _violation(dockerfile, instruction, left):
    names = list(left)
    tools = {tool for tool, _index in left.values()}
    commands = instruction.script.commands
    install = commands[min(index for _tool, index in left.values())]
    listed = ", ".join('the "Development Tools" group' if name == "development-tools" else f"`{name}`" for name in names)
    stage = dockerfile.stage_of(instruction)
    base = stage.base_resolved if "$" not in stage.base_resolved else stage.base
    text, script = dockerfile.text, instruction.script
    build, copy = _build_step(text, script)
    update = "apt-get update && " if "apt" in tools and any(tool_action(c, "apt") == "update" for c in commands) else ""
    graph = build_graph(dockerfile)
    # builders whose results a stage copies: not a test stage nobody copies from
    builders = [s.label for s in graph.builders if any(use.how in ("copy", "mount") for use in graph.users_of(s))]
    if builders:
        sketch = (
            f"install them in your builder stage `{builders[-1]}` instead (it does not ship), build "
            f"there, and `COPY --from={builders[-1]}` only what they build"
        )
    else:
        sketch = (
            f"compile in a builder stage and copy only the result: `FROM {base} AS build`, "
            f"`RUN {update}{spell(text, script, unwrap(install), limit=80)}{build}`, then `FROM {base}` and "
            f"`{copy}`"
        )
    remove = _removal(tools, left, names)
    return Violation(
        instruction,
        f"build tools stay in the shipped image: {listed} installed here and not removed in this RUN",
        f"{sketch}; or remove them at the end of this RUN: {remove}",
        focus=script.span(install),
    )


def _build_step(text, script):
    """The build step of the sketch, from the RUN's own pip install when it has one."""
    for command in script.commands:
        action = tool_call(command)
        if action is not None and action.name == "pip" and action.action == "install":
            pip = spell(text, script, action.words, after=action.index, option="--prefix=/install", limit=80)
            return f" && {pip}", "COPY --from=build /install /usr/local"
        if command.name == "make" and "install" in command.argv:
            return " && ... && make install DESTDIR=/out", "COPY --from=build /out /"
    return " && <build>", "COPY --from=build <what it built> <where it goes>"


def _removal(tools, left, names) -> str:
    parts = []
    for tool in sorted(tools):
        groups = [name for name in names if left[name][0] == tool and name == "development-tools"]
        if groups:
            parts.append(f'`&& {tool} group remove -y "Development Tools"`')
        mine = " ".join(name for name in names if left[name][0] == tool and name not in groups)
        if not mine:
            continue
        if tool == "apt":
            parts.append(f"`&& apt-get purge -y --auto-remove {mine}` (keep the runtime libraries installed explicitly)")
        elif tool == "apk":
            parts.append(f"`apk add --no-cache --virtual .build-deps {mine} && ... && apk del .build-deps`")
        elif tool == "zypper":
            parts.append(f"`&& zypper -n remove {mine}`")
        else:
            parts.append(f"`&& {tool} remove -y {mine}`")
    return ", ".join(parts)
