"""pip keeps its download cache in the image.

## What it does
Flags a `RUN` that runs `pip install` (also `pip3`, `pip3.11`, `/opt/venv/bin/pip`,
`python -m pip`, `python3 -m pip`) without `--no-cache-dir`, or `uv pip install` without
`--no-cache`, when nothing else keeps the cache out of the layer.

## Why is this bad?
pip stores every wheel it downloads or builds in `~/.cache/pip` (uv in `~/.cache/uv`).
Nothing reads that cache again once the image is built, yet it is frozen into the layer
when the `RUN` ends: often tens or hundreds of megabytes (a `torch` install leaves
gigabytes). A later `RUN rm -rf ~/.cache` only hides it.

## Example
    RUN pip install -r requirements.txt

## Use instead
    RUN pip install --no-cache-dir -r requirements.txt

or keep the cache out of the image with a BuildKit cache mount, which also speeds up
rebuilds:

    RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt

## Savings
`pip-cache:default` of `dfslim/data/savings.json` (the smallest documented measurement,
10 MB); unknown for uv, whose cache may be hard-linked into the environment.

## Fix
Safe: inserts `--no-cache-dir` right after `install` (`--no-cache` for `uv pip install`).

## Exemptions
Not flagged when the cache is disabled or cleared another way: `PIP_NO_CACHE_DIR` (pip
disables its cache for any valid value of it, `0` and `false` included) or a true
`UV_NO_CACHE`, set by `ENV`/`ARG` in scope, exported earlier in the `RUN` or given on the
command (`PIP_NO_CACHE_DIR=1 pip install ...`); `pip config set global.no-cache-dir` earlier;
a cache or tmpfs mount on the pip/uv cache (`/root/.cache/pip`, `/root/.cache`,
`$HOME/.cache/pip`, or the folder `PIP_CACHE_DIR`/`UV_CACHE_DIR` names); `pip cache purge`,
`uv cache clean` or `rm -rf` of the cache later in the same `RUN`. `pipx`, `poetry`,
`pipenv`, `pip wheel` and `pip download` are not `pip install`.

## Scope
Only stages that ship: a builder stage's cache never reaches the final image.
"""

from dfslim.api import (
    Fix,
    Meta,
    Severity,
    Violation,
    caches_kept,
    earlier_in_lineage,
    insert_option,
    spell,
    tool_call,
)
from dfslim.savings import figure

META = Meta(
    id="DFS105",
    name="pip-cache-kept",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="safe",
    others=("hadolint DL3042",),
)

PYTHON_INSTALLERS = frozenset({"pip", "uv pip"})


def check(dockerfile):
    writers = [run for run in dockerfile.of("RUN") if _configures_pip(run)]  # once per file, not per RUN
    for instruction in dockerfile.of("RUN"):
        configured = earlier_in_lineage(dockerfile, instruction, writers)
        commands = instruction.script.commands
        # `pip config set global.no-cache-dir` earlier in this RUN covers the pip after it
        first_config = next((index for index, command in enumerate(commands) if _config_command(command)), len(commands))

        def wanted(index, call) -> bool:
            if call.action != "install" or call.name not in PYTHON_INSTALLERS:
                return False
            return call.name != "pip" or not (configured or first_config < index)

        offenders = [call for _command, call in caches_kept(dockerfile, instruction, wanted)]
        if offenders:
            yield _violation(dockerfile, instruction, offenders)


def _violation(dockerfile, instruction, offenders):
    script = instruction.script
    edits = []
    for call in offenders:
        edit = insert_option(script, call.word, call.tool.no_cache_flag)
        if edit is not None:
            edits.append(edit)
    first = offenders[0]
    flag = first.tool.no_cache_flag
    fixed = spell(dockerfile.text, script, first.words, first.index, flag)
    tool = "uv" if first.name == "uv pip" else "pip"
    fix = Fix(f"Insert `{flag}` after `install`", tuple(edits)) if len(edits) == len(offenders) else None
    return Violation(
        instruction,
        f"{tool} keeps its download cache in the image",
        f"write `{fixed}`, or mount a cache: `RUN --mount=type=cache,target={first.tool.mount} ...`",
        fix=fix,
        savings_bytes=figure("pip-cache:default") if tool == "pip" else figure("uv-cache:default"),
    )


def _config_command(command) -> bool:
    """`pip config set global.no-cache-dir ...` (pip then disables the cache for any value)."""
    call = tool_call(command)
    if call is None or call.name != "pip" or call.verb != "config":
        return False
    return any(word.text.endswith(".no-cache-dir") for word in call.arguments)


def _configures_pip(instruction) -> bool:
    return instruction.keyword == "RUN" and any(_config_command(c) for c in instruction.script.commands)
