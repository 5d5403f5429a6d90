"""Editors and debuggers are installed into the image that ships.

## What it does
Flags a `RUN` in a stage that ships when it installs interactive or debugging tools with
a system package manager (`apt-get`/`apt`/`aptitude install`, `apk add`,
`yum`/`dnf`/`microdnf`/`tdnf install`, `zypper install`) and does not remove them later in
the same `RUN`: the editors `vim` (also `vim-tiny`, `vim-nox`, `vim-enhanced`), `nano`,
`emacs` (every `emacs*` package) and `joe`; the debuggers and tracers `gdb` (also
`gdbserver`, `gdb-multiarch`), `strace`, `ltrace` and `valgrind`; the network tools
`tcpdump`, `nmap`, `telnet`, `net-tools` and `iftop`; and `htop`.

## Why is this bad?
A running service never opens an editor or attaches a debugger, yet every pull and every
container carries them: megabytes to tens of megabytes each (`vim` with its runtime,
`gdb` with Python, `emacs` most of all), a larger package set to patch, and ready-made
tools for whoever gets into the container (`tcpdump` and `nmap` to listen and scan,
`gdb` and `strace` to read another process's memory). When you need them, a debug image
built on top of the shipped one gives you the same system with the tools added.

## Example
    FROM python:3.12-slim
    RUN apt-get update \\
        && apt-get install -y --no-install-recommends libpq5 vim strace \\
        && rm -rf /var/lib/apt/lists/*
    COPY . /app
    CMD ["gunicorn", "app:app"]

## Use instead
Keep the shipped image lean and add the tools in a `debug` target built `FROM` it:

    FROM python:3.12-slim AS app
    RUN apt-get update \\
        && apt-get install -y --no-install-recommends libpq5 \\
        && rm -rf /var/lib/apt/lists/*
    COPY . /app
    CMD ["gunicorn", "app:app"]

    FROM app AS debug
    RUN apt-get update \\
        && apt-get install -y --no-install-recommends vim strace \\
        && rm -rf /var/lib/apt/lists/*

    FROM app

`docker build --target debug .` builds the image with the tools; a plain `docker build .`
still builds the last stage, which is `app` again without them. When the shipped stage is
a target other than the last, add `FROM api AS api-debug` after it and build each with
`--target` (a stage only a `debug` stage is built on is no target dfslim infers: name
it with `--target api` or `targets = ["api"]`). The suggestion names the stage, switches to `root` and back when the image
runs as another user, and uses the file's own package manager.

## What counts as a removal
In the same `RUN`, after the install: `apt-get purge`/`remove` of the names (or a glob
such as `'vim*'`), `apk del` of the names or of the `--virtual` package that holds them,
`yum`/`dnf`/`microdnf remove`, `zypper remove`, and `apt-mark auto` of them followed by
an autoremove. Package lists given through a variable are read from `ENV`/`ARG`, an
`export` or a `NAME=... cmd` prefix; a variable dfslim cannot read is not flagged.

## Scope
Only stages that ship: builder stages and non-shipping targets (`debug`, `dev`, `test`,
`api-debug`...) are never flagged, and neither is a last stage with such a name (`FROM
app AS debug` at the end of the file: the last stage ships whatever its name, but this
one says it is the debug image). dfslim also leaves alone:

- a file whose own name says it builds a development, test or debug image
  (`Dockerfile.dev`, `Dockerfile-debug`, `test.Dockerfile`), and a file in a
  `.devcontainer` folder or in cookiecutter-django's `compose/local/`;
- a target that installs a terminal multiplexer (`tmux`, `screen`, `byobu`): an
  environment people work in by hand, such as a demo or a sandbox, wants its editor;
- a target whose command runs the tool itself (`ENTRYPOINT ["htop"]`, `CMD ["tcpdump",
  "-i", "any"]`): the tool is what that image is for;
- a target that is a build or development environment, which ships its tools on purpose
  (the same notion as DFS112's): its `CMD` or `ENTRYPOINT` runs a shell, a build tool or
  a bare REPL, or idles (`sleep infinity`), or it sets none and is built on an OS or
  toolchain image rather than on a language runtime.

A `RUN` in a stage several targets are built `FROM` is flagged when one of them is not
left alone, and the finding names those. Packages installed by other means (`pip`,
`npm`, a downloaded binary) are not read, and neither are the BusyBox applets a base
image already has (`vi` on Alpine).

## Savings
For apt installs on a base image whose packages the Debian package index table lists
(`debian:*`, `python:*-slim`, `node:*-slim`): what the tools add to the `RUN`'s installs,
with what they depend on and, unless the install says `--no-install-recommends`, what
they recommend, less what the base image and the stage's earlier installs already have
(`vim` adds about 40 MB with its recommends on `debian:bookworm-slim`). Unknown (null)
for other package managers and bases, which dfslim has no package table for.
"""

