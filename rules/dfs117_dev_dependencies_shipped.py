"""Development dependencies are installed into an image that ships.

## What it does
Flags a `RUN` in a stage that ships when it installs a project's development
dependencies:

- `pip install` (also `uv pip install`) of a requirements file whose name has a `dev`,
  `test`, `tests`, `testing`, `lint` or `docs` part, split on `-`, `_` and `.` in the
  file name or its folder (`requirements-dev.txt`, `requirements/test.txt`,
  `test_requirements.txt`), of extras so named (`.[dev,test]`, `-e '.[docs]'`), or of a
  dependency group so named (`--group test`);
- `uv sync` without `--no-dev` (or `--only-group`, `--no-default-groups`, `--no-group
  dev`, `UV_NO_DEV`);
- `poetry install` (or `poetry sync`) without `--only main`/`--only=main`, `--without
  dev`, `--no-dev` or `--only-root`;
- `pipenv install --dev` (or `-d`, `--categories dev-packages`, `PIPENV_DEV`);
- `pdm install`/`pdm sync` without `--prod`;
- `npm ci`, `npm install` with no package names, without `--omit=dev`/`--omit dev`,
  `--production` or `--only=prod`, and with no `NODE_ENV=production` where it runs
  (`ENV`, an `ARG` default, `export`, or `NODE_ENV=production npm ci`);
- `yarn`/`yarn install` without `--production`, `pnpm install` without `--prod`/`-P`
  (both also honour `NODE_ENV=production`);
- `bundle install` when the `without` setting (`BUNDLE_WITHOUT`, `--without`, or `bundle
  config set without ...` earlier) does not name both `development` and `test`.

An option that asks for development dependencies wins over one that leaves them out
(`npm ci --include=dev` with `NODE_ENV=production`, `uv sync --no-dev --group test`).

## Why is this bad?
Test runners, linters, type checkers, bundlers and their dependencies often weigh more
than the application itself (a TypeScript or Jest tree is hundreds of megabytes), and
every one of them is code an attacker can use once inside the container, and a CVE
scanners report against the image. None of it runs in production.

## Example
    FROM node:22-slim
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    CMD ["node", "server.js"]

## Use instead
    RUN npm ci --omit=dev

When the image builds the application first (`npm run build`, `tsc`, `vite build`), the
build needs the development dependencies: build in a builder stage and install only the
production ones in the shipped stage:

    FROM node:22-slim AS build
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    RUN npm run build

    FROM node:22-slim
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci --omit=dev
    COPY --from=build /app/dist ./dist
    CMD ["node", "dist/server.js"]

## Fix
Unsafe (the image no longer has the development tools): inserts the production flag
after the subcommand (`--omit=dev`, `--no-dev`, `--only main`, `--prod`,
`--production`; for npm on a `node` base older than 15, whose npm 6 ignores `--omit`,
`--production`), writes `BUNDLE_WITHOUT=development:test` before `bundle install`, or
drops `--dev` from `pipenv install`. A RUN with several such installs (`if [ -f
yarn.lock ]; then yarn install; else pnpm install; fi`) is one finding that names them
all, and its fix changes them all or, when one of them has no fix, none. No fix when a build step follows the install in the
stage or a stage built `FROM` it (a project script: `npm run`, `yarn build`, `pnpm
test`, `npx`, `poetry run`, `uv run`, `bundle exec`; or a development tool: `tsc`, `vite`,
`next`, `webpack`, `jest`, `pytest`, `mkdocs`, `rake`...), nor when the call already sets
which groups it installs (`poetry install --without test`) or takes options from a
variable (`uv sync $UV_OPTIONS`), nor for requirements files
and extras (which file holds the runtime requirements is the project's choice), nor for
Yarn 2+ (`--immutable`), which has no `--production`: use `yarn workspaces focus --all
--production`.

## Exemptions
Not flagged when the development dependencies are removed later in the same `RUN`: a
prune that leaves them out (`npm prune --omit=dev`/`--production`, `pnpm prune --prod`,
`yarn workspaces focus --production`), a second install of the same tool that leaves them
out (`uv sync --no-dev`, `npm ci --omit=dev`), or `rm -rf node_modules` after an npm,
yarn or pnpm install. A prune in a later `RUN` does not count: the install's layer
keeps them.

## Scope
Only stages that ship: builder stages and non-shipping targets (`test`, `dev`, `ci`...)
exist to hold development dependencies. This holds for the last stage too when its name
marks it so (it ships by the targets model, yet a last stage `lint` builds a lint
image), and for a target whose command is that of a development environment: a bare
shell, an idle loop (`sleep infinity`), a test runner, dev server or watcher (`pytest`,
`nodemon`, `ng serve`, `--reload`, `--watch`), a project script named so (`npm run dev`,
`yarn test`, `start:watch`), or an entry point script named so
(`docker-entrypoint.dev.sh`): `npm run dev` needs the devDependencies.
A stage that both a shipping and a non-shipping target are built `FROM` is flagged for
the shipping ones, which the finding names. A Dockerfile whose own name or folder marks
it as a development, test or CI image (`Dockerfile.dev`, `test.Dockerfile`,
`docker/dev/Dockerfile`, `.devcontainer/Dockerfile`) is left alone too. `ONBUILD RUN`
triggers are checked in the stage that declares them; only the triggers after one can
be its build step.

## Limits
An install inside a shell branch is flagged like any other: `if [ "$DEV" = true ]; then
npm ci; else npm ci --omit=dev; fi` is flagged even when the build argument is off by
default.

## Options
No settings of its own. Which stages ship follows the targets (`--target NAME`, or
`targets = [...]` in the configuration); an install that must stay, such as a test
image built as the last stage under a shipping name, takes `# dfslim: ignore=DFS117`.

## Savings
What the development dependencies weigh installed, where a file of the build context
names them: the packages of development requirements files (less those of the runtime
requirements files they or the install also read), of development extras
(`[project.optional-dependencies]`), of the groups `uv sync`, `poetry install` and `pdm
install` add by default (`[dependency-groups]` `dev`, `[tool.uv] dev-dependencies`, the
non-optional Poetry groups, PDM's groups), and `Pipfile.lock`'s `develop` packages that
are not `default` ones; with their dependency closure, less what the runtime
dependencies need anyway. PyPI's download sizes (`dfslim.pipcache`; a project the table
lacks counts as its typical file) times the smallest installed-per-downloaded ratio the
build harness measured (`pip-install:per-download-byte`: unpacked files and bytecode).
When a RUN has several such installs (the branches of an `if`), the largest estimate.
Unknown (null) when the build context does not hold such a file, and for npm, Yarn,
pnpm and Bundler, for which dfslim has no package size table.
"""

