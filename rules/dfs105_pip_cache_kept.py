"""A Python installer keeps its download cache in the image.

## What it does
Flags a `RUN` that installs Python packages and leaves the installer's download cache in
the layer:

- `pip install` (also `pip3`, `pip3.11`, `/opt/venv/bin/pip`, `python -m pip`, `python3
  -m pip`) without `--no-cache-dir`;
- `uv pip install`/`uv pip sync`, `uv sync`, `uv add` without `--no-cache`;
- `poetry install`/`poetry add` (and `poetry sync`) without `--no-cache`;
- `pipenv install` (and `pipenv sync`), `pdm install`/`pdm sync`, which have no such
  option: their cache must be removed in the same `RUN`;

when nothing else keeps the cache out of the layer (see Exemptions).

## Why is this bad?
Each installer stores every wheel it downloads or builds in its cache folder (pip in
`~/.cache/pip`, uv in `~/.cache/uv`, Poetry in `~/.cache/pypoetry`, Pipenv in
`~/.cache/pipenv`, PDM in `~/.cache/pdm`). Nothing reads that cache again once the image
is built, yet it is frozen into the layer when the `RUN` ends: often tens or hundreds of
megabytes (a `torch` install leaves gigabytes). A later `RUN rm -rf ~/.cache` only hides it.

## Example
    RUN pip install -r requirements.txt
    RUN uv sync --frozen
    RUN poetry install --only main

## Use instead
    RUN pip install --no-cache-dir -r requirements.txt
    RUN uv sync --no-cache --frozen
    RUN poetry install --no-cache --only main

or keep the cache out of the image with a BuildKit cache mount, which also speeds up
rebuilds:

    RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen

The cache of another user (after `USER app`) is below its home, and the mount must be
its own for the installer to write there: `--mount=type=cache,target=/home/app/.cache/pip,uid=1000`.

## Savings
For pip, what its cache holds after the `RUN`: the files pip downloads for what the
installs ask for and everything that depends on, each once, from PyPI's file sizes
(`dfslim.pipcache`, the wheel pip picks for CPython 3.12 on manylinux x86_64), less what
earlier installs of the stage installed already. The requirements are the named
packages, and the requirements files (`-r`, and the files they include) and local
projects (`pip install .`: the `pyproject.toml` dependencies) that an earlier `COPY`
brought in from the build context at hand. A project the table lacks counts as its
typical file (the table's median, 0.14 MB), requirements that cannot be read (no build
context, a variable) as `pip-cache:default` (10 MB, the smallest published
measurement), and nothing is downloaded with `--no-index`. The build harness measured
0.70 MB for `flask`, 30 MB for `numpy pandas`, 63 MB for `scikit-learn`. Unknown (null)
for uv, whose cache may be hard-linked into the environment, and for Poetry, Pipenv and
PDM, for which dfslim has no measurement.

## Fix
Safe: inserts the installer's flag right after the subcommand (`--no-cache-dir` for pip,
`--no-cache` for uv and Poetry); for Pipenv and PDM appends the removal of the cache to
the `RUN` (`rm -rf /root/.cache/pipenv`, or of the folder `PIPENV_CACHE_DIR` names, or
below `$HOME` for another user; `pdm cache clear`). No fix when that removal would not run
last (the `RUN` ends inside a branch or a loop), nor in exec form.

## Exemptions
Not flagged when the cache is disabled or cleared another way, for the installer at hand:
`PIP_NO_CACHE_DIR` for pip (pip disables its cache for any valid value of it, `0` and
`false` included), a true `UV_NO_CACHE` for uv, set by `ENV`/`ARG` in scope, exported
earlier in the `RUN` or given on the command (`PIP_NO_CACHE_DIR=1 pip install ...`);
`pip config set global.no-cache-dir` earlier; a cache or tmpfs mount on the cache folder
(`/root/.cache/pip`, `/root/.cache`, `$HOME/.cache/uv`, or the folder `PIP_CACHE_DIR`,
`UV_CACHE_DIR`, `POETRY_CACHE_DIR`, `PIPENV_CACHE_DIR`, `PDM_CACHE_DIR` or
`XDG_CACHE_HOME` names); `pip cache purge`, `uv cache clean`, `poetry cache clear`, `pdm
cache clear` or `rm -rf` of the cache folder (`rm -rf $POETRY_CACHE_DIR`) later in the
same `RUN`. `PIP_NO_CACHE_DIR` does not cover Poetry, Pipenv or PDM, which keep caches of
their own. `pipx`, `pip wheel`, `pip download`, `uv run` and `uv tool` are not installs
of this kind.

## Scope
Only stages that ship: a builder stage's cache never reaches the final image.
"""

