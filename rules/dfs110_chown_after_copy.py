"""`RUN chown`/`chmod` on files an earlier `COPY` wrote: they are stored twice.

## What it does
Flags a `RUN` that runs `chown` or `chmod` (recursive or not) on a path an earlier
`COPY`/`ADD` of the same stage wrote. A path is written by a `COPY`/`ADD` when it is at
or below its destination (relative paths resolved against `WORKDIR`, variables
substituted from `ARG`/`ENV`): `COPY . /app` writes everything below `/app`,
`COPY app.sh /usr/local/bin/` writes `/usr/local/bin/app.sh`. A recursive
`chown -R app /app` also covers a `COPY` into `/app/src/`.

## Why is this bad?
Changing the owner or mode of a file changes it, and a changed file is stored again, whole,
in the layer of the `RUN`: `COPY . /app` of 300 MB followed by `RUN chown -R app /app`
ships 600 MB. `COPY --chown`/`--chmod` sets owner and mode while copying, in one layer.

## Example
    COPY . /app
    RUN chown -R app:app /app && chmod +x /app/start.sh

## Use instead
    COPY --chown=app:app . /app

and make `start.sh` executable in the build context (`git update-index --chmod=+x
start.sh`): `COPY` keeps the mode. `COPY --chown=name` needs the user to exist when the
`COPY` runs (create it in an earlier `RUN`), or use numeric ids (`--chown=10001:10001`).
Symbolic `--chmod` modes (`+x`) need Dockerfile syntax 1.14 or later; octal ones
(`--chmod=755`) work everywhere `--chmod` does.

## Not flagged
- `COPY --chown` (for `chown`) or `COPY --chmod` (for `chmod`) used on the files.
- Paths only a `RUN` created (`mkdir -p /app/logs && chown app /app/logs` after
  `COPY . /app`), paths no `COPY`/`ADD` of the stage wrote, a non-recursive `chown`/`chmod`
  of a copied folder itself (only the folder entry changes), and paths whose value is
  not known (`$DIR` without a value, `~`).
- `COPY`s of another stage, even a parent one; `chown` inside `find -exec`.

## Savings
What the rewritten files weigh: the bytes the `COPY`/`ADD` brought in from the build
context (as its layer stores them: a 512-byte tar header per entry, file data in
512-byte blocks; what `.dockerignore` and `COPY --exclude` keep out counts nothing), or
of the copied paths the `chown`/`chmod` names when it covers only part of them, times
the ratio the build harness measured (a `RUN chown -R` after a 42 MB `COPY` added 42 MB:
1.0). Known only when the build context is at hand (`--context`, default the
Dockerfile's folder) and holds every source; unknown (null) for files of another stage
or image (`COPY --from`), URLs, globs and variables.

## Scope
Only stages that ship: a builder's doubled files stay behind. `ONBUILD` triggers are
checked in the order they run, in the child image after every instruction of the stage:
`ONBUILD COPY . /app` then `ONBUILD RUN chown -R app /app` is flagged at the trigger's
`ONBUILD` line; a plain `RUN chown` never rewrites what a trigger will copy, and a
trigger's `chown` does rewrite what the stage's own `COPY`s wrote.
"""

import bisect
import fnmatch
import posixpath
import re

from dfslim.api import (
    Meta,
    Severity,
    Violation,
    command_dirs,
    copied_bytes,
    copy_paths,
    copy_writes,
    created_paths,
    expand,
    path_below,
    resolve_path,
    unwrap,
    trigger_workdirs,
    workdirs,
)
from dfslim.regex import lazy_compile
from dfslim.savings import ratio

META = Meta(
    id="DFS110",
    name="chown-after-copy",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix=None,
)

GLOB = lazy_compile(r"[*?\[]")
OPTION_RE = lazy_compile(r"-[RfvchHLP]+")
USER_COMMANDS = frozenset({"useradd", "adduser", "groupadd", "addgroup"})


_below = path_below


def _parse(words):
    """(tool, owner or mode or None, recursive, path words) of a chown/chmod argv."""
    tool = words[0].text.rsplit("/", 1)[-1]
    value, recursive, reference, paths = None, False, False, []
    only_args = False
    for word in words[1:]:
        text = word.text
        if not only_args and text == "--":
            only_args = True
            continue
        if not only_args and text.startswith("--"):
            recursive = recursive or text == "--recursive"
            reference = reference or text.startswith("--reference")
            continue
        if not only_args and OPTION_RE.fullmatch(text):
            recursive = recursive or "R" in text
            continue
        if value is None and not reference:
            value = text
            continue
        paths.append(word)
    return tool, (None if reference else value), recursive, paths


