"""Several `RUN`s in a row that could be one layer.

## What it does
Flags each `RUN` that directly follows another `RUN` of the same stage with the same
flags (`--mount`, `--network`, `--security`...): the second, third... of a group, as
hadolint's DL3059 does. Comment lines between them do not separate them; any other
instruction does. Off by default: select it by id or name.

## Why is this bad?
Every `RUN` is a layer with its own metadata and its own copy of each file it touches;
files one `RUN` writes and the next deletes stay in the image. Fewer, purposeful layers
make smaller, faster-to-pull images. Separate `RUN`s can still be the right call (cache
reuse of a slow step, readability): that is why the rule is informational and off by
default.

## Example
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl

## Use instead
    RUN apt-get update \\
        && apt-get install -y --no-install-recommends curl

## Fix
Unsafe (a build step's caching changes): joins the `RUN` into the one above with
` && `, on a continuation line; comment lines between them are kept inside the
continuation. The fix is offered only when the joined script keeps its meaning:
- both are shell-form `RUN`s without heredocs (exec form and heredocs: no fix), run by
  a POSIX shell (not PowerShell or `cmd`: `SHELL`, Windows base images);
- the `RUN` above does not change the shell's state for what follows (`cd`, `pushd`,
  `export`, `set`, `source`, `umask`, variable assignments, `exec`, `exit`...), does not
  run anything in the background (`&`) and has no comment after its last command;
- the joined `RUN` runs its commands only if the one above succeeded: when its own
  script has other operators than `&&` and `|` at its top (`a; b`, `a || b`), it is
  wrapped in a group, `&& { a; b; }`, so `a || b` cannot swallow a failure of the
  `RUN` above.

## Not flagged
`RUN`s separated by other instructions, or with different flags (a different
`--mount` cannot be merged into one instruction). `ONBUILD RUN` triggers are neither
joined nor flagged: they are layers of the child images, not of this one, and an
`ONBUILD` between two `RUN`s separates them like any other instruction.
"""


from dfslim.api import Edit, Fix, Meta, Severity, Violation, at_level, posix_shells
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS116",
    name="consecutive-runs",
    category="size",
    severity=Severity.INFO,
    scope="all",
    fix="unsafe",
    enabled=False,
    others=("hadolint DL3059",),
)

STATEFUL = frozenset({
    "cd", "pushd", "popd", "export", "unset", "set", "source", ".", "alias", "unalias", "shopt",
    "umask", "trap", "ulimit", "exec", "exit", "return", "declare", "typeset", "local",
    "readonly", "eval", "hash", "shift", "setopt",
})
CLOSING_RE = lazy_compile(r"(?:\s|\)|\}|\b(?:fi|done|esac)\b)*")


def _flags(instruction):
    return sorted((flag.name, flag.value or "") for flag in instruction.flags)


ASSIGNMENT_RE = lazy_compile(r"(?<![^\s;&|(])[A-Za-z_][A-Za-z0-9_]*\+?=")


def _bare_assignment(text, run, commands):
    """A `NAME=value` outside every command's words and prefix assignments: a shell
    variable set for the rest of the script (the tokenizer drops such commands)."""
    covered = [(w.start, w.end) for c in commands for w in list(c.words) + list(c.assignments)]
    for match in ASSIGNMENT_RE.finditer(text, run.start, run.end):
        if not any(start <= match.start() < end for start, end in covered):
            return True
    return False


def _spelled(instruction):
    text = " ".join(instruction.args.split())
    return text if len(text) <= 60 else text[:57] + "..."


def check(dockerfile):
    instructions = dockerfile.instructions
    shells = None
    for position in range(1, len(instructions)):
        previous, current = instructions[position - 1], instructions[position]
        if previous.keyword != "RUN" or current.keyword != "RUN" or previous.stage != current.stage:
            continue
        if _flags(previous) != _flags(current):
            continue
        if shells is None:
            shells = posix_shells(dockerfile)
        flags = " ".join(dockerfile.text[f.start : f.end] for f in current.flags)
        joined = "RUN " + (flags + " " if flags else "") + _spelled(previous) + " && " + _spelled(current)
        yield Violation(
            current,
            "this RUN directly follows another RUN: two layers where one would do",
            f"join it with the RUN above: `{joined}`",
            fix=_fix(dockerfile, previous, current, shells),
        )


def _fix(dockerfile, previous, current, shells):
    text = dockerfile.text
    for run in (previous, current):
        if run.exec_form is not None or run.heredocs or not run.args.strip():
            return None
    if not shells.get(current.index):
        return None  # PowerShell or cmd: `&&` and `{ ...; }` mean other things
    # the RUNs' own commands: those inside a `$(...)` are part of a word
    before, after = at_level(previous.script.commands), at_level(current.script.commands)
    if not before or not after:
        return None
    for command in before:
        if command.after in ("&", "|&") or command.before == "&":
            return None
        if command.depth:
            continue  # inside a subshell: nothing leaks out
        if command.words and command.words[0].text in STATEFUL:
            return None
    for command in after:
        if command.after in ("&", "|&") or command.before == "&":
            return None
    if _bare_assignment(text, previous, before):
        return None  # `X=1;` sets a shell variable the joined commands would see
    # nothing but closing words may follow the last command (no comment, no `;`)
    tail = text[max(c.end for c in before) : previous.end]
    if not CLOSING_RE.fullmatch(tail) or tail.rstrip().endswith(";"):
        return None
    current_tail = text[max(c.end for c in after) : current.end]
    if not CLOSING_RE.fullmatch(current_tail):
        return None
    wrap = any(c.before not in (None, "&&", "|") or c.after not in (None, "&&", "|") for c in after) or any(
        c.depth for c in after
    )
    if wrap and current_tail.rstrip().endswith(";"):
        return None
    newline = "\r\n" if text[previous.end : previous.end + 2] == "\r\n" else "\n"
    start = current.source_offset(current.args_index)
    kept = [line.strip() for line in text[previous.end : current.start].splitlines() if line.strip().startswith("#")]
    joiner = f" {dockerfile.escape}{newline}" + "".join(comment + newline for comment in kept) + "    && "
    edits = [Edit(previous.end, start, joiner + ("{ " if wrap else ""))]
    if wrap:
        edits.append(Edit(current.end, current.end, "; }"))
    return Fix("Join this RUN with the RUN above", tuple(edits), safe=False)
