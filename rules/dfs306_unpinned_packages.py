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
- apk: `pkg=version`, `pkg~version`, `pkg>version`, `pkg<version`.
- pip: any version specifier (`==`, `~=`, `>=`, `<`, `!=`, `===`) or a direct reference
  (`pkg @ https://...`); requirements and constraints files (`-r`, `-c`) count as pinned.
- npm: `pkg@version` or a range; `pkg@latest` is not a pin. `npm install` without
  package names installs from `package.json` and the lockfile.
- gem: `gem install pkg -v 1.2`, `--version`, `pkg:1.2`.

Never flagged: local files, paths and URLs (`./app.deb`, `.`, `dist/*.whl`,
`git+https://...`, `./pkg.tgz`), editable installs (`-e .`), names held in variables
(`$PACKAGES`), `yarn`/`pnpm` (they install from lockfiles).
"""

import re

from dfslim.api import Meta, Severity, Violation
from dfslim.regex import lazy_compile
from dfslim.shell import package_action, package_arguments, unwrap

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

NPM_INSTALLS = frozenset({"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add"})
PIP_VALUE_OPTIONS = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src",
    "--platform", "--python-version", "--implementation", "--abi", "--trusted-host",
    "--upgrade-strategy", "--progress-bar", "--only-binary", "--no-binary", "-C",
    "--config-settings", "--global-option", "--install-option", "--report", "--cache-dir",
    "--log", "--proxy", "--retries", "--timeout", "--exists-action", "--root-user-action",
    "--python", "-p", "--cert", "--client-cert", "--index", "--default-index", "--extra-index",
    "--keyring-provider", "--resolution", "--prerelease", "--index-strategy", "--link-mode",
    "--refresh-package", "--reinstall-package", "--no-build-package", "--no-binary-package",
    "--only-binary-package", "--exclude-newer", "--constraints", "--overrides", "--group",
    "--extra", "--build-constraints", "--torch-backend",
})
NPM_VALUE_OPTIONS = frozenset({"--prefix", "-C", "--cache", "--registry", "--userconfig", "--globalconfig", "--loglevel", "-w", "--workspace", "--tag", "--omit", "--include", "--install-strategy"})
GEM_VALUE_OPTIONS = frozenset({"-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-P", "--trust-policy", "--platform", "-g", "--file", "--build-root", "--document", "--bulk-threshold", "-p", "--http-proxy", "--config-file"})
PIP_PIN = lazy_compile(r"(===?|~=|>=?|<=?|!=|@)")
ARCHIVE = lazy_compile(r"\.(whl|tar\.gz|tgz|tar\.bz2|zip|deb|apk|gem|rpm)$", re.IGNORECASE)
PIN_EXAMPLE = {"apt": "{}=<version>", "apk": "{}=<version>", "pip": "{}==<version>", "npm": "{}@<version>", "gem": "{} -v <version>"}


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        found: list[tuple[str, str]] = []
        for command in instruction.script.commands:
            tool, names = _unpinned(command)
            for name in names:
                if (tool, name) not in found:
                    found.append((tool, name))
        if not found:
            continue
        names = ", ".join(f"`{name}`" for _, name in found[:8]) + (", ..." if len(found) > 8 else "")
        examples = ", ".join(f"`{PIN_EXAMPLE[tool].format(_bare(tool, name))}`" for tool, name in found[:4])
        tools = sorted({tool for tool, _ in found})
        extra = ""
        if "pip" in tools:
            extra = " (or install from a requirements file with pinned versions: `pip install -r requirements.txt`)"
        elif "npm" in tools:
            extra = " (or install from `package.json` with a lockfile: `npm ci`)"
        yield Violation(
            instruction,
            f"{'package' if len(found) == 1 else 'packages'} installed without a version: {names}",
            f"pin {'it' if len(found) == 1 else 'them'}: {examples}{extra}",
        )


def _bare(tool: str, name: str) -> str:
    """The name to pin: `curl/bookworm-backports` -> `curl`, `typescript@latest` -> `typescript`."""
    if tool == "apt":
        return name.split("/", 1)[0]
    if tool == "npm" and "@" in name[1:]:
        return name[0] + name[1:].split("@", 1)[0]
    return name


def _unpinned(command) -> tuple[str, list[str]]:
    words = unwrap(command)
    if not words:
        return "", []
    if words[0].text.rsplit("/", 1)[-1] == "gem":
        return "gem", _gem(words)
    action = package_action(command)
    if action is None:
        return "", []
    if action.tool == "apt" and action.action == "install":
        return "apt", [w.text for w in package_arguments(action) if _named(w.text) and "=" not in w.text]
    if action.tool == "apk" and action.action == "add":
        return "apk", [w.text for w in package_arguments(action) if _named(w.text) and not re.search(r"[=~<>]", w.text)]
    if action.tool in ("pip", "uv pip") and action.action == "install":
        return "pip", _pip(action.words[action.index + 1 :])
    if action.tool == "npm" and action.action in NPM_INSTALLS:
        return "npm", _npm(action.words[action.index + 1 :])
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


def _pip(words) -> list[str]:
    found, index = [], 0
    while index < len(words):
        text = words[index].text
        index += 1
        if text == "--":
            continue
        if text.startswith("-"):
            if text in PIP_VALUE_OPTIONS:
                index += 1
            continue
        if not _named(text) or "/" in text or text.startswith("git+"):
            continue
        if PIP_PIN.search(text) or text.endswith(";"):
            continue
        if index < len(words) and words[index].text.startswith(("==", "~=", ">=", "<=", "!=", "@", "<", ">")):
            continue  # `flask ==3.0` written apart
        found.append(text)
    return found


def _npm(words) -> list[str]:
    found, index = [], 0
    while index < len(words):
        text = words[index].text
        index += 1
        if text.startswith("-"):
            if text in NPM_VALUE_OPTIONS:
                index += 1
            continue
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


def _gem(words) -> list[str]:
    index, _ = 1, None
    while index < len(words) and words[index].text.startswith("-"):
        index += 1
    if index >= len(words) or words[index].text != "install":
        return []
    rest = words[index + 1 :]
    texts = [w.text for w in rest]
    if "--" in texts:
        texts = texts[: texts.index("--")]
    if any(t in ("-v", "--version") or t.startswith("--version=") for t in texts):
        return []
    found, index = [], 0
    while index < len(texts):
        text = texts[index]
        index += 1
        if text.startswith("-"):
            if text in GEM_VALUE_OPTIONS:
                index += 1
            continue
        if not _named(text) or ":" in text:
            continue
        found.append(text)
    return found
