"""apk keeps its package index and cache in the image.

## What it does
Flags a `RUN` that runs `apk add` without `--no-cache`, when nothing else keeps the apk
cache out of the layer.

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
Safe: inserts `--no-cache` right after `add`. `apk add --virtual .build-deps ...` needs it
too.

## Exemptions
Not flagged when `rm -rf /var/cache/apk/*` (or a parent folder) comes later in the same
`RUN`, when a cache or tmpfs mount covers `/var/cache/apk` or `/etc/apk/cache`, or for
`apk add --no-network` (it downloads nothing, typically the run-time dependencies of
something just built: `apk add --no-network --virtual .rundeps $runDeps`).

## Scope
Only stages that ship: a builder stage's cache never reaches the final image.
"""

from dfslim.api import Fix, Meta, Severity, Violation
from dfslim.savings import figure
from dfslim.shell import cache_mounted, has_option, insert_option, package_action, removes, spell

META = Meta(
    id="DFS106",
    name="apk-cache-kept",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="safe",
    others=("hadolint DL3019", "trivy DS-0025"),
)

CACHES = ("/var/cache/apk", "/etc/apk/cache")


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        if cache_mounted(instruction, *CACHES):
            continue
        commands = instruction.script.commands
        offenders = []
        last_removal = None  # index of the last command removing the cache, once needed
        for index, command in enumerate(commands):
            action = package_action(command)
            if action is None or action.tool != "apk" or action.action != "add":
                continue
            if has_option(action.words[1:], "--no-cache", "--no-network"):
                continue  # `--no-network` fetches no index, so nothing is cached
            if last_removal is None:
                # found once: looking through the rest of the RUN for every add was
                # quadratic in the adds of one RUN
                last_removal = max((at for at, later in enumerate(commands) if removes(later, *CACHES)), default=-1)
            if last_removal > index:
                continue
            offenders.append(action)
        if not offenders:
            continue
        script = instruction.script
        edits = [insert_option(script, action.word, "--no-cache") for action in offenders]
        fix = Fix("Insert `--no-cache` after `add`", tuple(edits)) if all(edits) else None
        first = offenders[0]
        yield Violation(
            instruction,
            "apk keeps its package cache in the image",
            f"write `{spell(dockerfile.text, script, first.words, first.index, '--no-cache')}`, or mount a "
            "cache: `RUN --mount=type=cache,target=/var/cache/apk ...`",
            fix=fix,
            savings_bytes=figure("apk-cache:default"),
        )
