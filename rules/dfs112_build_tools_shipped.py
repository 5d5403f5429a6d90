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

## Savings
For apt installs, from the Debian package index (`dfslim.packages`): what the build
tools add to the `RUN`'s installs, with everything they depend on (and recommend, unless
the install says `--no-install-recommends`), less the packages of the base image
(`debian:*`, `python:*-slim`, `node:*-slim` on the release its tag names or resolves to)
and what the stage's earlier installs added: `build-essential` is about 300 MB on
`debian:bookworm-slim` and 290 MB on `python:3.11-slim-bookworm` (measured: 299.8 and
291.5 MB). On another base, the per-package figures of `dfslim/data/savings.json`
(`build-tools:<package>`, on `debian:bookworm-slim`) when every package has one; unknown
(null) for apk, dnf and zypper, which dfslim has no package table for.
"""

from dfslim.api import (
    Meta,
    Severity,
    Violation,
    build_environment,
    build_graph,
    kept_saving,
    package_name,
    packages_kept,
    spell,
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
                exempt[target.index] = build_environment(dockerfile, target) or _base_has_toolchain(dockerfile, target)
        shipped_with = tuple(target for target in targets if not exempt[target.index])
        if not shipped_with:
            continue
        left = packages_kept(instruction, is_build_tool)
        if left:
            # the finding is about the targets that are not build environments
            yield _violation(dockerfile, instruction, left)._replace(targets=shipped_with)


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
    build, copy = _build_step(text, script, base)
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
        runtime = _runtime_packages(install, left)
        if runtime:
            sketch += f" (installing there the run-time packages of this RUN: `{runtime}`)"
    remove = _removal(tools, left, names)
    return Violation(
        instruction,
        f"build tools stay in the shipped image: {listed} installed here and not removed in this RUN",
        f"{sketch}; or remove them at the end of this RUN: {remove}",
        savings_bytes=kept_saving(dockerfile, instruction, names, fallback="build-tools"),
        focus=script.span(install),
    )


PIP_ITSELF = frozenset({"pip", "setuptools", "wheel"})


def _build_step(text, script, base):
    """The build step of the sketch, from the RUN's own pip install when it has one (not
    one that only upgrades pip itself): into `/install` for the official `python` images,
    whose Python lives in /usr/local, else into a virtual environment both stages find at
    the same path."""
    from dfslim.images import lookup

    for command in script.commands:
        action = tool_call(command)
        if action is not None and action.name == "pip" and action.action == "install":
            named = {package_name(word.text) for word in action.packages}
            if named and named <= PIP_ITSELF:
                continue
            info = lookup(base)
            if info is not None and info.family == "python":
                pip = spell(text, script, action.words, after=action.index, option="--prefix=/install", limit=80)
                return f" && {pip}", "COPY --from=build /install /usr/local"
            pip = spell(text, script, action.words[action.index:], limit=70)
            venv = "python3 -m venv /opt/venv" + (" (with `python3-venv` installed)" if info is None or info.family in ("debian", "ubuntu") else "")
            return (f" && {venv} && /opt/venv/bin/pip {pip}", "COPY --from=build /opt/venv /opt/venv")
        if command.name == "make" and "install" in command.argv:
            return " && ... && make install DESTDIR=/out", "COPY --from=build /out /"
    return " && <build>", "COPY --from=build <what it built> <where it goes>"


def _runtime_packages(install, left) -> str:
    """The packages the install names besides the build tools, which the final stage needs too."""
    call = tool_call(install)
    names = [package_name(word.text) for word in call.packages] if call is not None else []
    rest = [name for name in dict.fromkeys(names) if name not in left and "$" not in name]
    shown = " ".join(rest[:8])
    return shown + (" ..." if len(rest) > 8 else "")


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
