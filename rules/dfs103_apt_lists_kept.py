r"""apt package lists are left in the image.

## What it does
Flags a `RUN` that installs packages with `apt-get install` (or `apt install`) and does not
remove `/var/lib/apt/lists/*` later in the same `RUN`.

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

## Scope
Only stages that ship: a builder stage's lists never reach the final image.
"""

from dfslim.api import (
    Fix,
    Meta,
    Severity,
    Violation,
    append_at_end,
    cache_mounted,
    clears_apt_lists,
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
        installs = [i for i, command in enumerate(commands) if tool_action(command, "apt") in apt.DOWNLOADS]
        if not installs:
            continue
        if any(clears_apt_lists(command) for command in commands[installs[-1] + 1 :]):
            continue
        relying = _later_install_without_update(dockerfile, instruction)
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
        )


def _later_install_without_update(dockerfile, instruction):
    """A later RUN, in this stage or one built FROM it, that installs with apt without
    fetching the lists first: it relies on the lists this RUN leaves."""
    stage = dockerfile.stage_of(instruction)
    instructions = dockerfile.instructions
    for position in range(instruction.index + 1, len(instructions)):  # no copy of the rest per RUN
        later = instructions[position]
        if later.keyword != "RUN":
            continue
        later_stage = dockerfile.stage_of(later)
        if later_stage is not stage and stage not in dockerfile.lineage(later_stage):
            continue
        for command in later.script.commands:
            action = tool_action(command, "apt")
            if action == "update" or clears_apt_lists(command):
                return None  # fetched or removed afresh: later RUNs do not rely on these lists
            if action in apt.DOWNLOADS:
                return later
    return None
