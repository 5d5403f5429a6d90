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

from dfslim.api import Fix, Meta, Severity, Violation, caches_kept, insert_option, spell
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

def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        offenders = [call for _command, call in caches_kept(dockerfile, instruction, _adds)]
        if not offenders:
            continue
        script = instruction.script
        flag = offenders[0].tool.no_cache_flag
        edits = [insert_option(script, call.word, flag) for call in offenders]
        fix = Fix(f"Insert `{flag}` after `add`", tuple(edits)) if all(edits) else None
        first = offenders[0]
        yield Violation(
            instruction,
            "apk keeps its package cache in the image",
            f"write `{spell(dockerfile.text, script, first.words, first.index, flag)}`, or mount a "
            f"cache: `RUN --mount=type=cache,target={first.tool.mount} ...`",
            fix=fix,
            savings_bytes=figure("apk-cache:default"),
        )


def _adds(_index, call) -> bool:
    return call.name == "apk" and call.verb == "add"
