"""Files or folders are made writable by every user.

## What it does
Flags a `RUN` whose `chmod` gives write permission to "others": an octal mode whose last
digit has the write bit (`777`, `0777`, `666`, `-R 777`, `2777`), or a symbolic mode that
adds `w` for `o` or `a` (`o+w`, `a+w`, `ugo+rwx`, `a=rwx`, `u+x,o+w`). `chmod` behind
`xargs`, `find -exec chmod`, `mkdir -m 777` and `install -m 777` count too, and so does
`COPY --chmod=777` / `ADD --chmod=...`.

## Why is this bad?
Any process in the container, whatever user it runs as, can then replace the files: a
compromised low-privilege service can rewrite the application code, its configuration or
a script that root runs later. It is usually a shortcut for "the app user could not
write here", which `chown` solves without opening the files to everyone.

## Example
    RUN mkdir -p /app/data && chmod -R 777 /app/data

## Use instead
    RUN mkdir -p /app/data && chown -R app:app /app/data && chmod -R 775 /app/data

For images run under an arbitrary uid (OpenShift), give the folder to group 0 instead:
`chgrp -R 0 /app/data && chmod -R g=u /app/data`.

## Not flagged
`g+w`, `750`, `755`, `775`; a bare `+w` (no `u`/`g`/`o`/`a`): chmod then honours the
umask (022 in a build), so others do not get write permission; a mode with the sticky
bit, not recursive (`chmod 1777 /tmp`, `mkdir -m 1777 /run/app`, `a+rwxt`): a shared
folder where everyone may create files but nobody may delete or rename another user's,
as `/tmp` is (the CIS benchmarks accept world-writable folders that have the sticky
bit). `chmod -R 1777` is flagged, as it makes every file inside writable by everyone
(the sticky bit means nothing on a file), unless the folder was made by a `mkdir` earlier
in the same `RUN` (then it holds only the folders made there); a path removed, or given a safe mode again (`chmod 440`), later in the
same `RUN`: nothing world-writable ships; modes held in a variable dfslim cannot read; words inside quoted strings.
"""

import re

from dfslim.api import Meta, Severity, Violation, expand, expanded, find_exec, unwrap
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS209",
    name="world-writable",
    category="security",
    severity=Severity.WARNING,
)

OCTAL_RE = lazy_compile(r"[0-7]{1,4}")
CLAUSE_RE = lazy_compile(r"([ugoa]*)((?:[-+=][rwxXstugo]*)+)")
ACTION_RE = lazy_compile(r"([-+=])([rwxXstugo]*)")


def world_writable(mode: str) -> bool:
    """Whether a chmod mode gives others write permission."""
    if OCTAL_RE.fullmatch(mode):
        return bool(int(mode, 8) & 0o002)
    for clause in mode.split(","):
        match = CLAUSE_RE.fullmatch(clause)
        if not match:
            return False
        who = match.group(1)
        for op, perms in ACTION_RE.findall(match.group(2)):
            if op in "+=" and "w" in perms and ("o" in who or "a" in who):
                return True
    return False


def sticky(mode: str) -> bool:
    if OCTAL_RE.fullmatch(mode):
        return bool(int(mode, 8) & 0o1000)
    return any(op in "+=" and "t" in perms for op, perms in ACTION_RE.findall(mode))


def safer(mode: str) -> str:
    """The same mode without others' write permission: `777` -> `775`, `a+w` -> `ug+w`."""
    if OCTAL_RE.fullmatch(mode):
        return format(int(mode, 8) & ~0o002, "o").zfill(len(mode))
    clauses = []
    for clause in mode.split(","):
        match = CLAUSE_RE.fullmatch(clause)
        who, actions = match.group(1), match.group(2)
        if not ("o" in who or "a" in who) or not any(op in "+=" and "w" in p for op, p in ACTION_RE.findall(actions)):
            clauses.append(clause)
            continue
        mine = who.replace("a", "ugo")
        rest = "".join(sorted(set(mine) - {"o"}, key="ugo".index))
        if rest:
            clauses.append(rest + actions)
        others = "".join(op + p.replace("w", "") for op, p in ACTION_RE.findall(actions))
        if others.strip("+-") and others != "=":
            clauses.append("o" + others)
    return ",".join(clauses) or "g+w"


def check(dockerfile):
    for instruction in dockerfile.of("RUN", "COPY", "ADD"):
        if instruction.keyword != "RUN":
            mode = instruction.flag("chmod")
            if mode and world_writable(expand(mode, instruction.scope)):
                mode = expand(mode, instruction.scope)
                flag = [f for f in instruction.flags if f.name == "chmod"][-1]
                text = dockerfile.text
                line_end = text.find("\n", instruction.start)
                line_end = len(text) if line_end < 0 or line_end > instruction.end else line_end
                line = (text[instruction.start : flag.start] + f"--chmod={safer(mode)}" + text[flag.end : line_end]).rstrip("\r \\`")
                yield Violation(
                    instruction,
                    f"`--chmod={mode}` makes the copied files writable by every user",
                    f"`{line}`, with `--chown=` the user that writes them",
                    focus=(flag.start, flag.end),
                )
            continue
        hits = list(_hits(dockerfile, instruction))
        if hits:
            program, mode, targets, shown, command = hits[0]
            where = f" {' '.join(targets[:3])}" if targets else ""
            more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
            yield Violation(
                instruction,
                f"`{program} {mode}` makes{where} writable by every user{more}",
                f"`{shown}`, and give the path to the user that writes it (`chown -R app:app ...`); "
                "for an arbitrary uid (OpenShift): `chgrp -R 0 <path> && chmod -R g=u <path>`",
                focus=instruction.script.span(command),
            )


