"""`WORKDIR` with a relative path depends on the base image's working directory.

## What it does
Flags a `WORKDIR` with a relative path (`WORKDIR app`) when no earlier `WORKDIR` of the
stage, or of the stages it is built `FROM`, set an absolute one.

## Why is this bad?
A relative `WORKDIR` is resolved against the working directory in effect, which comes from
the base image: `/` today, `/usr/src/app` or `/go` in another image or in the next release
of this one. Where the files end up then changes without any change to the Dockerfile.

## Example
    FROM python:3.12-slim
    WORKDIR app

## Use instead
    FROM python:3.12-slim
    WORKDIR /app

## Not flagged
- Absolute paths, also Windows ones (`C:\\app`, `c:/app`, `\\app`).
- Paths starting with a variable (`WORKDIR $HOME/app`, `WORKDIR ${APP_DIR}`), unless the
  variable's `ARG`/`ENV` value is known and relative.
- A relative `WORKDIR` after an absolute one in the same stage or an ancestor stage
  (`WORKDIR /app` then `WORKDIR src`).
"""

import re

from dfslim.api import Meta, Severity, Violation, expand
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS304",
    name="relative-workdir",
    category="correctness",
    severity=Severity.WARNING,
    scope="all",
    fix=None,
    others=("hadolint DL3000", "BuildKit WorkdirRelativePath"),
)

WINDOWS_ABSOLUTE = lazy_compile(r"[A-Za-z]:([\\/]|$)")


def check(dockerfile):
    for stage in dockerfile.stages:
        if _anchored_before(dockerfile, stage):
            continue
        for instruction in stage.instructions:
            if instruction.keyword != "WORKDIR":
                continue
            path = _path(instruction)
            if not path:
                continue
            if _absolute(path):
                break  # later relative ones resolve against it
            written = instruction.args.strip()
            name = path.lstrip("./\\") or "app"
            if _windows(dockerfile, stage) and dockerfile.escape == "`":
                example, root = "C:\\" + name.replace("/", "\\"), "`C:\\`"
            elif _windows(dockerfile, stage):
                # `\` is the escape character here: `C:\app` would read as `C:app`
                example, root = "C:/" + name.replace("\\", "/"), "`C:\\`"
            else:
                example, root = "/" + name, "`/`"
            suggestion = (
                f"use the absolute path you mean, e.g. `WORKDIR {example}` when the base image "
                f"works in {root}"
            )
            yield Violation(
                instruction,
                f"`WORKDIR {written}` is relative: where it ends up depends on the base image's working directory",
                suggestion,
                focus=instruction.args_span(),
            )


def _anchored_before(dockerfile, stage) -> bool:
    """Whether a stage this one is built FROM set an absolute (or variable) WORKDIR."""
    for ancestor in dockerfile.lineage(stage)[:-1]:
        for instruction in ancestor.instructions:
            if instruction.keyword == "WORKDIR" and _absolute(_path(instruction) or "x"):
                return True
    return False


WINDOWS_IMAGE = lazy_compile(r"windows|nanoserver|servercore|dotnet/framework", re.IGNORECASE)


def _windows(dockerfile, stage) -> bool:
    return dockerfile.escape == "`" or bool(WINDOWS_IMAGE.search(dockerfile.lineage(stage)[0].base_resolved))


def _path(instruction) -> str:
    text = instruction.args.strip()
    if instruction.exec_form is not None and len(instruction.exec_form) == 1:
        text = instruction.exec_form[0]
    elif len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return expand(text, instruction.scope).strip()


def _absolute(path: str) -> bool:
    return path.startswith(("/", "\\", "$")) or WINDOWS_ABSOLUTE.match(path) is not None