import bisect
from typing import NamedTuple

from dfslim.api import (
    Edit,
    Fix,
    Meta,
    Severity,
    Violation,
    build_graph,
    dev_dependencies_bytes,
    dev_image,
    dev_name,
    dev_target,
    earlier_in_lineage,
    env_selects,
    insert_option,
    is_rm,
    setting_matches,
    spell,
    tool_call,
    unwrap,
)

META = Meta(
    id="DFS117",
    name="dev-dependencies-shipped",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="unsafe",
)


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        installs = _dev_installs(dockerfile, instruction)
        if installs:
            violation = _violation(dockerfile, instruction, installs)._replace(savings_bytes=_saving(dockerfile, instruction, installs))
            yield violation._replace(targets=_shipping_targets(dockerfile, instruction))


class _Install(NamedTuple):
    """A command of a RUN that installs development dependencies."""

    command: object
    index: int  # in the RUN's commands
    call: object  # its tool_call
    reason: "_Reason"


def _dev_installs(dockerfile, instruction) -> list:
    """Every install in the RUN that brings development dependencies (both branches of
    `if [ -f yarn.lock ]; then yarn install; else pnpm install; fi` count)."""
    found = []
    for index, command in enumerate(instruction.script.commands):
        call = tool_call(command)
        if call is None or not _project_install(call):
            continue
        if dev_image(dockerfile, dockerfile.stage_of(instruction)):
            return []
        reason = _dev_reason(dockerfile, instruction, index, call)
        if reason is not None and not _removed_later(instruction, index, call):
            found.append(_Install(command, index, call, reason))
    return found


def _saving(dockerfile, instruction, installs) -> int | None:
    """The largest estimate of the installs (the branches of an `if` are alternatives:
    their figures do not add up); None when no context file names what they install."""
    known = [dev_dependencies_bytes(dockerfile, instruction, each.index, each.call) for each in installs]
    known = [value for value in known if value is not None]
    return max(known) if known else None


def _shipping_targets(dockerfile, instruction):
    """The targets holding the instruction's stage that are not development images, when
    some are (a `base` that both `app` and a last stage `lint` are built FROM); else None
    (all)."""
    targets = build_graph(dockerfile).targets_of(dockerfile.stage_of(instruction))
    shipping = tuple(target for target in targets if not dev_target(dockerfile, target))
    return shipping if len(shipping) < len(targets) else None


# ---------------------------------------------------------------------------- what installs them


