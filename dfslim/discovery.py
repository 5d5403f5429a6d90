"""Which files a run lints: the files named on the command line, and the Dockerfiles a
folder search finds.

A folder search looks for the names BuildKit, Podman and pre-commit's `dockerfile` type
take for Dockerfiles (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`,
`Containerfile`, `Containerfile.*`, `*.Containerfile`), less the names that only look
like one: `Dockerfile.dockerignore` (BuildKit's per-Dockerfile ignore file), documents
(`Dockerfile.md`), templates (`Dockerfile.j2`) and backups. It skips version-control and
tool folders, virtual environments, what the configuration's `exclude` names and, unless
told not to, what `.gitignore` ignores: git itself answers inside a git work tree
(`git check-ignore`, so tracked files and `.git/info/exclude` count as git counts them);
elsewhere the `.gitignore` files under the searched folder are read. A file named on the
command line is always linted, whatever its name.
"""


import os
import re
from typing import NamedTuple

from dfslim.regex import lazy_compile

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"})
# `[^/]` rather than `.`: a name with a newline is still a Dockerfile (it gets a warning)
NAME_RE = lazy_compile(r"(?:[^/]*\.)?(?:Dockerfile|Containerfile)(?:\.[^/]*)?|[^/]*\.(?:dockerfile|containerfile)")
# suffixes of files named like Dockerfiles that are not ones (.pre-commit-hooks.yaml has the same list)
NOT_DOCKERFILE_SUFFIXES = (
    "dockerignore", "md", "markdown", "rst", "txt", "adoc", "html", "pdf", "png", "svg",
    "json", "yml", "yaml", "toml", "sh", "py", "lock", "j2", "jinja", "jinja2", "tpl",
    "tmpl", "template", "tmp", "bak", "orig", "rej", "swp", "patch", "diff",
)
NOT_DOCKERFILE_RE = lazy_compile(r"[^/]*\.(?:" + "|".join(NOT_DOCKERFILE_SUFFIXES) + ")", re.IGNORECASE)
ODD_CHARACTER_RE = lazy_compile(r"[\x00-\x1f\x7f]")


class Target(NamedTuple):
    """A file to lint, or a path that cannot be linted (`error`, one line)."""

    path: str
    walked: bool = False  # found by a folder search, not named on the command line
    error: str | None = None


def is_dockerfile_name(name: str) -> bool:
    """Whether a folder search lints a file of this name."""
    return bool(NAME_RE.fullmatch(name)) and not NOT_DOCKERFILE_RE.fullmatch(name)


def odd_name(path: str) -> bool:
    """Whether a path holds a newline or another control character."""
    return bool(ODD_CHARACTER_RE.search(path))


def discover(paths, configs=None, gitignore: bool = True) -> list[Target]:
    """The targets of `paths`, in order. With `configs`, folder searches skip what the
    configuration's `exclude` names; with `gitignore`, what `.gitignore` ignores."""
    found: list[Target] = []
    for path in paths:
        if path == "-" or os.path.isfile(path):
            found.append(Target(path))
        elif os.path.isdir(path):
            excluded: list[str] = []
            inside = [Target(each, walked=True) for each in sorted(search(path, configs, excluded, gitignore))]
            if not inside and not excluded:
                inside = [Target(path, error=f"{path}: no Dockerfile found in this folder")]
            found.extend(inside)
        elif os.path.lexists(path):
            found.append(Target(path, error=f"{path}: not a regular file"))
        else:
            found.append(Target(path, error=f"{path}: no such file or folder"))
    return found