def _targets(instruction, words, directory):
    """The absolute paths (or (folder, pattern) globs) a command's path words name."""
    found = []
    for word in words:
        text = expand(word.text, instruction.scope)
        if any(char in text for char in "$`~") or not text:
            continue
        text = text.rstrip("/") or "/"
        folder, _, name = text.rpartition("/")
        if GLOB.search(folder):
            continue
        if GLOB.search(name):
            resolved = resolve_path(folder or ("/" if text.startswith("/") else "."), directory)
            if resolved is not None:
                found.append((resolved, name))
            continue
        resolved = resolve_path(text, directory)
        if resolved is not None:
            found.append((resolved, None))
    return found


def _hits(writer, target, recursive, created):
    """Whether the chown/chmod of `target` rewrites files `writer` wrote."""
    path, pattern = target
    if pattern is None:
        if writer.writes(path):
            if path == writer.folder and not recursive:
                return False  # only the folder entry itself
            if path not in writer.roots() and any(_below(path, c) and c not in writer.roots() for c in created):
                return False  # a path a RUN created below the destination
            return True
        return recursive and writer.inside(path)
    # a glob: folder/<pattern>
    if writer.writes(path) and path != writer.folder or path in writer.trees:
        return True
    for root in writer.roots():
        if root != path and _below(root, path):
            first = posixpath.relpath(root, path).split("/", 1)[0]
            if fnmatch.fnmatchcase(first, pattern) and (recursive or posixpath.join(path, first) == root):
                return True
    for folder, own in writer.patterns:
        if folder == path:
            return True
    return False


def _whole(writer, matched, recursive):
    """The command changes everything the COPY/ADD wrote (so a flag on it is the fix)."""
    results = []
    for root in writer.roots():
        covered = False
        for path, pattern in matched:
            if pattern is None:
                covered = covered or (_below(root, path) if recursive else root == path)
            else:
                covered = covered or (pattern == "*" and (root == path or (recursive and _below(root, path))))
        results.append(covered)
    # one source to a destination that may be a file: it wrote one of its entries
    return any(results) if writer.single else all(results)


def _last_writer(writers, candidates, path):
    """The position of the last COPY/ADD that wrote `path` itself, else -1."""
    for position in reversed(candidates):
        if writers[position].writes(path):
            return position
    return -1


class _RootIndex:
    """The roots of the COPY/ADDs so far, to find the ones related to a path (at, above
    or below it) without scanning them all."""

    def __init__(self):
        self.by_root = {}
        self.sorted = []

    def add(self, position, writer):
        for root in writer.roots():
            if root not in self.by_root:
                bisect.insort(self.sorted, root)
            self.by_root.setdefault(root, []).append(position)

    def related(self, path):
        found = set()
        ancestor = path
        while True:
            found.update(self.by_root.get(ancestor, ()))
            if ancestor == "/":
                break
            ancestor = posixpath.dirname(ancestor) or "/"
        prefix = path.rstrip("/") + "/"
        start = bisect.bisect_left(self.sorted, prefix)
        for root in self.sorted[start:]:
            if not root.startswith(prefix):
                break
            found.update(self.by_root[root])
        return found


def _overwritten(writer, position, target, recursive, last):
    """A later COPY/ADD wrote the same single path again: only the last one counts."""
    path, pattern = target
    if pattern is not None or not writer.writes(path):
        return False
    if recursive and any(r != path and _below(r, path) for r in writer.roots()):
        return False
    return last.get(target, -1) > position


