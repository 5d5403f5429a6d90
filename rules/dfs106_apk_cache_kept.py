"""apk keeps its package index and cache in the image.

## What it does
Flags a `RUN` that runs `apk add` without `--no-cache`, or `apk update`, when nothing else
keeps the apk cache out of the layer. `apk update` writes the index into `/var/cache/apk`
and `apk add --no-cache` does not remove it, so `apk update && apk add --no-cache curl`
is flagged too.

## Why is this bad?
`apk add` (after `apk update`, or with `--update`/`-U`) downloads the package index into
`/var/cache/apk`, a few megabytes that nothing needs once the packages are installed. The
layer is frozen when the `RUN` ends, so the index ships with the image. `--no-cache`
fetches a fresh index, installs, and leaves nothing behind; it also makes a separate
`apk update` unnecessary.

## Example
    RUN apk update && apk add curl

## Use instead
    RUN apk add --no-cache curl

or keep the cache out of the image with a BuildKit cache mount, which also speeds up
rebuilds:

    RUN --mount=type=cache,target=/var/cache/apk apk add curl

## Savings
`apk-cache:default` of `dfslim/data/savings.json` (the index apk keeps, about 2 MB).

## Fix
Safe: inserts `--no-cache` right after `add` (`apk add --virtual .build-deps ...` needs it
too) and deletes the `apk update` with the `&&` (or `;`, or line break) that joins it to
the next command: `apk update && apk add curl` becomes `apk add --no-cache curl`, since
`--no-cache` fetches a fresh index itself. The `apk update` is deleted only when that is
safe: the next command of the `RUN` follows it by `&&`, `;` or a line break, nothing
pipes into or branches (`||`) around it, no comment sits between them, it is not inside a
subshell or a `sh -c` string, and every later apk command of the `RUN` is an `apk add` or
`apk upgrade` (which gets `--no-cache` too: `apk update && apk upgrade` becomes
`apk upgrade --no-cache`). Otherwise (an `apk update` alone in its `RUN`, one followed by
`apk info`) there is no fix: remove the `apk update`, or append `&& rm -rf /var/cache/apk/*`.

## Exemptions
Not flagged when `rm -rf /var/cache/apk/*` (or a parent folder) comes later in the same
`RUN`, when a cache or tmpfs mount covers `/var/cache/apk` or `/etc/apk/cache`, or for
`apk add --no-network` (it downloads nothing, typically the run-time dependencies of
something just built: `apk add --no-network --virtual .rundeps $runDeps`).

## Scope
Only stages that ship: a builder stage's cache never reaches the final image.
"""

from dfslim.api import Edit, Fix, Meta, Severity, Violation, caches_kept, insert_option, spell, tool_call
from dfslim.savings import figure

META = Meta(
    id="DFS106",
    name="apk-cache-kept",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="safe",
    others=("hadolint DL3019", "trivy DS-0025"),
)

JOINS = ("&&", ";", "\n")
USES_INDEX = ("install", "upgrade")  # apk actions that fetch the index themselves with --no-cache  # operators after which deleting a command leaves the rest as it ran


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        kept = caches_kept(dockerfile, instruction, _fills)
        if not kept:
            continue
        script = instruction.script
        commands = script.commands
        updates = [command for command, call in kept if call.action == "update"]
        adds = [call for _command, call in kept if call.action == "install"]
        flag = kept[0][1].tool.no_cache_flag
        mount = kept[0][1].tool.mount
        # with the update gone, an `apk upgrade` after it would write the index itself
        upgrades = _upgrades_after(commands, commands.index(updates[0])) if updates else []
        edits = [insert_option(script, call.word, flag) for call in adds + upgrades]
        edits += [_delete_update(dockerfile.text, script, commands, command) for command in updates]
        fix = Fix(_title(adds + upgrades, updates, flag), tuple(edits)) if all(edits) else None
        first = kept[0][0]
        if updates:
            add = _next_use(commands, commands.index(updates[0]))
            if add is not None:
                written = spell(dockerfile.text, script, add.words, add.index, "" if add.has(flag) else flag)
                suggestion = f"drop `apk update` and write `{written}` (it fetches a fresh index itself)"
            else:
                suggestion = "drop `apk update` and install with `apk add --no-cache` (it fetches a fresh index itself), or append `&& rm -rf /var/cache/apk/*`"
            message = "`apk update` leaves the package index in the image"
            if add is not None and add.action == "install":
                message += " (`apk add --no-cache` does not remove it)"
        else:
            add = adds[0]
            suggestion = f"write `{spell(dockerfile.text, script, add.words, add.index, flag)}`"
            message = "apk keeps its package cache in the image"
        yield Violation(
            instruction,
            message,
            f"{suggestion}, or mount a cache: `RUN --mount=type=cache,target={mount} ...`",
            fix=fix,
            savings_bytes=figure("apk-cache:default"),
            focus=instruction.script.span(first),
        )


def _fills(_index, call) -> bool:
    """`apk add` (its `--no-cache` is read by `caches_kept`) and `apk update`."""
    return call.name == "apk" and call.action in ("install", "update")


def _title(calls, updates, flag) -> str:
    verbs = " and ".join(f"`{verb}`" for verb in dict.fromkeys(call.verb for call in calls))
    if not updates:
        return f"Insert `{flag}` after {verbs}"
    if not calls:
        return "Delete `apk update`: `apk add --no-cache` fetches a fresh index itself"
    return f"Delete `apk update` and insert `{flag}` after {verbs}"


def _apk_after(commands, index):
    """The ToolCalls of the apk commands after `commands[index]`."""
    calls = (tool_call(command) for command in commands[index + 1 :])
    return [call for call in calls if call is not None and call.name == "apk"]


def _next_use(commands, index):
    """The first `apk add` or `apk upgrade` after `commands[index]` (it reads the index), else None."""
    return next((call for call in _apk_after(commands, index) if call.action in USES_INDEX), None)


def _upgrades_after(commands, index):
    """The `apk upgrade`s after `commands[index]` that would write the index themselves."""
    return [call for call in _apk_after(commands, index) if call.action == "upgrade" and not call.keeps_cache_out]


def _delete_update(text, script, commands, update):
    """An edit deleting `apk update` and the operator after it, or None when that is not
    safe (see the Fix section)."""
    index = commands.index(update)
    if not script.shell_form or update.depth or update.inline or index + 1 >= len(commands):
        return None
    following = commands[index + 1]
    if following.depth != update.depth or following.inline or update.after not in JOINS or following.before != update.after:
        return None
    if update.before not in (None, *JOINS) or "#" in text[update.end : following.start]:
        return None
    apk = _apk_after(commands, index)
    if not apk or any(call.action not in USES_INDEX for call in apk):
        return None
    return Edit(update.start, following.start, "")
