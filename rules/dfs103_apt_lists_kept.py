r"""apt package lists are left in the image.

## What it does
Flags a `RUN` that fetches the package lists (`apt-get update`, `apt update`, `aptitude
update`, apt 3's `apt-get install --update`, or `add-apt-repository` without `-n`, which
updates too) and installs packages (`install`, `build-dep`, `upgrade`, `source`), without
removing `/var/lib/apt/lists/*` after both, later in the same `RUN`. A script piped into a
shell before an install of the same `RUN` (`curl -fsSL https://deb.nodesource.com/setup_22.x
| bash - && apt-get install -y nodejs`) counts as a fetch: such repository setup scripts run
`apt-get update`, or the install could not find the package they add.

## Why is this bad?
`apt-get update` downloads the package index into `/var/lib/apt/lists`: tens of megabytes
that nothing needs once the packages are installed. A layer is frozen when its `RUN` ends,
so only a removal in the same `RUN` keeps the lists out of the image; `apt-get clean` does
not remove them, and a later `RUN rm -rf ...` only hides them.

## Example
    RUN apt-get update && apt-get install -y --no-install-recommends curl

## Use instead
    RUN apt-get update && apt-get install -y --no-install-recommends curl \
        && rm -rf /var/lib/apt/lists/*

or keep the lists out of the image with a BuildKit cache mount, which also speeds up
rebuilds:

    RUN --mount=type=cache,target=/var/lib/apt/lists \
        --mount=type=cache,target=/var/cache/apt,sharing=locked \
        apt-get update && apt-get install -y --no-install-recommends curl

## Fix
Safe: appends `&& rm -rf /var/lib/apt/lists/*` to the `RUN`.

## Saving
The size of the package lists of the image's distribution release (about 20 MB for
Debian bookworm, 40 MB for Ubuntu 22.04), from the sourced table in
`dfslim/data/savings.json`.

## One finding per fetch
The finding belongs to the `RUN` that fetched the lists, once, with their size counted once.
A later `RUN` that installs from those lists without fetching them again adds no lists of
its own and is not flagged; the fetching `RUN` then gets no fix (removing the lists there
would break that install) and its message names the later install. A `RUN` that only
updates is DFS102's finding. The focus is the command that fetched the lists.

## Scope
Only stages that ship: a builder stage's lists never reach the final image.
"""

from dfslim.api import (
    Fix,
    Meta,
    Severity,
    Violation,
    append_at_end,
    apt_lists_reused,
    cache_mounted,
    clears_apt_lists,
    fetches_apt_lists,
    last_index,
    piped_into_shell,
    tool_action,
)
from dfslim.savings import apt_lists_bytes, stage_base
from dfslim.tools import apt

META = Meta(
    id="DFS103",
    name="apt-lists-kept",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="safe",
    others=("hadolint DL3009",),
)

CLEANUP = f" && {apt.CLEAR_LISTS}"


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        if cache_mounted(instruction, apt.LISTS):
            continue
        commands = instruction.script.commands
        fetch = _last_fetch(commands)
        if fetch < 0:
            continue
        install = last_index(commands, _installs)
        if install < 0:
            continue
        last = max(fetch, install)
        if any(clears_apt_lists(command) for command in commands[last + 1 :]):
            continue
        focus = instruction.script.span(commands[fetch])
        relying = apt_lists_reused(dockerfile, instruction)
        saving = apt_lists_bytes(stage_base(dockerfile, instruction))
        if relying is not None:
            # removing the lists here would break that later install: no fix
            yield Violation(
                instruction,
                f"apt package lists stay in the image (the install on line {relying.line} still uses them)",
                f"run `apt-get update` in the RUN on line {relying.line} and remove "
                "`/var/lib/apt/lists/*` at the end of each RUN that installs, or mount a cache: "
                "`RUN --mount=type=cache,target=/var/lib/apt/lists ...`",
                savings_bytes=saving,
                focus=focus,
            )
            continue
        edit = append_at_end(dockerfile, instruction, CLEANUP)
        fix = Fix("Append `&& rm -rf /var/lib/apt/lists/*` to this RUN", (edit,)) if edit else None
        yield Violation(
            instruction,
            "apt package lists stay in the image",
            "append `&& rm -rf /var/lib/apt/lists/*` to this RUN, or mount a cache: "
            "`RUN --mount=type=cache,target=/var/lib/apt/lists ...`",
            fix=fix,
            savings_bytes=saving,
            focus=focus,
        )


def _installs(command) -> bool:
    return tool_action(command, "apt") in apt.DOWNLOADS


def _last_fetch(commands) -> int:
    """The position of the last command that fetches the package lists, else -1: an
    update (see `fetches_apt_lists`), or a script piped into a shell that an apt install
    follows (a repository setup script: NodeSource's `setup_*.x` and get.docker.com run
    `apt-get update`, or the install could not find the package they add)."""
    last = last_index(commands, fetches_apt_lists)
    install = last_index(commands, _installs)
    for position in range(install - 1, last, -1):
        if piped_into_shell(commands[position]):
            return position
    return last


