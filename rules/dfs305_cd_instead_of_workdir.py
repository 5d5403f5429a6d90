"""A `RUN` that starts with `cd DIR` and stays there: that is what `WORKDIR` is for.

## What it does
Flags a `RUN` whose first command (after any `set -e...`) is `cd DIR`, followed by more
commands, with no other `cd` later in the same `RUN`: the directory holds for the rest of
the `RUN`, which is exactly what `WORKDIR DIR` says.

## Why is this bad?
`RUN cd /app && npm ci` hides the working directory inside a shell command: the next `RUN`
is back in the old directory, readers have to track `cd`s to know where files go, and
every `RUN` that works in `/app` repeats the `cd`. `WORKDIR /app` states it once, creates
the directory if needed, and holds for every following instruction, `CMD` included.

## Example
    RUN cd /app && npm ci && npm run build

## Use instead
    WORKDIR /app
    RUN npm ci && npm run build

Note that `WORKDIR` also changes the directory of the instructions after it.

## Not flagged
- A `cd` inside a subshell: `(cd docs && make html)`.
- A `cd` used temporarily: a `RUN` with several `cd`s (`cd /tmp/src && make install &&
  cd / && rm -rf /tmp/src`), or a `cd` after other commands (`mkdir -p /usr/src &&
  cd /usr/src && ...`, the directory is made by the same `RUN`).
- A `cd` into a scratch directory (`/tmp`, `/var/tmp` and below, `$(mktemp -d)`), into a
  directory mounted for this `RUN` only (`--mount=type=cache,target=/build`), or into a
  system directory (`/usr` except `/usr/src`, `/etc`, `/bin`, `/lib`, `/var/lib`...): there
  it edits files of the system, and a `WORKDIR` would move the image's working directory
  for everything after it.
- A `cd` to a target `WORKDIR` cannot take: `cd -`, `cd` alone, `~`, variables only the
  `RUN` itself sets.
- A `cd` that is the only command.
"""

from dfslim.api import Meta, Severity, Violation, at_level, expand, mounts, resolve_path, spell, workdirs

META = Meta(
    id="DFS305",
    name="cd-instead-of-workdir",
    category="correctness",
    severity=Severity.INFO,
    scope="all",
    fix=None,
    others=("hadolint DL3003",),
)

SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
# System directories: a `cd` there edits files of the system, it is not where a project lives.
SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/boot", "/proc", "/sys", "/dev", "/var/lib", "/var/cache", "/var/log", "/run")


def check(dockerfile):
    cwds = None
    for instruction in dockerfile.of("RUN"):
        commands = at_level(instruction.script.commands)  # the RUN's own, not those inside `$(...)`
        first = 0
        while first < len(commands) and commands[first].name == "set" and commands[first].depth == 0:
            first += 1
        if first >= len(commands) - 1:
            continue
        command = commands[first]
        if command.name != "cd" or command.depth or command.piped_to or command.after == "&":
            continue
        if any(c.name in ("cd", "pushd", "popd") for c in commands[first + 1 :]):
            continue
        target = _target(instruction, command)
        if target is None:
            continue
        if cwds is None:
            cwds = workdirs(dockerfile)
        absolute = resolve_path(target, cwds.get(instruction.index))
        if absolute is None or "<" in absolute:
            absolute = target if target.startswith("/") else None
        if absolute is not None and (_below(absolute, SCRATCH + SYSTEM) and not _below(absolute, ("/usr/src",))):
            continue
        if absolute is not None and _below(absolute, tuple(m.get("target", "") for m in mounts(instruction) if m.get("target"))):
            continue  # a mount exists only while this RUN runs
        workdir = f"`WORKDIR {absolute}`" if absolute else f"`WORKDIR` with the absolute path of `{target}`"
        after = first + 1
        while after < len(commands) - 1 and commands[after].before == "||":
            after += 1  # `cd /app || exit 1`: the fallback goes too
        following = commands[after]
        rest = spell(dockerfile.text, instruction.script, following.assignments + following.words, limit=60)
        more = " && ..." if len(commands) > after + 1 else ""
        flags = " ".join(f"--{f.name}" + ("" if f.value is None else f"={f.value}") for f in instruction.flags)
        flags = flags + " " if flags and len(flags) <= 80 else "... " if flags else ""
        here = cwds.get(instruction.index)
        if absolute is not None and here is not None and absolute == here:
            suggestion = f"drop the `cd`: the `WORKDIR` in effect is already `{absolute}`"
        else:
            suggestion = (f"use {workdir} before this RUN and drop the `cd`: `RUN {flags}{rest}{more}` "
                          "(WORKDIR also holds for the instructions after it)")
        yield Violation(
            instruction,
            f"`cd {target}` sets the directory for the rest of the RUN: that is `WORKDIR`'s job",
            suggestion,
            focus=(command.start, command.end) if instruction.script.shell_form else None,
        )


def _below(path: str, roots) -> bool:
    return any(root and (path == root.rstrip("/") or path.startswith(root.rstrip("/") + "/")) for root in roots)


def _target(instruction, command) -> str | None:
    """The directory a `cd` goes to when `WORKDIR` could say it, else None."""
    args = [w.text for w in command.words[1:] if w.text not in ("-P", "-L", "-e", "--")]
    if len(args) != 1:
        return None
    target = args[0]
    if target in ("-", "") or target.startswith("~") or "`" in target or "$(" in target:
        return None
    if "$" in target:
        target = expand(target, instruction.scope)
        if "$" in target:
            return None
    return target