def _hits(dockerfile, instruction):
    """(program, mode, targets, the command as it should read, the command) per
    world-writable mode."""
    commands = instruction.script.commands
    context = None  # built on the first hit: what later commands delete or make
    for index, command in enumerate(commands):
        words = unwrap(command)
        tool = words[0].text.rsplit("/", 1)[-1] if words else ""
        for words in [words] if tool in ("chmod", "mkdir", "install") else find_exec(command) if tool == "find" else ():
            found = _mode(words)
            if found is None:
                continue
            position, prefix = found
            mode = expanded(instruction, commands, index, words[position].text[len(prefix) :])
            if "$" in mode or not world_writable(mode):
                continue
            program = words[0].text.rsplit("/", 1)[-1]
            targets = [w.text for w in words[position + 1 :] if not w.text.startswith("-")]
            recursive = any(w.text in ("-R", "--recursive") or re.fullmatch(r"-[a-zA-Z]*R[a-zA-Z]*", w.text) for w in words[1:position])
            if context is None:
                context = _context(commands)
            made, cleared = context
            if sticky(mode) and (not recursive or all(made.get(t.rstrip("/"), index) < index for t in targets)):
                continue  # `chmod 1777 /tmp`: a shared folder with the sticky bit, as /tmp is
            if targets and all(any(cleared.get(a, -1) > index for a in _ancestors(t)) for t in targets):
                continue  # deleted, or given a safe mode, before the RUN ends: nothing ships
            parts = [_source(dockerfile, instruction, w) for w in words]
            parts[position] = prefix + safer(mode)
            yield program, mode, targets, " ".join(parts), command


def _context(commands):
    """Per RUN: `made` maps a folder (and its parents) to the first `mkdir` that made it or
    something inside it; `cleared` maps a path to the last `rm` of it (or of its contents,
    `dir/*`) or `chmod` that set it back to a safe mode."""
    made: dict[str, int] = {}
    cleared: dict[str, int] = {}
    for index, command in enumerate(commands):
        words = unwrap(command)
        tool = words[0].text.rsplit("/", 1)[-1] if words else ""
        args = [w.text for w in words[1:] if not w.text.startswith("-")]
        if tool == "mkdir":
            for arg in args:
                for parent in _ancestors(arg):
                    made.setdefault(parent, index)
        elif tool == "rm":
            for arg in args:
                arg = arg.rstrip("/")
                cleared[arg[:-2] if arg.endswith("/*") else arg] = index
        elif tool == "chmod":
            for target in args[1:]:
                if _resets(command, target):
                    cleared[target.rstrip("/")] = index
    return made, cleared


def _ancestors(path: str):
    """`a/b/c`, `a/b`, `a` (and `/` for absolute paths)."""
    path = path.rstrip("/") or "/"
    yield path
    while "/" in path.strip("/"):
        path = path.rsplit("/", 1)[0] or "/"
        yield path
    if path.startswith("/") and path != "/":
        yield "/"


def _resets(command, target) -> bool:
    """Whether `command` is a chmod that sets `target` back to a mode without others' write
    permission (`chmod 440 /etc/sudoers` after `chmod 666 /etc/sudoers`)."""
    words = unwrap(command)
    found = _mode(words)
    if found is None or words[0].text.rsplit("/", 1)[-1] != "chmod":
        return False
    position, _prefix = found
    mode = words[position].text
    if target not in [w.text for w in words[position + 1 :]]:
        return False
    if OCTAL_RE.fullmatch(mode):
        return not world_writable(mode)
    return bool(re.fullmatch(r"[ugo]*[oa][ugo]*-[rwxXst]*w[rwxXst]*", mode))


def _mode(words):
    """(index, prefix) of the mode word of a `chmod`, `mkdir -m` or `install -m` (`prefix`
    is `--mode=` or `-m` when the mode is glued to its option), else None."""
    if not words:
        return None
    program = words[0].text.rsplit("/", 1)[-1]
    if program == "chmod":
        for index, word in enumerate(words[1:], start=1):
            if word.text.startswith("--reference"):
                return None
            if word.text == "--":
                return (index + 1, "") if index + 1 < len(words) else None
            if not word.text.startswith("-") or CLAUSE_RE.fullmatch(word.text):
                return index, ""
        return None
    if program in ("mkdir", "install"):
        for index, word in enumerate(words[1:], start=1):
            if word.text in ("-m", "--mode") and index + 1 < len(words):
                return index + 1, ""
            if word.text.startswith("--mode="):
                return index, "--mode="
            if word.text.startswith("-m") and len(word.text) > 2 and not word.text.startswith("--"):
                return index, "-m"
    return None


def _source(dockerfile, instruction, word):
    return dockerfile.text[word.start : word.end] if instruction.script.shell_form else word.text
