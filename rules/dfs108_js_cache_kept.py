"""npm or yarn keep their download cache in the image.

## What it does
Flags a `RUN` that installs JavaScript packages (`npm install`, `npm i`, `npm ci`,
`npm install -g pkg`; `yarn`, `yarn install`, `yarn add`, `yarn global add`) without
cleaning the package manager's cache later in the same `RUN`.

## Why is this bad?
npm keeps a copy of every package tarball it downloads in `~/.npm/_cacache`, yarn in its
cache folder (`/usr/local/share/.cache/yarn` for root). Once `node_modules` is filled
nothing reads that cache again, yet it is frozen into the layer when the `RUN` ends: often
as large as `node_modules` itself.

## Where Yarn 1 caches
Run as root, Yarn 1 takes `/usr/local/share` for its home: its cache is
`/usr/local/share/.cache/yarn`, and a mount on `/root/.cache/yarn` (or `/root/.yarn`, its
global prefix) leaves the cache in the layer. Run as another user (`USER node`), it is
`~/.cache/yarn` of that user (`/home/node/.cache/yarn`). `$XDG_CACHE_HOME/yarn`,
`YARN_CACHE_FOLDER` and `--cache-folder` override both (yarnpkg/yarn
`src/util/user-home-dir.js` and `src/util/user-dirs.js`). With no `USER` set, the `RUN`
runs as the base image's default user, root when dfslim does not know it.

## Example
    RUN npm ci --omit=dev

## Use instead
    RUN npm ci --omit=dev && npm cache clean --force

or keep the cache out of the image with a BuildKit cache mount, which also speeds up
rebuilds:

    RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

For yarn: `RUN yarn install --frozen-lockfile && yarn cache clean`, or
`RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile`.

## Savings
For an npm install of named packages the build harness measured (`npm install express`:
3.9 MB, `npm-cache:express`), that measurement; for other named packages only (`npm
install -g pm2`) none, since dfslim has no package size table for npm yet; for a project's
install (`npm ci`, `npm install`) `npm-cache:default` (11 MB) or `yarn-cache:default`
(80 MB) of `dfslim/data/savings.json`: the smallest documented measurements.

## Fix
Safe: appends ` && npm cache clean --force` or ` && yarn cache clean` to the `RUN`. The yarn
fix is marked unsafe when the stage copied the whole build context first (it may carry a
`.yarnrc.yml` that switches to Yarn 2+). No fix is offered when the last command of the
`RUN` sits inside a branch, a loop or a subshell.

## Exemptions
Not flagged when the cache is cleaned later in the same `RUN` (`npm cache clean`,
`yarn cache clean`, `rm -rf` of the cache folder, including one set by `npm_config_cache`,
`YARN_CACHE_FOLDER`, `--cache` or `--cache-folder`), or when a cache or tmpfs mount covers
it. Yarn 2+ ("berry") is left alone: with Plug'n'Play its cache *is* the installed
packages, and `yarn cache clean` would break the application. dfslim assumes berry when
the stage (or a stage it is built `FROM`) copies `.yarnrc.yml` or `.yarn/`, runs
`yarn set version` (other than `classic`) or `corepack`, sets a berry-only `YARN_*`
variable, or uses a berry-only option (`--immutable`, `yarn workspaces focus`).

## Scope
Only stages that ship: an `npm ci` that only builds assets in a builder stage leaves
nothing in the final image.
"""

from dfslim.api import (
    Fix,
    Meta,
    Severity,
    Violation,
    append_at_end,
    assignments,
    caches_kept,
    cleanup_commands,
    expand,
    mounts,
    runs_as_root,
    split_words,
    tool_call,
    unquote,
    user_in_effect,
)
from dfslim.savings import figure
from dfslim.tools import yarn

META = Meta(
    id="DFS108",
    name="js-cache-kept",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="safe",
    others=("hadolint DL3060",),
)

def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        run = _Run(dockerfile, instruction)

        def wanted(index, call) -> bool:
            if not _installs(call):
                return False
            if call.name == "yarn" and run.berry(index):
                return False
            return not _in_bind_mount(run, index, call)

        offenders = caches_kept(dockerfile, instruction, wanted)
        if not offenders:
            continue
        text = cleanup_commands(offenders)
        edit = append_at_end(dockerfile, instruction, text)
        tools = {call.name for _command, call in offenders}
        safe = "yarn" not in tools or not _context_copied(dockerfile, instruction)
        fix = Fix(f"Append `{text.strip()}` to this RUN", (edit,), safe=safe) if edit else None
        command, first = offenders[0]
        yield Violation(
            instruction,
            f"{first.name} keeps its download cache in the image",
            f"append `{text.strip()}` to this RUN, or mount a cache: "
            f"`RUN --mount=type=cache,target={_mount(dockerfile, instruction, first)} ...`",
            fix=fix,
            savings_bytes=_saving(offenders),
            focus=instruction.script.span(command),
        )


def _saving(offenders) -> int | None:
    """The harness's figure for the very packages an npm install names (`npm-cache:a+b`),
    else the documented default of each tool; None when none is known."""
    names = sorted({word.text.lower() for _command, call in offenders if call.name == "npm" for word in call.packages})
    tools = {call.name for _command, call in offenders}
    if tools == {"npm"} and names:
        measured = figure("npm-cache:" + "+".join(names))
        if measured is not None:
            return measured
        if all(call.packages for _command, call in offenders):
            # only named packages (`npm install -g pm2`): a project's default figure would
            # overstate them many times over, and no table sizes them
            return None
    return sum(figure(f"{tool}-cache:default") or 0 for tool in tools) or None