def _project_install(call) -> bool:
    """An install of the project's own dependencies (`npm ci`, `uv sync`, `pip install -r`),
    not of named packages (`npm install left-pad`) nor a global one."""
    tool = call.tool
    if call.action not in tool.project_installs or call.has("-g", "--global"):
        return False
    return not (call.action in tool.named_installs and call.packages)


class _Reason(NamedTuple):
    """Why an install brings development dependencies."""

    detail: str  # what asked for them, as written (`-r requirements-dev.txt`, `.[dev]`); "": the tool's default
    from_options: bool  # asked for by the call's own options only


def _dev_reason(dockerfile, instruction, index, call):
    """A `_Reason` when `call` (at `index` of the RUN) installs development dependencies,
    else None."""
    tool, commands = call.tool, instruction.script.commands
    asked = [setting for setting in tool.dev_options if call.selects((setting,))]
    if asked:
        return _Reason(_spelled_options(call, asked), True)
    variables = [setting for setting in tool.dev_variables if env_selects(instruction, commands, index, (setting,))]
    if variables:
        return _Reason(f"`{variables[0].partition('=')[0]}` is set", False)
    if tool.dev_extras:
        extras = [extra for extra in call.extras if dev_name(extra)]
        if extras:
            return _Reason(f"`[{','.join(extras)}]`", True)
    if not tool.dev_by_default or _production(dockerfile, instruction, index, call):
        return None
    return _Reason("", False)


def _production(dockerfile, instruction, index, call) -> bool:
    """Whether an option, a variable or an earlier `config` setting leaves the
    development dependencies out of this call."""
    tool = call.tool
    if call.selects(tool.production_options):
        return True
    if env_selects(instruction, instruction.script.commands, index, tool.production_variables):
        return True
    return bool(tool.production_config) and _configured(dockerfile, instruction, index, call)


def _spelled_options(call, settings) -> str:
    """The options of `call` that match `settings`, as written (`-r requirements-dev.txt`,
    `--dev`), in a backquoted string."""
    tool = call.tool
    names = {setting.partition("=")[0] for setting in settings}
    valued = {name for name in names if name in tool.value_options or name in tool.list_options}
    found = []
    for use in call.option_words(*valued):
        if any(setting.partition("=")[0] == use.name and setting_matches(setting, use.text) for setting in settings):
            found.append(use.option.text if use.value is None else f"{use.option.text} {use.value.text}")
    flags = names - valued
    found += [word.text for word in call.words[1:] if word.text.split("=", 1)[0] in flags]
    return "`" + " ".join(found) + "`" if found else ""


# ---------------------------------------------------------------------------- config settings


def _configured(dockerfile, instruction, index, call) -> bool:
    """Whether a `config` command of the same tool set a production setting before this
    call: earlier in the RUN, or in an earlier RUN of the stage or one it is built FROM."""
    commands = instruction.script.commands
    if any(_sets_production(command, call) for command in commands[:index]):
        return True
    writers = dockerfile.memo(_config_writers)
    return earlier_in_lineage(dockerfile, instruction, [run for run, names in writers if call.name in names])


def _config_writers(dockerfile):
    """The RUNs with a `config` command that sets a production setting, with the names of
    the tools they configure."""
    found = []
    for run in dockerfile.of("RUN"):
        names = set()
        for command in run.script.commands:
            other = tool_call(command)
            if other is not None and other.setting is not None and _sets_production(command, other):
                names.add(other.name)
        if names:
            found.append((run, names))
    return found


def _sets_production(command, call) -> bool:
    """Whether `command` is `call`'s tool's `config` command setting a production setting."""
    other = tool_call(command)
    if other is None or other.name != call.name or other.setting is None:
        return False
    key, value = other.setting
    for setting in call.tool.production_config:
        wanted_key, equals, wanted = setting.partition("=")
        if key.lower() == wanted_key.lower() and setting_matches(f"{key}={wanted}" if equals else key, value):
            return True
    return False


# ---------------------------------------------------------------------------- removed afterwards


def _removed_later(instruction, index, call) -> bool:
    """Whether a later command of the same RUN removes the development dependencies: a
    prune or an install of the same tool that leaves them out, or `rm` of the folder."""
    commands = instruction.script.commands
    folders = call.tool.dependency_folders
    for position in range(index + 1, len(commands)):
        command = commands[position]
        if folders and is_rm(command) and any(
            word.text.rstrip("/").rsplit("/", 1)[-1] in folders for word in unwrap(command)[1:]
        ):
            return True
        other = tool_call(command)
        if other is None or other.tool.family != call.tool.family:
            continue
        if other.action not in other.tool.prunes and not _project_install(other):
            continue
        if not other.selects(other.tool.dev_options) and (
            other.selects(other.tool.production_options)
            or env_selects(instruction, commands, position, other.tool.production_variables)
        ):
            return True
    return False