from dfslim.api import (
    Fix,
    Meta,
    Severity,
    Violation,
    append_at_end,
    caches_kept,
    earlier_in_lineage,
    insert_option,
    pip_cache_saving,
    spell,
    tool_call,
    user_in_effect,
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

# the installs of each Python installer that fill its download cache
PYTHON_INSTALLS = {
    "pip": frozenset({"install"}),
    "uv pip": frozenset({"install", "sync"}),
    "uv": frozenset({"sync", "add"}),
    "poetry": frozenset({"install", "add", "sync"}),
    "pipenv": frozenset({"install", "sync"}),
    "pdm": frozenset({"install", "sync"}),
}


def check(dockerfile):
    writers = [run for run in dockerfile.of("RUN") if _configures_pip(run)]  # once per file, not per RUN
    for instruction in dockerfile.of("RUN"):
        configured = earlier_in_lineage(dockerfile, instruction, writers)
        commands = instruction.script.commands
        # `pip config set global.no-cache-dir` earlier in this RUN covers the pip after it
        first_config = next((index for index, command in enumerate(commands) if _config_command(command)), len(commands))

        def wanted(index, call) -> bool:
            if call.action not in PYTHON_INSTALLS.get(call.name, ()):
                return False
            return call.name != "pip" or not (configured or first_config < index)

        offenders = [call for _command, call in caches_kept(dockerfile, instruction, wanted)]
        if offenders:
            yield _violation(dockerfile, instruction, offenders)


def _violation(dockerfile, instruction, offenders):
    script = instruction.script
    flagged = [call for call in offenders if call.tool.no_cache_flag]
    removed = [call for call in offenders if not call.tool.no_cache_flag]
    edits = [insert_option(script, call.word, call.tool.no_cache_flag) for call in flagged]
    removal = " && ".join(dict.fromkeys(_removal(dockerfile, instruction, call) for call in removed))
    if removal:
        edits.append(append_at_end(dockerfile, instruction, " && " + removal))
    first = offenders[0]
    names = list(dict.fromkeys("uv" if call.name == "uv pip" else call.name for call in offenders))
    tool = names[0]
    if len(names) == 1:
        subject = f"{tool} keeps its download cache"
    else:
        subject = f"{', '.join(names[:-1])} and {names[-1]} keep their download caches"
    mount = _mount_hint(dockerfile, instruction, first.tool)
    if first.tool.no_cache_flag:
        flag = first.tool.no_cache_flag
        fixed = spell(dockerfile.text, script, first.words, first.index, flag)
        suggestion = f"write `{fixed}`, {mount}"
    else:
        suggestion = f"append `&& {removal}` to this RUN, {mount}"
    titles = list(dict.fromkeys(f"Insert `{call.tool.no_cache_flag}` after `{call.verb}`" for call in flagged))
    titles += [f"Append `&& {removal}`"] if removal else []
    fix = Fix("; ".join(titles), tuple(edits)) if edits and None not in edits else None
    return Violation(
        instruction,
        f"{subject} in the image",
        suggestion,
        fix=fix,
        savings_bytes=_saving(dockerfile, instruction, offenders),
        focus=script.span(_command_of(instruction, first)),
    )


def _mount_hint(dockerfile, instruction, tool) -> str:
    """The cache mount to suggest: the declared folder is root's; another user's cache
    lives below its own home, and the mount must belong to it for the installer to write."""
    user = user_in_effect(dockerfile, instruction)
    if user and user not in ("root", "0"):
        folder = tool.mount.removeprefix("/root/")
        return (
            f"or mount a cache on the cache folder of user `{user}`: "
            f"`RUN --mount=type=cache,target=<its home>/{folder},uid=<its uid> ...`"
        )
    return f"or mount a cache: `RUN --mount=type=cache,target={tool.mount} ...`"


def _saving(dockerfile, instruction, offenders):
    """pip's cache from the requirements, plus the documented figures of the other
    installers; None when none is known."""
    pip = [call for call in offenders if call.name == "pip"]
    known = [pip_cache_saving(dockerfile, instruction, pip)] if pip else []
    names = dict.fromkeys("uv" if call.name == "uv pip" else call.name for call in offenders if call.name != "pip")
    known += [figure(f"{name}-cache:default") for name in names]
    known = [value for value in known if value is not None]
    return sum(known) if known else None


def _command_of(instruction, call):
    """The command of the RUN that `call` reads."""
    return next(command for command in instruction.script.commands if tool_call(command) is call)


def _removal(dockerfile, instruction, call) -> str:
    """The command that empties the cache of an installer without a no-cache option: its
    own clean command, else `rm -rf` of the folder its variable names, of the declared
    folder for root, or below `$HOME` for another user."""
    tool = call.tool
    if not tool.clean.startswith("rm "):
        return tool.clean
    for name in tool.cache_variables:
        if name in instruction.scope:
            return f"rm -rf ${name}"
    user = user_in_effect(dockerfile, instruction)
    if user and user not in ("root", "0"):
        return "rm -rf $HOME/" + tool.caches[0][2:]
    return tool.clean


def _config_command(command) -> bool:
    """`pip config set global.no-cache-dir ...` (pip then disables the cache for any value)."""
    call = tool_call(command)
    if call is None or call.name != "pip" or call.verb != "config":
        return False
    return any(word.text.endswith(".no-cache-dir") for word in call.arguments)


def _configures_pip(instruction) -> bool:
    return instruction.keyword == "RUN" and any(_config_command(c) for c in instruction.script.commands)
