"""The build context of a Dockerfile, for context-aware rules: what `.dockerignore` keeps
out, and whether a named path exists.

`BuildContext(root)` answers two questions about paths relative to the context root,
written with `/`:

- `exists(path)`: whether the path is there, without following any symlink (a symlink
  counts as present, as `COPY` copies the link itself); a path with `..`, an absolute
  path, or one that goes through a symlinked folder is refused (False);
- `is_excluded(path)`: whether `.dockerignore` keeps it out of the context.

These two never walk or list a folder and never read a file other than the ignore file,
so their cost does not depend on the size of the context. The ignore file is read once,
on first use; `BuildContext.get()` keeps one context per root (and ignore file) for the
run. Two more serve the size estimates of findings that fire, and only those:

- `read_text(path)`: a small file of the context (a requirements or lock file);
- `layer_bytes(path)`: what a `COPY` of the path stores in its layer, walking a folder
  (up to `MAX_ENTRIES` entries) without entering what `.dockerignore` keeps out.

## The ignore file
Like BuildKit: `<Dockerfile>.dockerignore` next to the Dockerfile (`app.Dockerfile` ->
`app.Dockerfile.dockerignore`) when it exists, else `.dockerignore` at the context root.
An ignore file that is a symlink is followed only when it stays inside the context; one
that cannot be read makes the context `unknown`: rules then cannot tell what it excludes.

## Matching (Docker's own semantics)
- one pattern a line; a line starting with `#` is a comment; blank lines are skipped;
  lines are trimmed of surrounding whitespace;
- `!pattern` is an exception; the last pattern that matches a path decides;
- patterns are cleaned like Go's `filepath.Clean` (`./a` == `a`, `a/` == `a`,
  `a//b` == `a/b`, `a/../b` == `b`) and a leading `/` is dropped;
- the glob is Go's `filepath.Match` (`*` and `?` never match `/`, `[a-z]`, `[^a]`, `\\`
  escapes) plus `**`, which matches any number of folders, none included (`**/x` matches
  `x` at any depth; a trailing `**` matches everything below);
- a pattern is anchored at the context root (`*.md` matches `README.md`, not
  `docs/a.md`), and it also matches everything below a folder it matches (`node_modules`
  excludes `node_modules/x/y`).
"""


import os
import re
import stat
from typing import NamedTuple

MAX_IGNORE_BYTES = 1 << 20  # a larger ignore file is not read (the context is "unknown")
MAX_TEXT_BYTES = 1 << 20  # `read_text` reads no larger file
MAX_ENTRIES = 100_000  # `layer_bytes` gives up on a larger tree
BLOCK = 512  # a tar header, and the unit file data is padded to


class Pattern(NamedTuple):
    text: str  # cleaned, without the `!`
    exception: bool
    regex: re.Pattern | None  # None: a pattern that never matches (malformed)

    def matches(self, path: str) -> bool:
        """Whether the pattern matches `path` or one of the folders above it."""
        if self.regex is None:
            return False
        if self.regex.match(path):
            return True
        parts = path.split("/")
        for count in range(1, len(parts)):
            if self.regex.match("/".join(parts[:count])):
                return True
        return False


def parse_ignore(text: str) -> list[Pattern]:
    """The patterns of a `.dockerignore` file's text."""
    patterns = []
    if text.startswith("\ufeff"):
        text = text[1:]
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        exception = line.startswith("!")
        if exception:
            line = line[1:].strip()
            if not line:
                continue  # a bare `!`: Docker refuses it; it matches nothing here
        cleaned = clean(line)
        if len(cleaned) > 1 and cleaned.startswith("/"):
            cleaned = cleaned[1:]
        patterns.append(Pattern(cleaned, exception, compile_pattern(cleaned)))
    return patterns


