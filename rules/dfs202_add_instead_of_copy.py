"""`ADD` copies local files that `COPY` would copy the same way.

## What it does
Flags an `ADD` whose sources are all local files or folders of the build context (or a
heredoc) that `ADD` would not unpack: anything but a tar archive. `ADD <<EOF /x` counts
too: `COPY <<EOF /x` does the same.

## Why is this bad?
`ADD` does more than copy: it unpacks local tar archives and downloads URLs. Used for
plain files it hides that magic behind an ordinary-looking line: the day someone adds a
`.tar.gz` to the copied files, it is silently unpacked. `COPY` says what happens.

## Example
    ADD --chown=app:app requirements.txt app.py /app/

## Use instead
    COPY --chown=app:app requirements.txt app.py /app/

## Fix
Safe: replaces the `ADD` keyword with `COPY`, keeping the flags `COPY` knows (`--chown`,
`--chmod`, `--link`, `--exclude`). An `ADD` with a flag only `ADD` has (`--checksum`,
`--keep-git-dir`, `--unpack`) gets no fix.

## Not flagged
- Local tar archives, which `ADD` unpacks: `.tar`, `.tar.gz`/`.tgz`, `.tar.bz2`/`.tbz2`/
  `.tbz`, `.tar.xz`/`.txz`, `.tar.zst`/`.tzst`; also bare `.gz`, `.bz2`, `.xz`, `.zst`,
  `.lzma` files, since BuildKit decides by the content, not the name, whether to unpack.
- Remote sources (`http://`, `https://`, `git@`, any `scheme://`, `*.git`): DFS203's
  business.
- Sources whose name cannot be told (`ADD $FILE /x`, `ADD dist/* /x`): they may be
  archives or URLs.
- `ADD --unpack=true`: the unpacking is asked for.
"""

import re

from dfslim.api import Edit, Fix, Meta, Severity, Violation, copy_paths, expand
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS202",
    name="add-instead-of-copy",
    category="security",
    severity=Severity.WARNING,
    scope="all",
    fix="safe",
    others=("hadolint DL3020", "trivy DS-0005", "checkov CKV_DOCKER_4"),
)

COPY_FLAGS = {"chown", "chmod", "link", "exclude"}
ARCHIVE_SUFFIXES = (
    ".tar", ".tgz", ".taz", ".tbz", ".tbz2", ".tb2", ".txz", ".tzst", ".tlz", ".tz",
    ".gz", ".bz2", ".xz", ".zst", ".zstd", ".lzma", ".lz", ".z",
)
REMOTE_RE = lazy_compile(r"^([a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)
UNKNOWN_RE = lazy_compile(r"\$|[*?\[]")


def _kind(source, scope):
    """"plain", "archive", "remote" or "unknown" for one ADD source."""
    if source.startswith("<<"):
        return "plain"
    source = expand(source, scope)
    if REMOTE_RE.match(source) or re.search(r"\.git(#|$)", source):
        return "remote"
    if source.startswith("$"):
        return "unknown"  # may be a URL
    name = source.rstrip("/").rsplit("/", 1)[-1]
    if source.endswith("/") or name in (".", "..", ""):
        return "plain"  # a folder: its files are copied as they are
    tail = UNKNOWN_RE.split(name)[-1] if UNKNOWN_RE.search(name) else name
    lowered = tail.lower()
    if lowered.endswith(ARCHIVE_SUFFIXES) or ".tar." in lowered:
        return "archive"
    if tail is not name and "." not in tail:
        return "unknown"  # `dist/*`, `$NAME`, `app.$EXT`: could be an archive
    return "plain"


def check(dockerfile):
    for instruction in dockerfile.of("ADD"):
        paths = copy_paths(instruction)
        if paths is None:
            continue
        sources, _dest = paths
        unpack = instruction.flag("unpack")
        unpack = None if unpack is None else unpack.strip().lower() not in ("false", "0")
        if unpack:
            continue  # `--unpack` (true): the unpacking is asked for
        kinds = {_kind(source, instruction.scope) for source in sources}
        local = {"plain", "archive"} if unpack is False else {"plain"}
        if not kinds <= local:
            continue
        extra = sorted({flag.name for flag in instruction.flags} - COPY_FLAGS)
        start = instruction.start
        keyword = dockerfile.text[start : start + 3]
        fix = None
        if not extra and keyword.upper() == "ADD":
            fix = Fix("Replace `ADD` with `COPY`", (Edit(start, start + 3, "COPY" if keyword.isupper() else "copy"),))
        kept = [flag for flag in instruction.flags if flag.name in COPY_FLAGS]
        spelled = " ".join(["COPY"] + [f"--{f.name}" + ("" if f.value is None else f"={f.value}") for f in kept] + instruction.args.split())
        suggestion = f"use `COPY`: `{spelled}`"
        if extra:
            suggestion = "use `COPY` (it has no " + ", ".join(f"`--{name}`" for name in extra) + f"): `{spelled}`"
        yield Violation(
            instruction,
            "`ADD` used to copy local files: `ADD` also unpacks archives and fetches URLs",
            suggestion,
            fix=fix,
        )

