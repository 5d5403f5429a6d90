"""A package is installed in editable mode into an image that ships.

## What it does
Flags a `RUN` in a stage that ships when it runs `pip install -e` / `--editable` (also
`pip3`, `python -m pip`, `-e.`, `--editable=.`) or `uv pip install -e`.

## Why is this bad?
An editable install does not install the package: it leaves a link (a `.pth` file or an
import hook) that points at the source folder. The whole source tree then has to ship
with the image (tests, docs and build files included), the package's metadata names a
path of the build context, and the application breaks as soon as that folder is moved,
cleaned or mounted over. Editable installs exist so that edits show up without a
reinstall during development; an image is never edited.

## Example
    COPY . /app
    RUN pip install --no-cache-dir -e /app

## Use instead
    COPY . /app
    RUN pip install --no-cache-dir /app

or build a wheel in a builder stage and install only the wheel in the shipped stage.

## Fix
Unsafe (code that reads files next to its sources, or a `src/` checkout of a VCS
requirement, may behave differently): drops the `-e` (`pip install -e .` becomes `pip
install .`, `--editable=git+https://...` becomes `git+https://...`). No fix in exec form
or when the option is quoted.

## Scope
Only stages that ship: builder stages and non-shipping targets (`dev`, `test`...) are
where editable installs belong, the last stage included when its name marks it so or
its command is that of a development environment (a bare shell, `pytest`, a server run
with `--reload`: see DFS117), and
a Dockerfile whose own name or folder marks it as a development image
(`Dockerfile.dev`, `docker/dev/Dockerfile`, `.devcontainer/Dockerfile`) is left alone.
`uv sync` and `poetry install`, which install the project itself in editable mode by
default, are not flagged: the rule is about an explicit `-e`. An install inside a shell
branch (`if [ "$DEV" = true ]; then pip install -e .; fi`) is flagged like any other.

## Savings
None (`savings_bytes` is null): what the source tree holds beyond the package is not
known from the Dockerfile.

## Options
No settings of its own. Which stages ship follows the targets (`--target NAME`, or
`targets = [...]` in the configuration); a deliberate editable install (an image whose
users edit the mounted source) takes `# dfslim: ignore=DFS118`.
"""

from dfslim.api import Edit, Fix, Meta, Severity, Violation, dev_image, spell, tool_call

META = Meta(
    id="DFS118",
    name="editable-install",
    category="size",
    severity=Severity.INFO,
    scope="final",
    fix="unsafe",
)

INSTALLERS = frozenset({"pip", "uv pip"})
EDITABLE = ("-e", "--editable")


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        script = instruction.script
        for command in script.commands:
            call = tool_call(command)
            if call is None or call.name not in INSTALLERS or call.action != "install":
                continue
            editables = call.option_words(*EDITABLE)
            if not editables:
                continue
            if dev_image(dockerfile, dockerfile.stage_of(instruction)):
                break
            yield _violation(dockerfile, instruction, command, call, editables)
            break  # one finding per instruction


def _violation(dockerfile, instruction, command, call, editables):
    script = instruction.script
    edits = [_drop(dockerfile.text, use) for use in editables] if script.shell_form else [None]
    kept = _without_option(call, editables)
    fixed = spell(dockerfile.text, script, kept)
    fix = Fix("Drop `-e`: install the package itself", tuple(edits), safe=False) if None not in edits else None
    target = editables[0].text or "."
    return Violation(
        instruction,
        f"`{target}` is installed in editable mode: the image holds a link to its source tree, not the package",
        f"write `{fixed}`, or build a wheel in a builder stage and install that",
        fix=fix,
        focus=script.span(command),
    )


def _drop(text, use):
    """The edit removing the `-e` of one occurrence (an `OptionUse`), or None when its
    source is not written plainly (`"-e" .`, `'--editable=.'`)."""
    option = use.option
    raw = text[option.start : option.end]
    if use.value is not None:
        return Edit(option.start, use.value.start, "") if raw == option.text else None
    prefix = _prefix(use)
    return Edit(option.start, option.start + len(prefix), "") if raw.startswith(prefix) else None


def _without_option(call, editables):
    """The call's words with the `-e` options removed (their values kept), for the suggestion."""
    kept = []
    for word in call.words:
        use = next((use for use in editables if word is use.option), None)  # by identity: exec-form words share offsets
        if use is None:
            kept.append(word)
        elif use.value is None:  # an attached value: keep it as its own word
            prefix = _prefix(use)
            kept.append(word._replace(text=word.text[len(prefix) :], start=word.start + len(prefix)))
    return kept


def _prefix(use) -> str:
    """What precedes an attached value: `--editable=`, `-e`."""
    return use.name + "=" if use.name.startswith("--") else use.name