def check(dockerfile):
    dirs, trigger_dirs = workdirs(dockerfile), trigger_workdirs(dockerfile)
    triggers: dict[int, list] = {}
    for trigger in dockerfile.triggers:
        triggers.setdefault(trigger.stage, []).append(trigger)
    for stage in dockerfile.stages:
        writers, created, users = [], [], []
        index = _RootIndex()
        # the stage's instructions, then its ONBUILD triggers, which run after all of them
        for instruction in stage.instructions + tuple(triggers.get(stage.index, ())):
            cwd = (trigger_dirs if instruction.onbuild else dirs).get(instruction.index)
            if instruction.keyword in ("COPY", "ADD"):
                writer = copy_writes(instruction, cwd)
                if writer is not None:
                    index.add(len(writers), writer)
                    writers.append(writer)
                continue
            if instruction.keyword != "RUN":
                continue
            script = instruction.script
            found = {}  # writer index -> {"chown": value, "chmod": value, "spelled": [...], "whole": bool}
            spelled, focus = [], None
            for command, directory in zip(script.commands, command_dirs(instruction, cwd)):
                words = unwrap(command)
                if words and words[0].text.rsplit("/", 1)[-1] in USER_COMMANDS:
                    users.append(instruction)
                if words and words[0].text.rsplit("/", 1)[-1] in ("chown", "chmod") and not command.piped_from:
                    tool, value, recursive, path_words = _parse(words)
                    targets = _targets(instruction, path_words, directory)
                    hit = False
                    candidates, last = set(), {}
                    for target in targets:
                        related = sorted(index.related(target[0]))
                        if target[1] is None:
                            last[target] = _last_writer(writers, related, target[0])
                            if not recursive:
                                related = [last[target]] if last[target] >= 0 else []  # only the last one counts
                        candidates.update(related)
                    candidates = sorted(candidates)
                    for position in candidates:
                        writer = writers[position]
                        if writer.instruction.flag(tool) is not None:
                            continue  # COPY --chown / --chmod used
                        matched = [t for t in targets if _hits(writer, t, recursive, created) and not _overwritten(writer, position, t, recursive, last)]
                        if not matched:
                            continue
                        hit = True
                        entry = found.setdefault(position, {})
                        entry[tool] = value
                        entry[tool + " whole"] = entry.get(tool + " whole", True) and _whole(writer, matched, recursive)
                        entry.setdefault(tool + " paths", []).extend(t[0] if t[1] is None else t[0].rstrip("/") + "/" + t[1] for t in matched)
                    if hit:
                        focus = focus or script.span(command)
                        spelled.append(" ".join(dockerfile.text[w.start : w.end] if script.shell_form else w.text for w in words))
                created += created_paths(instruction, command, directory)
            if not found:
                continue
            saving = _saving(dockerfile, writers, found)
            yield _violation(dockerfile, instruction, writers, found, spelled, users)._replace(focus=focus, savings_bytes=saving)


def _saving(dockerfile, writers, found) -> int | None:
    """The bytes of what the chown/chmod rewrites of each COPY/ADD (all it brought in, or
    the paths it names), times the measured ratio; None when one is unknown."""
    per_byte = ratio("chown-after-copy:per-copied-byte")
    total = 0
    for position, entry in found.items():
        tools = [name for name in ("chown", "chmod") if name in entry]
        whole = any(entry[name + " whole"] for name in tools)
        paths = None if whole else [path for name in tools for path in entry[name + " paths"]]
        counted = copied_bytes(dockerfile, writers[position].instruction, paths)
        if counted is None or per_byte is None:
            return None
        total += counted
    return round(total * per_byte)


def _copy_line(writer, flags):
    instruction = writer.instruction
    kept = [f"--{f.name}" + ("" if f.value is None else f"={f.value}") for f in instruction.flags if f.name not in flags]
    added = [f"--{name}={value}" for name, value in flags.items()]
    return " ".join((["ONBUILD"] if instruction.onbuild else []) + [instruction.keyword] + added + kept + instruction.args.split())


def _narrow_line(writer, path, flags):
    """`COPY --chmod=+x start.sh /app/start.sh` for a file inside a folder copy."""
    paths = copy_paths(writer.instruction)
    if paths is None or len(paths[0]) != 1 or len(writer.trees) != 1 or "$" in paths[0][0]:
        return None
    source, root = paths[0][0], writer.trees[0]
    if not (source in (".", "./") or source.endswith("/")):
        return None
    if path == root or not _below(path, root) or GLOB.search(path) or writer.instruction.flag("from") is not None:
        return None
    inner = posixpath.relpath(path, root)
    context = inner if source in (".", "./") else source.rstrip("/") + "/" + inner
    added = " ".join(f"--{name}={value}" for name, value in flags.items())
    keyword = "ONBUILD COPY" if writer.instruction.onbuild else "COPY"
    return f"`{keyword} {added} {context} {path}`"


# `# syntax=` values whose frontend reads symbolic `--chmod` modes (Dockerfile 1.14 and later)
SYMBOLIC_SYNTAX_RE = lazy_compile(r"docker/dockerfile(?:-upstream)?:(?:1|1-labs|labs|1\.(?:1[4-9]|[2-9]\d)(?:[.-].*)?)$")
SYMBOLIC_CLAUSE_RE = lazy_compile(r"([ugoa]*)([-+=])([rwxX]*)")