def _mount(dockerfile, instruction, call) -> str:
    """The folder to mount a cache on: the tool's, or for Yarn 1 run as a named user other
    than root, that user's `~/.cache/yarn`."""
    user = user_in_effect(dockerfile, instruction)
    if call.name != "yarn" or runs_as_root(dockerfile, instruction) or not user or "$" in user or user.isdigit():
        return call.tool.mount
    return f"/home/{user}/.cache/yarn"


def _installs(call) -> bool:
    """Whether the command installs packages with npm or yarn (`yarn` alone does)."""
    if call.name == "npm":
        return call.action in ("install", "ci")
    return call.name == "yarn" and call.action in ("install", "add")


class _Run:
    """What one RUN's commands say about the commands before a given one, each found in
    one pass over the RUN when first asked: asking per install by rescanning the RUN made
    a long RUN of installs quadratic."""

    __slots__ = ("_dockerfile", "_instruction", "_commands", "_found")

    def __init__(self, dockerfile, instruction):
        self._dockerfile = dockerfile
        self._instruction = instruction
        self._commands = instruction.script.commands
        self._found: dict[tuple[str, str], int] = {}

    def _first(self, key, compute) -> int:
        if key not in self._found:
            self._found[key] = compute()
        return self._found[key]

    def berry(self, index) -> bool:
        """Whether Yarn 2+ may be the `yarn` that the command at `index` runs."""
        if self._first(("berry", "before"), lambda: _berry_before(self._dockerfile, self._instruction)):
            return True
        return self._first(("berry", "command"), lambda: _first_index(self._commands, _berry_command)) <= index

    def cd_into_bind_before(self, index) -> bool:
        return self._first(("cd", "bind"), lambda: _first_cd_into_bind(self._instruction)) < index


def _first_index(commands, predicate) -> int:
    """The position of the first command for which `predicate` holds, else len(commands)."""
    return next((position for position, command in enumerate(commands) if predicate(command)), len(commands))


def _in_bind_mount(run, index, call) -> bool:
    """A local install run after `cd` into a bind mount: its `node_modules` vanish with the
    mount, so the cache is the RUN's only lasting product (a deliberate cache warm-up)."""
    if call.has("-g", "--global") or call.verb == "global":
        return False
    return run.cd_into_bind_before(index)


def _first_cd_into_bind(instruction) -> int:
    commands = instruction.script.commands
    binds = [m.get("target", "").rstrip("/") for m in mounts(instruction) if m.get("type") == "bind" and m.get("target")]
    if not binds:
        return len(commands)

    def into_bind(command) -> bool:
        if command.name != "cd" or len(command.words) <= 1:
            return False
        target = expand(command.words[1].text, instruction.scope).rstrip("/")
        return any(target == bind or target.startswith(bind + "/") for bind in binds)

    return _first_index(commands, into_bind)


def _berry_before(dockerfile, instruction) -> bool:
    """Whether Yarn 2+ may be the `yarn` of this RUN before any of its own commands says so
    (see the docstring): from earlier instructions of the stage's lineage or its scope."""
    stage = dockerfile.stage_of(instruction)
    earlier = [
        i
        for ancestor in (dockerfile.lineage(stage) if stage else [])
        for i in ancestor.instructions
        if i.index < instruction.index
    ]
    for item in earlier:
        if item.keyword in ("COPY", "ADD") and _copies_berry_files(item):
            return True
        if item.keyword in ("ENV", "ARG") and any(name.upper() in yarn.BERRY_VARIABLES for name in _names(item)):
            return True
        if item.keyword == "RUN" and any(_berry_command(c) for c in item.script.commands):
            return True
    return any(name in yarn.BERRY_VARIABLES for name in instruction.scope)


def _berry_command(command) -> bool:
    if command.name == "corepack":
        return True
    call = tool_call(command)
    if call is None or call.name != "yarn":
        return False
    if call.has(*yarn.BERRY_OPTIONS):
        return True
    rest = [word.text for word in call.arguments] if call.index >= 0 else []
    if call.verb == "set" and rest[:1] == ["version"]:
        return not (len(rest) > 1 and (rest[1] == "classic" or rest[1].startswith("1")))
    if call.verb == "policies" and rest[:1] == ["set-version"]:
        return not (len(rest) > 1 and rest[1].startswith("1"))
    return call.verb == "dlx" or (call.verb == "workspaces" and rest[:1] == ["focus"])


def _copies_berry_files(instruction) -> bool:
    words = [unquote(word) for word in split_words(instruction.args)]
    sources = words[:-1] if len(words) > 1 else []
    return any(
        source.rstrip("/").rsplit("/", 1)[-1] in yarn.BERRY_FILES for source in sources
    )


def _names(instruction) -> list[str]:
    return [name for name, _value in assignments(instruction.keyword, instruction.args)]


def _context_copied(dockerfile, instruction) -> bool:
    """Whether the stage (or a stage it is built FROM) copied the whole build context
    before `instruction`: it may have brought a `.yarnrc.yml`."""
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return False
    for ancestor in dockerfile.lineage(stage):
        for item in ancestor.instructions:
            if item.index >= instruction.index or item.keyword not in ("COPY", "ADD") or item.flag("from"):
                continue
            words = [unquote(word) for word in split_words(item.args)]
            if any(source in (".", "./") for source in words[:-1]):
                return True
    return False