from dfslim.api import (
    Meta,
    Severity,
    Violation,
    build_environment,
    build_graph,
    dev_dockerfile,
    image_command,
    kept_saving,
    non_shipping,
    packages_kept,
)

META = Meta(
    id="DFS119",
    name="debug-tools-shipped",
    category="size",
    severity=Severity.INFO,
    scope="final",
)

# package -> the programs it installs (an image whose command is one of them exists to run it)
DEBUG_TOOLS = {
    "vim": ("vim", "vi", "view", "vimdiff"),
    "vim-tiny": ("vim.tiny", "vi"),
    "vim-nox": ("vim", "vim.nox", "vi"),
    "vim-enhanced": ("vim", "vi"),
    "nano": ("nano",),
    "joe": ("joe",),
    "gdb": ("gdb",),
    "gdbserver": ("gdbserver",),
    "gdb-multiarch": ("gdb-multiarch",),
    "strace": ("strace",),
    "ltrace": ("ltrace",),
    "valgrind": ("valgrind",),
    "tcpdump": ("tcpdump",),
    "nmap": ("nmap",),
    "telnet": ("telnet",),
    "net-tools": ("netstat", "ifconfig", "route", "arp"),
    "htop": ("htop",),
    "iftop": ("iftop",),
}
MULTIPLEXERS = frozenset({"tmux", "screen", "byobu"})  # only an interactive environment wants one
EMACS = "emacs"  # `emacs`, `emacs-nox`, `emacs28`...: every `emacs*` package
EMACS_PROGRAMS = ("emacs", "emacsclient")
STAGE_NAMES = ("app", "release", "runtime-image")  # a name for an unnamed shipped stage, the first one free


def is_debug_tool(name: str) -> bool:
    return name in DEBUG_TOOLS or name.startswith(EMACS)


def programs_of(name: str) -> tuple[str, ...]:
    return EMACS_PROGRAMS if name.startswith(EMACS) and name not in DEBUG_TOOLS else DEBUG_TOOLS.get(name, ())


def check(dockerfile):
    if dev_dockerfile(dockerfile.path):
        return  # `Dockerfile.dev`, `Dockerfile-debug`, `.devcontainer/`: an image for debugging
    graph = build_graph(dockerfile)
    programs: dict[int, str | None] = {}  # target index -> its command's program, None: left alone
    for instruction in dockerfile.of("RUN"):
        if instruction.stage < 0:
            continue  # before any FROM: not part of an image (DFS300's business)
        targets = graph.targets_of(dockerfile.stage_of(instruction))
        if not targets:
            continue  # a builder, or a stage only non-shipping targets are built on
        kept = packages_kept(instruction, is_debug_tool)
        if not kept:
            continue
        flagged: dict[str, tuple[str, int]] = {}
        shipped_with = []
        for target in targets:
            if target.index not in programs:
                programs[target.index] = _command_program(dockerfile, target)
            program = programs[target.index]
            if program is None:
                continue
            mine = {name: found for name, found in kept.items() if program not in programs_of(name)}
            if mine:
                shipped_with.append(target)
                flagged.update(mine)
        if flagged:
            yield _violation(dockerfile, instruction, flagged, shipped_with)._replace(targets=tuple(shipped_with))