def clean(path: str) -> str:
    """Go's `filepath.Clean` for `/`-separated paths."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def compile_pattern(pattern: str) -> re.Pattern | None:
    """A regex for a cleaned pattern, or None when the pattern is malformed."""
    out: list[str] = []
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        if char == "*":
            if pattern.startswith("**", index):
                index += 2
                if index < length and pattern[index] == "/":
                    index += 1
                out.append(".*" if index >= length else "(?:.*/)?")
                continue
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\":
            if index + 1 < length:
                out.append(re.escape(pattern[index + 1]))
                index += 2
                continue
            out.append(re.escape("\\"))
        elif char == "[":
            end, klass = _character_class(pattern, index + 1)
            if klass is None:
                return None
            out.append(klass)
            index = end
            continue
        else:
            out.append(re.escape(char))
        index += 1
    try:
        return re.compile("".join(out) + r"\Z", re.DOTALL)
    except re.error:
        return None


def _character_class(pattern: str, index: int) -> tuple[int, str | None]:
    """Translate `[...]` starting after the `[`; returns the index after `]`."""
    out = ["(?!/)["]
    length = len(pattern)
    if index < length and pattern[index] == "^":
        out.append("^")
        index += 1
    first = True
    while index < length:
        char = pattern[index]
        if char == "]" and not first:
            out.append("]")
            return index + 1, "".join(out)
        if char == "\\":
            if index + 1 >= length:
                return index, None
            out.append(re.escape(pattern[index + 1]))
            index += 2
        elif char == "-" and not first and index + 1 < length and pattern[index + 1] != "]":
            out.append("-")
            index += 1
        else:
            out.append(re.escape(char))
            index += 1
        first = False
    return index, None  # no closing `]`


def normalize(path: str) -> str | None:
    """A context-relative path in clean `/` form, or None when it leaves the context."""
    path = path.replace("\\", "/") if os.sep == "\\" else path
    if not path or path.startswith("/"):
        return None
    if any(part == ".." for part in path.split("/")):
        return None
    cleaned = clean(path)
    return None if cleaned == "." or cleaned.startswith("..") else cleaned


class BuildContext:
    """A build context folder; see the module documentation."""

    _cache: dict[tuple, "BuildContext"] = {}

    def __init__(self, root: str, ignore_file: str | None = None):
        self.root = os.path.abspath(root)
        # an explicit ignore file (a Dockerfile-specific one); default: the root's
        self._explicit_ignore = ignore_file
        self._loaded = False
        self._patterns: list[Pattern] = []
        self._has_ignore = False
        self._unknown = False

    @classmethod
    def get(cls, root: str, dockerfile_path: str | None = None) -> "BuildContext":
        """The context for `root`, shared by every file of the run that uses it."""
        root = os.path.abspath(root)
        ignore = None
        if dockerfile_path and dockerfile_path != "-":
            specific = os.path.abspath(dockerfile_path) + ".dockerignore"
            if os.path.lexists(specific):
                ignore = specific
        target = ignore or os.path.join(root, ".dockerignore")
        key = (root, ignore, _signature(target))
        context = cls._cache.get(key)
        if context is None:
            if len(cls._cache) > 256:
                cls._cache.clear()
            context = cls._cache[key] = cls(root, ignore)
        return context

    # ------------------------------------------------------------ the ignore file

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        path = self._explicit_ignore or os.path.join(self.root, ".dockerignore")
        try:
            info = os.lstat(path)
        except OSError:
            return  # no ignore file
        self._has_ignore = True
        if stat.S_ISLNK(info.st_mode):
            if self._explicit_ignore is None and not self._inside(os.path.realpath(path)):
                self._unknown = True
                return
            try:
                info = os.stat(path)
            except OSError:
                self._unknown = True
                return
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_IGNORE_BYTES:
            self._unknown = True
            return
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_IGNORE_BYTES + 1)
        except OSError:
            self._unknown = True
            return
        self._patterns = parse_ignore(data.decode("utf-8", errors="replace"))

    def _inside(self, real: str) -> bool:
        root = os.path.realpath(self.root)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    @property
    def has_dockerignore(self) -> bool:
        """Whether an ignore file applies (readable or not)."""
        self._load()
        return self._has_ignore

    @property
    def unknown(self) -> bool:
        """True when an ignore file exists but could not be read: exclusions unknown."""
        self._load()
        return self._unknown

    @property
    def patterns(self) -> list[Pattern]:
        self._load()
        return list(self._patterns)

    def is_excluded(self, path: str, extra: list[Pattern] | tuple[Pattern, ...] = ()) -> bool:
        """Whether the ignore file (then the `extra` patterns, e.g. `COPY --exclude`)
        keeps `path` out; False for a path outside the context."""
        self._load()
        cleaned = normalize(path)
        if cleaned is None:
            return False
        return excluded_by(list(self._patterns) + list(extra), cleaned)

    # ------------------------------------------------------------ existence

    def exists(self, path: str) -> bool:
        """Whether `path` exists in the context, without following symlinks."""
        cleaned = normalize(path)
        if cleaned is None:
            return False
        current = self.root
        parts = cleaned.split("/")
        for part in parts[:-1]:
            current = os.path.join(current, part)
            try:
                info = os.lstat(current)
            except OSError:
                return False
            if not stat.S_ISDIR(info.st_mode):
                return False  # a file, or a symlink we do not follow
        try:
            os.lstat(os.path.join(current, parts[-1]))
        except OSError:
            return False
        return True


    # ------------------------------------------------------------ contents

    def read_text(self, path: str) -> str | None:
        """The text of a regular file of the context that `.dockerignore` lets in (at most
        `MAX_TEXT_BYTES`), None otherwise."""
        cleaned = normalize(path)
        if cleaned is None or self.unknown or self.is_excluded(cleaned) or not self.exists(cleaned):
            return None
        full = os.path.join(self.root, cleaned)
        try:
            info = os.lstat(full)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TEXT_BYTES:
                return None
            with open(full, "rb") as handle:
                return handle.read(MAX_TEXT_BYTES).decode("utf-8", errors="replace")
        except OSError:
            return None

    def layer_bytes(self, path: str, extra: list[Pattern] | tuple[Pattern, ...] = (), extra_root: str | None = None) -> int | None:
        """The bytes a `COPY` of `path` (`.` for the whole context) stores in its layer
        tarball: a 512-byte header per file, folder or link, and each file's data in
        512-byte blocks; what `.dockerignore` or `extra` (`COPY --exclude`, matched as
        BuildKit does against the path below the COPY's source `extra_root`, by default
        `path`) keeps out counts nothing. None when the path is missing or excluded, the
        ignore file is unknown, or the tree has more than `MAX_ENTRIES` entries."""
        cleaned = _top(path)
        root = cleaned if extra_root is None else _top(extra_root)
        if cleaned is None or root is None or self.unknown:
            return None
        extra = list(extra)

        def excluded(relative: str) -> bool:
            if relative != "." and excluded_by(self.patterns, relative):
                return True
            inner = _below(relative, root)
            return bool(extra) and inner is not None and excluded_by(extra, inner)

        if cleaned != "." and (not self.exists(cleaned) or excluded(cleaned)):
            return None
        # a folder an exception (`!pattern`) may reach into is entered even when excluded
        reentrant = any(pattern.exception for pattern in self.patterns + extra)
        total, entries = 0, 0
        pending = [cleaned]
        while pending:
            relative = pending.pop()
            full = self.root if relative == "." else os.path.join(self.root, relative)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            left_out = relative != cleaned and excluded(relative)
            if stat.S_ISDIR(info.st_mode):
                if left_out and not reentrant:
                    continue
                try:
                    names = os.listdir(full)
                except OSError:
                    return None
                entries += len(names)
                if entries > MAX_ENTRIES:
                    return None
                pending.extend(name if relative == "." else f"{relative}/{name}" for name in names)
                if not left_out:
                    total += BLOCK
            elif not left_out:
                total += BLOCK
                if stat.S_ISREG(info.st_mode):
                    total += -(-info.st_size // BLOCK) * BLOCK
        return total


def _top(path: str) -> str | None:
    """A context path as `layer_bytes` walks it: `.` for the whole context."""
    return "." if path.strip() in (".", "./", "") else normalize(path)


def _below(path: str, root: str) -> str | None:
    """`path` relative to the folder `root` (both context paths), None when it is not below it."""
    if root == ".":
        return path if path != "." else None
    return path[len(root) + 1:] if path.startswith(root + "/") else None


def excluded_by(patterns, path: str) -> bool:
    """Docker's rule: the last pattern matching `path` (or a folder above it) decides."""
    excluded = False
    for pattern in patterns:
        if pattern.exception != excluded:
            continue  # this pattern cannot change the outcome
        if pattern.matches(path):
            excluded = not pattern.exception
    return excluded


def _signature(path: str):
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)
