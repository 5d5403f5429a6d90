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

from dfslim.api import Fix, Meta, Severity, Violation, expand
from dfslim.savings import figure
from dfslim.shell import (
    Removals,
    cache_mounted,
    env_value,
    has_option,
    home_paths,
    insert_option,
    last_index,
    option_value,
    package_action,
    spell,
    subcommand,
)

META = Meta(
    id="DFS105",
    name="pip-cache-kept",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="safe",
    others=("hadolint DL3042",),
)

FALSE = frozenset({"0", "false", "no", "off", "n", "f"})
PIP_FLAG = "--no-cache-dir"
UV_FLAG = "--no-cache"


def check(dockerfile):
    writers = [run for run in dockerfile.of("RUN") if _configures_pip(run)]  # once per file, not per RUN
    for instruction in dockerfile.of("RUN"):
        configured = _configured_before(dockerfile, instruction, writers)
        commands = instruction.script.commands
        later = _Later(commands)
        offenders = []
        for index, command in enumerate(commands):
            if _config_command(command):
                configured = True
                continue
            action = package_action(command)
            if action is None or action.action != "install" or action.tool not in ("pip", "uv pip"):
                continue
            if action.tool == "pip" and (configured or _pip_cache_off(instruction, commands, index, action)):
                continue
            if action.tool == "uv pip" and _uv_cache_off(instruction, commands, index, action):
                continue
            if _cache_kept_out(dockerfile, instruction, commands, index, action.tool, later):
                continue
            offenders.append(action)
        if offenders:
            yield _violation(dockerfile, instruction, offenders)


def _configured_before(dockerfile, instruction, writers) -> bool:
    """Whether an earlier RUN of the stage (or of a stage it is built FROM) ran
    `pip config set ....no-cache-dir`."""
    if not writers:
        return False
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return False
    lineage = dockerfile.lineage(stage)
    return any(run.index < instruction.index and dockerfile.stage_of(run) in lineage for run in writers)


def _violation(dockerfile, instruction, offenders):
    script = instruction.script
    edits = []
    for action in offenders:
        flag = UV_FLAG if action.tool == "uv pip" else PIP_FLAG
        edit = insert_option(script, action.word, flag)
        if edit is not None:
            edits.append(edit)
    first = offenders[0]
    flag = UV_FLAG if first.tool == "uv pip" else PIP_FLAG
    fixed = spell(dockerfile.text, script, first.words, first.index, flag)
    tool = "uv" if first.tool == "uv pip" else "pip"
    mount = "/root/.cache/uv" if tool == "uv" else "/root/.cache/pip"
    fix = Fix(f"Insert `{flag}` after `install`", tuple(edits)) if len(edits) == len(offenders) else None
    return Violation(
        instruction,
        f"{tool} keeps its download cache in the image",
        f"write `{fixed}`, or mount a cache: `RUN --mount=type=cache,target={mount} ...`",
        fix=fix,
        savings_bytes=figure("pip-cache:default") if tool == "pip" else figure("uv-cache:default"),
    )


def _pip_cache_off(instruction, commands, index, action) -> bool:
    if any(_is_no_cache_dir(word.text) for word in action.words[action.index + 1 :]):
        return True
    if any(_is_no_cache_dir(word.text) for word in action.words[: action.index]):
        return True  # a global option before the subcommand: `pip --no-cache-dir install`
    # pip disables its cache for any valid boolean, even `0`/`false` (its documented
    # backwards compatibility); an invalid value stops the build.
    return env_value(instruction, commands, index, "PIP_NO_CACHE_DIR") is not None


def _is_no_cache_dir(text: str) -> bool:
    """`--no-cache-dir`, also as optparse accepts it abbreviated (`--no-cache`)."""
    if text == "--":
        return False
    option = text.split("=", 1)[0]
    return option == PIP_FLAG or (len(option) >= len("--no-cach") and PIP_FLAG.startswith(option))


def _uv_cache_off(instruction, commands, index, action) -> bool:
    if has_option(action.words[1:], "--no-cache", "--no-cache-dir", "-n"):
        return True
    value = env_value(instruction, commands, index, "UV_NO_CACHE")
    return value is not None and value.strip() != "" and value.strip().lower() not in FALSE


def _cache_paths(dockerfile, instruction, commands, index, tool) -> list[str]:
    folder = "uv" if tool == "uv pip" else "pip"
    variable = "UV_CACHE_DIR" if tool == "uv pip" else "PIP_CACHE_DIR"
    paths = list(home_paths(dockerfile, instruction, ".cache/" + folder))
    paths += [f"${variable}", "${" + variable + "}"]
    value = env_value(instruction, commands, index, variable)
    if value:
        paths.append(expand(value, instruction.scope))
    option = option_value(package_action(commands[index]).words, "--cache-dir")
    if option:
        paths += [option, expand(option, instruction.scope)]
    xdg = env_value(instruction, commands, index, "XDG_CACHE_HOME")
    if xdg:
        paths.append(expand(xdg, instruction.scope).rstrip("/") + "/" + folder)
    return paths


class _Later:
    """What the commands of one RUN clean, asked per install about the commands after it;
    each answer is found in one pass over the RUN, not one per install."""

    __slots__ = ("_commands", "_removals", "_last_cleanup")

    def __init__(self, commands):
        self._commands = commands
        self._removals = Removals(commands)
        self._last_cleanup: dict[str, int] = {}

    def cleans(self, index, tool, paths) -> bool:
        last = self._last_cleanup.get(tool)
        if last is None:
            last = self._last_cleanup[tool] = last_index(self._commands, lambda command: _cleans_cache(command, tool))
        return last > index or self._removals.after(index, *paths)


def _cache_kept_out(dockerfile, instruction, commands, index, tool, later) -> bool:
    paths = _cache_paths(dockerfile, instruction, commands, index, tool)
    if cache_mounted(instruction, *paths):
        return True
    return later.cleans(index, tool, tuple(paths))


def _cleans_cache(command, tool) -> bool:
    """`pip cache purge` (for pip), `uv cache clean` (for uv), or an `rm` of the folder the
    tool names (`rm -rf "$(pip cache dir)"`)."""
    if _removes_cache_dir(command, tool):
        return True
    action = package_action(command)
    if action is None or action.action != "cache":
        return False
    what = subcommand(action.words[action.index :])[1]
    if tool == "pip" and action.tool == "pip" and what in ("purge", "remove", "rm"):
        return True
    return tool == "uv pip" and action.tool == "uv" and what in ("clean", "clear")


def _removes_cache_dir(command, tool) -> bool:
    """`rm -rf "$(pip cache dir)"`."""
    if command.name != "rm":
        return False
    wanted = "uv cache dir" if tool == "uv pip" else "pip cache dir"
    return any(wanted in word.text for word in command.words[1:])


def _config_command(command) -> bool:
    """`pip config set global.no-cache-dir ...` (pip then disables the cache for any value)."""
    action = package_action(command)
    if action is None or action.tool != "pip" or action.action != "config":
        return False
    return any(word.text.endswith(".no-cache-dir") for word in action.words[action.index + 1 :])


def _configures_pip(instruction) -> bool:
    return instruction.keyword == "RUN" and any(_config_command(c) for c in instruction.script.commands)