def _command_program(dockerfile, target) -> str | None:
    """The basename of the program the image of `target` runs ("" when unknown), or None
    when the image is a debug, build or development image."""
    if non_shipping(target.name) or build_environment(dockerfile, target) or _terminal_environment(dockerfile, target):
        return None
    argv = image_command(dockerfile, target)
    return argv[0].rsplit("/", 1)[-1] if argv else ""


def _terminal_environment(dockerfile, target) -> bool:
    """Whether the image of `target` installs a terminal multiplexer: an environment people
    work in interactively (a demo or a sandbox), where editors are wanted."""
    return any(
        packages_kept(run, MULTIPLEXERS.__contains__)
        for stage in dockerfile.lineage(target)
        for run in stage.instructions
        if run.keyword == "RUN"
    )


def _violation(dockerfile, instruction, flagged, shipped_with):
    names = list(flagged)
    listed = _listed(names)
    first = instruction.script.commands[min(index for _tool, index in flagged.values())]
    verb = "is" if len(names) == 1 else "are"
    return Violation(
        instruction,
        f"{listed} {verb} installed into the shipped image and not removed in this RUN: "
        "interactive and debugging tools belong in a debug image built on it",
        _suggestion(dockerfile, flagged, shipped_with[0]),
        savings_bytes=kept_saving(dockerfile, instruction, names),
        focus=instruction.script.span(first),
    )


def _listed(names) -> str:
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _suggestion(dockerfile, flagged, target) -> str:
    """A debug target built FROM the shipped one, with the lines to add."""
    tool = next(iter(flagged.values()))[0]
    taken = {stage.name.lower() for stage in dockerfile.stages if stage.name}
    name = target.name
    lines = []
    if not name:
        name = next((candidate for candidate in STAGE_NAMES if candidate not in taken), "app")
        base = target.base_resolved if "$" not in target.base_resolved else target.base
        lines.append(f"name the shipped stage (`FROM {base} AS {name}`),")
    last = target.index == len(dockerfile.stages) - 1
    debug = "debug" if last else f"{name}-debug"
    if debug in taken:
        debug += "-tools"
    where = "at the end of the file" if last else f"after the `{name}` stage"
    lines.append(f"remove {_listed(list(flagged))} from this install and add {where}:")
    lines.append(f"FROM {name} AS {debug}")
    user = _last_user(dockerfile, target)
    if user is not None:
        lines.append("USER root")
    lines.append("RUN " + _install(tool, " ".join(flagged)))
    if user is not None:
        lines.append(f"USER {user}")
    if last:
        lines.append(f"FROM {name}")
        lines.append(
            f"`docker build --target {debug} .` builds the image with the tools; a plain `docker build .` "
            f"still builds `{name}` without them"
        )
    else:
        lines.append(f"then build `--target {name}` to ship and `--target {debug}` to debug")
    return "\n".join(lines)


def _install(tool: str, names: str) -> str:
    """The install command of the same package manager, with its cleanup."""
    if tool == "apt":
        return f"apt-get update && apt-get install -y --no-install-recommends {names} && rm -rf /var/lib/apt/lists/*"
    if tool == "apk":
        return f"apk add --no-cache {names}"
    if tool == "zypper":
        return f"zypper -n install {names} && zypper clean --all"
    return f"{tool} install -y {names} && {tool} clean all"


def _last_user(dockerfile, target) -> str | None:
    """The non-root user the image of `target` ends with, as written; None for root or none."""
    user = None
    for stage in dockerfile.lineage(target):
        for instruction in stage.instructions:
            if instruction.keyword == "USER" and instruction.args.strip():
                user = instruction.args.split()[0]
    if user is None or user.split(":")[0] in ("root", "0"):
        return None
    return user