def _octal(mode: str, base: int = 0o644) -> str | None:
    """The octal mode a symbolic `chmod` mode gives a file copied with `base` (a context
    file's usual 644): `+x` -> `755`, `u+x,go-r` -> `700`; None when it is not one."""
    if not mode or mode[0].isdigit():
        return None
    value = base
    for clause in mode.split(","):
        match = SYMBOLIC_CLAUSE_RE.fullmatch(clause)
        if match is None:
            return None
        who, operator, perms = match.groups()
        bits = sum({"r": 4, "w": 2, "x": 1, "X": 1 if value & 0o111 else 0}[p] for p in perms)
        # no `ugoa`: all, less what the usual umask (022) keeps chmod from setting
        mask = 0o755 if not who else 0o777 if "a" in who else sum({"u": 0o700, "g": 0o070, "o": 0o007}[w] for w in set(who))
        spread = bits * 0o111 & mask
        value = value | spread if operator == "+" else value & ~spread if operator == "-" else (value & ~mask) | spread
    return f"{value:o}"


def _plain_modes(dockerfile, found) -> None:
    """Where the frontend may not read symbolic modes (no `# syntax=` of 1.14 or later), the
    chmod of each entry as an octal mode, so the suggested `COPY` builds: when the mode
    gives a 644 file and a 755 folder the same (`+x` -> `755`); `go-rwx` would leave
    folders untraversable as `600`, and stays symbolic."""
    if SYMBOLIC_SYNTAX_RE.search(dockerfile.directives.get("syntax", "").strip()):
        return
    for entry in found.values():
        mode = entry.get("chmod") or ""
        octal = _octal(mode)
        if octal is not None and octal == _octal(mode, 0o755):
            entry["chmod"] = octal


def _violation(dockerfile, instruction, writers, found, spelled, users):
    lines, narrow = [], []
    _plain_modes(dockerfile, found)
    for position, entry in sorted(found.items()):
        writer = writers[position]
        tools = [name for name in ("chown", "chmod") if name in entry]
        whole = {name: entry[name] for name in tools if entry[name + " whole"] and entry[name]}
        if whole:
            lines.append(f"`{_copy_line(writer, whole)}`")
        for name in tools:
            if name in whole:
                continue
            for path in dict.fromkeys(entry[name + " paths"]):
                line = _narrow_line(writer, path, {name: entry[name]}) if entry[name] else None
                if line:
                    lines.append(line + (" on its own (or set the mode in the build context: COPY keeps it)" if name == "chmod" else " on its own"))
                elif path not in narrow:
                    narrow.append(path)
    suggestion = ""
    if lines:
        suggestion = "set owner and mode while copying: " + " / ".join(lines)
    if narrow:
        part = (
            "for " + ", ".join(f"`{p}`" for p in narrow)
            + ": copy those files with their own `COPY --chown=...`/`--chmod=...`, or set the mode in the build context (COPY keeps it)"
        )
        suggestion = f"{suggestion}; {part}" if suggestion else part
    if any(re.search(r"--chmod=(?![0-7]+[ `])", line) for line in lines):
        suggestion += " (a symbolic `--chmod` needs Dockerfile 1.14 or later, as `# syntax=docker/dockerfile:1` gives)"
    elif any(entry.get("chmod") for entry in found.values()) and lines:
        suggestion += " (the octal mode is what the `chmod` gives a file copied as 644 and a folder as 755)"
    first_copy = min(writers[p].instruction.index for p in found)
    if any(user.index > first_copy for user in users) and any(entry.get("chown") for entry in found.values()):
        suggestion += "; create the user before the COPY (`--chown` needs the name in /etc/passwd), or use numeric ids"
    command = spelled[0] if len(spelled[0]) <= 60 else spelled[0][:57] + "..."
    copies = [writers[p].instruction for p in sorted(found)]
    named = " ".join(copies[0].value.split())
    named = named if len(named) <= 50 else named[:47] + "..."
    keyword = ("ONBUILD " if copies[0].onbuild else "") + copies[0].keyword
    where = f"`{keyword} {named}` (line {copies[0].line})" + (f" and {len(copies) - 1} more" if len(copies) > 1 else "")
    return Violation(
        instruction,
        f"`{command}` rewrites files {where} wrote: they are stored twice",
        suggestion,
    )
