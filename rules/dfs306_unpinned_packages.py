"""Packages installed without a version: every build may install something else.

## What it does
Flags a `RUN` that installs packages by name only, without a version, with `apt-get`/`apt`
`install`, `apk add`, `pip install` (also `pip3`, `python -m pip`, `uv pip install`),
`npm install` (`npm i`, `npm add`) or `gem install`. Off by default: select it with
`--select DFS306` (or `unpinned-packages`) or in the configuration.

## Why is this bad?
An unpinned install takes whatever version the index has on the day of the build: two
builds of the same Dockerfile differ, a new release can break the image without any
change on your side, and a rollback rebuilds something else than what ran before.

## Example
    RUN apt-get install -y --no-install-recommends curl
    RUN pip install --no-cache-dir flask gunicorn
    RUN npm install -g pnpm

## Use instead
    RUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
    RUN pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0
    RUN npm install -g pnpm@9.12.0

or install from a file that pins them: `pip install -r requirements.txt` (with `==`
pins or hashes), `npm ci` with a lockfile, `bundle install` with a `Gemfile.lock`.

## What counts as pinned
- apt: `pkg=version` (a `pkg/release` only picks a distribution release).
- apk: `pkg=version`, `pkg~version`, `pkg>version`, `pkg<version`. The suggestion gives
  the fuzzy `pkg~version`: Alpine keeps only the newest build of a package in a branch,
  so an exact pin stops installing when the package is rebuilt.
- pip: any version specifier (`==`, `~=`, `>=`, `<`, `!=`, `===`) or a direct reference
  (`pkg @ https://...`); requirements files (`-r`) count as pinned, and a constraints file
  (`-c constraints.txt`, `--constraint`, or `PIP_CONSTRAINT`/`UV_CONSTRAINT` set) pins
  every package the command names (`pip install flask -c constraints.txt`).
- npm: `pkg@version` or a range; `pkg@latest` is not a pin. `npm install` without
  package names installs from `package.json` and the lockfile.
- gem (`gem install`, `gem i`): `gem install pkg -v 1.2`, `--version`, `pkg:1.2`. A
  `true`/`false` right after a long option is that option's value, not a gem
  (`gem install bundler:2.0.1 --use-system-libraries true`).

Never flagged: local files, paths and URLs (`./app.deb`, `.`, `dist/*.whl`,
`git+https://...`, `./pkg.tgz`, an npm tarball `package-v1.2.3.tar`), editable installs (`-e .`), names held in variables
(`$PACKAGES`), `yarn`/`pnpm` (they install from lockfiles).
"""

import re

from dfslim.api import Meta, Severity, Violation, env_value, tool_call
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS306",
    name="unpinned-packages",
    category="correctness",
    severity=Severity.INFO,
    scope="all",
    fix=None,
    enabled=False,
    others=("hadolint DL3008/3013/3016/3018/3028",),
)

PIP_PIN = lazy_compile(r"(===?|~=|>=?|<=?|!=|@)")
ARCHIVE = lazy_compile(r"\.(whl|tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|zip|deb|apk|gem|rpm)$", re.IGNORECASE)
# a constraints file pins whatever the command names (pip and `uv pip`)
CONSTRAINT_OPTIONS = ("-c", "--constraint", "--constraints")
CONSTRAINT_VARIABLES = ("PIP_CONSTRAINT", "UV_CONSTRAINT")
SWITCH_VALUES = frozenset({"true", "false"})  # the value of the option before it, not a gem
# apk: a fuzzy pin (`~1.2`): Alpine keeps only the newest build of a package per branch, so
# an exact `=1.2.3-r0` stops installing at its next rebuild
PIN_EXAMPLE = {"apt": "{}=<version>", "apk": "{}~<version>", "pip": "{}==<version>", "npm": "{}@<version>", "gem": "{} -v <version>"}


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        found: list[tuple[str, str]] = []
        focus = None
        commands = instruction.script.commands
        for index, command in enumerate(commands):
            tool, names = _unpinned(command)
            if tool == "pip" and names and _constrained(instruction, commands, index):
                continue
            if names and focus is None:
                focus = instruction.script.span(command)
            for name in names:
                if (tool, name) not in found:
                    found.append((tool, name))
        if not found:
            continue
        names = ", ".join(f"`{name}`" for _, name in found[:8]) + (", ..." if len(found) > 8 else "")
        examples = ", ".join(f"`{PIN_EXAMPLE[tool].format(_bare(tool, name))}`" for tool, name in found[:4])
        examples += ", ..." if len(found) > 4 else ""
        tools = sorted({tool for tool, _ in found})
        extra = ""
        if "pip" in tools:
            extra = " (or install from a requirements file with pinned versions: `pip install -r requirements.txt`)"
        elif "npm" in tools:
            extra = " (or install from `package.json` with a lockfile: `npm ci`)"
        elif "apk" in tools:
            extra = " (`~` keeps the version and takes the branch's rebuilds: an exact `=` pin breaks at the next one)"
        yield Violation(
            instruction,
            f"{'package' if len(found) == 1 else 'packages'} installed without a version: {names}",
            f"pin {'it' if len(found) == 1 else 'them'}: {examples}{extra}",
            focus=focus,
        )