# ---------------------------------------------------------------------------- build steps


def _build_step(dockerfile, instruction, index, call):
    """The first command after the install that may need the development dependencies
    (a project script or a development tool, see the docstring), as (instruction,
    command), else None. Looked for in the rest of the RUN, then in the later RUNs of the
    stage and of the stages built FROM it (for a trigger: the later triggers of its stage)."""
    for command in instruction.script.commands[index + 1 :]:
        if _builds(command, call):
            return instruction, command
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return None
    table = dockerfile.memo(_build_steps)
    if call.name not in table:
        table[call.name] = _steps_of(dockerfile, call)
    indexes, steps = table[call.name]
    for later, command in steps[bisect.bisect_right(indexes, instruction.index) :]:
        if later.onbuild != instruction.onbuild:
            continue
        later_stage = dockerfile.stage_of(later)
        if later_stage is stage or (not instruction.onbuild and stage in dockerfile.lineage(later_stage)):
            return later, command
    return None


def _build_steps(_dockerfile) -> dict:
    """A table kept with the file: for each tool, the build steps of its RUNs (see
    `_steps_of`), so that many installs do not rescan the file each."""
    return {}


def _steps_of(dockerfile, call):
    """Every (RUN, command) of the file, in order, that is a build step for `call`'s tool,
    with the list of their RUNs' indexes (to bisect)."""
    steps = [(run, command) for run in dockerfile.of("RUN") for command in run.script.commands if _builds(command, call)]
    return [run.index for run, _command in steps], steps


def _builds(command, call) -> bool:
    if command.name in call.tool.build_programs:
        return True
    words = unwrap(command)
    if words and words[0].text.rsplit("/", 1)[-1] in call.tool.build_programs:
        return True
    other = tool_call(command)
    if other is None or other.tool.ecosystem != call.tool.ecosystem:
        return False
    if other.action == "run":
        return True
    tool = other.tool
    return tool.script_verbs and bool(other.verb) and other.verb not in tool.actions and other.verb not in tool.compound


# ---------------------------------------------------------------------------- the finding


def _violation(dockerfile, instruction, installs):
    """One finding per RUN: it names the first install, and the others after it."""
    first = installs[0]
    violation = _install_violation(dockerfile, instruction, *first)
    if len(installs) == 1:
        return violation
    script = instruction.script
    others = [_named(dockerfile, script, install) for install in installs[1:]]
    message = violation.message + ", and so does " + ", ".join(others)
    fixes = [_fix_of(dockerfile, instruction, install) for install in installs]
    if violation.fix is None or any(fixing is None for fixing in fixes):
        # a fix for one branch only would leave the other installing them
        suggestion = violation.suggestion if violation.fix is None else _no_fix_suggestion(first.call)
        return violation._replace(message=message, suggestion=suggestion, fix=None)
    edits = tuple(edit for edits, _title, _fixed in fixes for edit in edits)
    fixed = " and ".join(f"`{text}`" for _edits, _title, text in fixes)
    suggestion = f"write {fixed}, and install the development dependencies in a `test` or `dev` target built FROM this stage"
    title = "; ".join(title for _edits, title, _fixed in fixes)
    return violation._replace(message=message, suggestion=suggestion, fix=Fix(title, edits, safe=False))


def _named(dockerfile, script, install) -> str:
    """`pnpm install`, or `pip install` (`-r requirements-docs.txt`) with what asked for them."""
    named = "`" + spell(dockerfile.text, script, _subject_words(install.call)) + "`"
    return f"{named} ({install.reason.detail})" if install.reason.detail else named


def _subject_words(call):
    return call.words[: call.index + 1] if call.index >= 0 else call.words[:1]


def _fix_of(dockerfile, instruction, install):
    """The install's fix, or None where a build step follows it or there is none."""
    if _build_step(dockerfile, instruction, install.index, install.call) is not None:
        return None
    return _production_fix(dockerfile, instruction, install.command, install.call, install.reason)