def search(folder: str, configs=None, excluded=None, gitignore: bool = True) -> list[str]:
    """The Dockerfiles under `folder`; what is left out by `exclude` goes to `excluded`."""
    reader = None
    if gitignore and git_work_tree(folder) is None:
        reader = GitignoreReader(folder)
    found = []
    for root, dirs, files in os.walk(folder):
        settings = configs.settings_in(root) if configs is not None else None

        def skip(name: str, is_dir: bool) -> bool:
            path = os.path.join(root, name)
            if settings is not None and settings.excludes(path):
                if excluded is not None:
                    excluded.append(path)
                return True
            return reader is not None and reader.ignores(path, is_dir)

        if reader is not None:
            reader.enter(root)
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not os.path.exists(os.path.join(root, d, "pyvenv.cfg")) and not skip(d, True)]
        for name in files:
            if is_dockerfile_name(name) and not skip(name, False):
                path = os.path.join(root, name)
                found.append(path[2:] if folder == "." and path.startswith("." + os.sep) else path)
    if gitignore and reader is None and found:
        ignored = git_ignored(folder, [folder, *found])
        if folder not in ignored:  # a folder named though git ignores it: searched as it is
            found = [path for path in found if path not in ignored]
    return found


def git_work_tree(folder: str) -> str | None:
    """The top of the git work tree `folder` is in; None outside one, or without git."""
    import subprocess

    try:
        done = subprocess.run(["git", "-C", folder, "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def git_ignored(folder: str, paths: list[str]) -> set[str]:
    """Which of `paths` (under `folder`) git ignores; none when git cannot tell."""
    import subprocess

    absolute = {os.path.abspath(path): path for path in paths}
    listing = b"".join(os.fsencode(path) + b"\0" for path in absolute)
    try:
        done = subprocess.run(["git", "-C", folder, "check-ignore", "--stdin", "-z"], input=listing, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode not in (0, 1):  # 1: nothing ignored; other: git could not answer
        return set()
    answered = (os.path.abspath(os.path.join(folder, os.fsdecode(item))) for item in done.stdout.split(b"\0") if item)
    return {absolute[path] for path in answered if path in absolute}


class _Rule(NamedTuple):
    base: str  # the folder of the .gitignore, absolute
    regex: re.Pattern | None
    negated: bool
    folders_only: bool


class GitignoreReader:
    """`.gitignore` files read as git reads them, for a folder outside any git work tree:
    a pattern without a `/` (but a trailing one) matches a name at any depth below its
    file's folder, one with a `/` is anchored there, a trailing `/` matches folders only,
    `!` re-includes, the last match wins and deeper files win over higher ones. An ignored
    folder is not searched, so nothing in it can be re-included (git's rule too)."""

    def __init__(self, top: str):
        self.top = os.path.abspath(top)
        self.rules: dict[str, list[_Rule]] = {}  # folder -> its own file's rules

    def enter(self, folder: str) -> None:
        """Read the folder's `.gitignore` (once), before its entries are asked about."""
        folder = os.path.abspath(folder)
        if folder in self.rules:
            return
        try:
            with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            text = ""
        self.rules[folder] = [rule for line in text.splitlines() if (rule := _gitignore_rule(folder, line)) is not None]

    def ignores(self, path: str, is_dir: bool) -> bool:
        path = os.path.abspath(path)
        verdict = False
        for rule in self._rules_above(os.path.dirname(path)):
            if rule.regex is None or (rule.folders_only and not is_dir):
                continue
            relative = os.path.relpath(path, rule.base).replace(os.sep, "/")
            if rule.regex.fullmatch(relative):
                verdict = not rule.negated
        return verdict

    def _rules_above(self, folder: str) -> list[_Rule]:
        chain = []
        while True:
            chain.append(self.rules.get(folder, ()))
            if folder == self.top or not folder.startswith(self.top):
                break
            folder = os.path.dirname(folder)
        return [rule for rules in reversed(chain) for rule in rules]


def _gitignore_rule(base: str, line: str) -> _Rule | None:
    from dfslim.context import compile_pattern

    if not line.strip() or line.startswith("#"):
        return None
    line = line.rstrip("\r")
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "  # `\ ` keeps one trailing space
    negated = stripped.startswith("!")
    pattern = stripped[1:] if negated else stripped
    if pattern.startswith(("\\!", "\\#")):
        pattern = pattern[1:]
    folders_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    if not pattern:
        return None
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    return _Rule(base, compile_pattern(pattern if anchored else "**/" + pattern), negated, folders_only)