def _constrained(instruction, commands, index) -> bool:
    """Whether a constraints file pins the packages of a pip install: `-c constraints.txt`,
    or `PIP_CONSTRAINT`/`UV_CONSTRAINT` set where it runs."""
    call = tool_call(commands[index])
    if call.values(*CONSTRAINT_OPTIONS):
        return True
    return any(env_value(instruction, commands, index, name) for name in CONSTRAINT_VARIABLES)


def _bare(tool: str, name: str) -> str:
    """The name to pin: `curl/bookworm-backports` -> `curl`, `typescript@latest` -> `typescript`."""
    if tool == "apt":
        return name.split("/", 1)[0]
    if tool == "npm" and "@" in name[1:]:
        return name[0] + name[1:].split("@", 1)[0]
    return name


def _unpinned(command) -> tuple[str, list[str]]:
    action = tool_call(command)
    if action is None:
        return "", []
    if action.name == "apt" and action.verb == "install":
        return "apt", [w.text for w in action.packages if _named(w.text) and "=" not in w.text]
    if action.name == "apk" and action.action == "install":
        return "apk", [w.text for w in action.packages if _named(w.text) and not re.search(r"[=~<>]", w.text)]
    if action.name in ("pip", "uv pip") and action.action == "install":
        return "pip", _pip(action)
    if action.name == "npm" and action.action == "install":
        return "npm", _npm(action)
    if action.name == "gem" and action.action == "install":
        return "gem", _gem(action)
    return "", []


def _named(text: str) -> bool:
    """A package given by name (not a path, URL, file or variable)."""
    return bool(text) and not (
        text.startswith((".", "/", "~", "$"))
        or "$" in text
        or "://" in text
        or ARCHIVE.search(text)
        or any(char in text for char in "*?`")
    )


def _pip(call) -> list[str]:
    packages = [word.text for word in call.packages]
    found = []
    for position, text in enumerate(packages):
        if text == "--" or not _named(text) or "/" in text or text.startswith("git+"):
            continue
        if PIP_PIN.search(text) or text.endswith(";"):
            continue
        if packages[position + 1 : position + 2] and packages[position + 1].startswith(("==", "~=", ">=", "<=", "!=", "@", "<", ">")):
            continue  # `flask ==3.0` written apart
        found.append(text)
    return found


def _npm(call) -> list[str]:
    found = []
    for word in call.packages:
        text = word.text
        if not _named(text) or text.startswith(("git+", "git@", "github:", "file:", "http:", "https:", "npm:")):
            continue
        name, at, version = text[1:].partition("@") if text.startswith("@") else text.partition("@")
        if text.startswith("@") and "/" not in text:
            continue  # not a package name
        if not at and "/" in text and not text.startswith("@"):
            continue  # `user/repo`: a GitHub shorthand
        if at and version not in ("", "latest", "*", "x"):
            continue
        found.append(text)
    return found


def _gem(call) -> list[str]:
    texts = [word.text for word in call.arguments]
    if "--" in texts:
        texts = texts[: texts.index("--")]
    if any(t in ("-v", "--version") or t.startswith("--version=") for t in texts):
        return []
    # what follows `--` is passed to the gem's build, not a gem
    words = call.words
    dashes = next((index for index, word in enumerate(words) if word.text == "--"), len(words))
    gems = {id(word) for word in call.packages}
    return [
        w.text
        for position, w in enumerate(words[:dashes])
        if id(w) in gems and _named(w.text) and ":" not in w.text and not _option_value(words, position)
    ]


def _option_value(words, position) -> bool:
    """`true` in `gem install x --some-option true`: the value of the long option before it."""
    before = words[position - 1].text if position > 0 else ""
    return words[position].text.lower() in SWITCH_VALUES and before.startswith("--") and "=" not in before