def _install_violation(dockerfile, instruction, command, index, call, reason):
    script = instruction.script
    subject = spell(dockerfile.text, script, _subject_words(call))
    focus = script.span(command)
    if reason.detail:
        message = f"`{subject}` installs development dependencies into the image ({reason.detail})"
    else:
        message = f"`{subject}` installs the development dependencies into the image too"
    fixing = _production_fix(dockerfile, instruction, command, call, reason)
    build = _build_step(dockerfile, instruction, index, call)
    if build is not None:
        where = "later in this RUN" if build[0] is instruction else f"on line {build[0].line}"
        step = spell(dockerfile.text, build[0].script, build[1].words, limit=60)
        production = f" (`{fixing[2]}`)" if fixing else ""
        suggestion = (
            f"the build step {where} (`{step}`) needs them: build in a builder stage "
            f"(`FROM ... AS build`), then install only the production dependencies{production} "
            "in the shipped stage and copy the build output from the builder"
        )
        return Violation(instruction, message, suggestion, focus=focus)
    if fixing:
        edits, title, fixed = fixing
        suggestion = f"write `{fixed}`, and install the development dependencies in a `test` or `dev` target built FROM this stage"
        return Violation(instruction, message, suggestion, fix=Fix(title, edits, safe=False), focus=focus)
    return Violation(instruction, message, _no_fix_suggestion(call), focus=focus)


def _no_fix_suggestion(call) -> str:
    if call.tool.dev_by_default:
        return (
            f"leave the development dependencies out of this install{_flag_hint(call)}, and install "
            "them in a `test` or `dev` target built FROM this stage"
        )
    return (
        "install only the runtime requirements in the shipped stage, and the development ones in a "
        "`test` or `dev` target built FROM it"
    )


def _flag_hint(call) -> str:
    tool = call.tool
    if call.has(*tool.flagless_with):
        return " (Yarn 2+: `yarn workspaces focus --all --production`)"
    if tool.production_flag:
        return f" (`{tool.production_flag}`)"
    if tool.production_assignment:
        return f" (`{tool.production_assignment}`)"
    return ""


def _production_fix(dockerfile, instruction, command, call, reason):
    """(edits, title, the command as it should read) that make this install leave the
    development dependencies out, or None when there is no mechanical fix (see the
    docstring)."""
    script, tool = instruction.script, call.tool
    if not script.shell_form:
        return None
    if not tool.dev_by_default:
        return _drop_dev_flags(dockerfile, script, call, reason)
    if reason.detail or call.names_any(tool.production_options + tool.dev_options) or call.has(*tool.flagless_with):
        return None
    if any("$" in word.text for word in call.words[1:]):
        return None  # options from a variable (`uv sync $UV_OPTIONS`) may already choose the groups
    flag = _production_flag(dockerfile, instruction, tool)
    if flag:
        anchor, position = (call.word, call.index) if call.index >= 0 else (call.words[0], 0)
        fixed = spell(dockerfile.text, script, call.words, position, flag)
        return (insert_option(script, anchor, flag),), f"Insert `{flag}`", fixed
    if tool.production_assignment and command.words[0] == call.words[0]:  # not behind `sudo`, `env`...
        program = call.words[0]
        fixed = f"{tool.production_assignment} " + spell(dockerfile.text, script, call.words)
        edit = Edit(program.start, program.start, tool.production_assignment + " ")
        return (edit,), f"Set `{tool.production_assignment}` on the command", fixed
    return None


def _production_flag(dockerfile, instruction, tool) -> str:
    """The flag that leaves the development dependencies out, for the version the stage's
    base image ships (npm before 7, on Node.js before 15, ignores `--omit=dev`)."""
    if tool.older_production_flag:
        family, first_major, older = tool.older_production_flag
        major = _base_major(dockerfile, instruction, family)
        if major is not None and major < first_major:
            return older
    return tool.production_flag


def _base_major(dockerfile, instruction, family):
    """The major version of the stage's base image when it is `family` (`node:6-alpine` ->
    6), else None."""
    from dfslim.images import lookup
    from dfslim.savings import stage_base

    image = stage_base(dockerfile, instruction)
    info = lookup(image) if image else None
    if info is None or info.family != family or not info.version:
        return None
    major = info.version.split(".", 1)[0]
    return int(major) if major.isdigit() else None


def _drop_dev_flags(dockerfile, script, call, reason):
    """`pipenv install --dev` -> `pipenv install`: remove the flags that ask for the
    development packages, when only such flags (no option value, no variable) do."""
    if not reason.from_options:
        return None
    tool, words = call.tool, call.words
    flags = frozenset(setting for setting in tool.dev_options if "=" not in setting)
    if any(call.selects((setting,)) for setting in tool.dev_options if setting not in flags):
        return None
    drop = [i for i in range(1, len(words)) if words[i].text in flags]
    if not drop:
        return None
    edits = tuple(Edit(words[i - 1].end, words[i].end, "") for i in drop)
    fixed = spell(dockerfile.text, script, [word for i, word in enumerate(words) if i not in drop])
    return edits, f"Drop `{words[drop[0]].text}`", fixed
