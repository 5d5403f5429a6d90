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
Safe: replaces the `ADD` keyword with `COPY` (also in `ONBUILD ADD`), keeping the flags `COPY` knows (`--chown`,
`--chmod`, `--link`, `--exclude`). An `ADD` with a flag only `ADD` has (`--checksum`,
`--keep-git-dir`, `--unpack`) gets no fix.

## Not flagged
- Local tar archives, which `ADD` unpacks: `.tar`, `.tar.gz`/`.tgz`, `.tar.bz2`/`.tbz2`/
  `.tbz`, `.tar.xz`/`.txz`, `.tar.zst`/`.tzst`; also bare `.gz`, `.bz2`, `.xz`, `.zst`,
  `.lzma` files, since BuildKit decides by the content, not the name, whether to unpack.
- Remote sources (`http://`, `https://`, `git@`, any `scheme://`, `*.git`): DFS203's
  business.
- Sources whose name cannot be told (`ADD $FILE /x`, `ADD dist/* /x`, `ADD app.$EXT /x`):
  they may be archives or URLs.
- `ADD --unpack=true`: the unpacking is asked for.

## Variables
A source with variables dfslim cannot read is still local when it has no `://` and its
name (after the last `/`) ends in text that is not an archive's: `ADD $PWD/target/app-$REV.jar
/opt/app.jar` (`.jar`) and `ADD $CONF_DIR/nginx.conf /etc/nginx/` are flagged. One
exception, where the catalog leaves the choice: a source that starts with a variable whose
name says it holds an address (`${BASE_URL}/app.jar`, `$MIRROR/...`: `URL`, `URI`, `HOST`,
`MIRROR`, `SERVER`, `DOMAIN`, `ENDPOINT`, `CDN`, `REMOTE` as a part of the name, or a name
ending in `URL`/`URI`) is taken as a remote download and left to DFS203.
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
# a variable or a glob in a name: what follows the last one is the literal tail
UNKNOWN_RE = lazy_compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$.?|[*?]|\[[^\]]*\]?")
LEADING_VARIABLE_RE = lazy_compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
ONBUILD_RE = lazy_compile(r"ONBUILD\s+", re.IGNORECASE)
# parts of a variable name (split on `_`) that say it holds an address, not a folder
ADDRESS_PARTS = frozenset("URL URLS URI HOST HOSTNAME MIRROR SERVER DOMAIN ENDPOINT CDN REMOTE".split())


def _kind(source, scope):
    """"plain", "archive", "remote" or "unknown" for one ADD source."""
    if source.startswith("<<"):
        return "plain"
    source = expand(source, scope)
    if REMOTE_RE.match(source) or "://" in source or re.search(r"\.git(#|$)", source):
        return "remote"
    leading = LEADING_VARIABLE_RE.match(source)
    if leading and _names_an_address(leading.group(1)):
        return "unknown"  # `${BASE_URL}/app.jar`: the variable holds a server
    name = source.rstrip("/").rsplit("/", 1)[-1]
    if source.endswith("/") or name in (".", "..", ""):
        return "plain"  # a folder: its files are copied as they are
    unknowns = list(UNKNOWN_RE.finditer(name))
    tail = name[unknowns[-1].end() :] if unknowns else name
    lowered = tail.lower()
    if lowered.endswith(ARCHIVE_SUFFIXES) or ".tar." in lowered:
        return "archive"
    if unknowns and "." not in tail:
        return "unknown"  # `dist/*`, `$NAME`, `app.$EXT`: could be an archive or a URL
    return "plain"


def _names_an_address(variable: str) -> bool:
    """`BASE_URL`, `MIRROR`, `DOWNLOAD_HOST`, `BASEURL`: a variable that holds a server."""
    upper = variable.upper()
    return upper.endswith(("URL", "URI")) or any(part in ADDRESS_PARTS for part in upper.split("_"))


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
        start = _keyword_start(dockerfile.text, instruction)
        keyword = dockerfile.text[start : start + 3]
        fix = None
        if not extra and keyword.upper() == "ADD":
            fix = Fix("Replace `ADD` with `COPY`", (Edit(start, start + 3, "COPY" if keyword.isupper() else "copy"),))
        kept = [flag for flag in instruction.flags if flag.name in COPY_FLAGS]
        words = (["ONBUILD"] if instruction.onbuild else []) + ["COPY"]
        spelled = " ".join(words + [f"--{f.name}" + ("" if f.value is None else f"={f.value}") for f in kept] + instruction.args.split())
        suggestion = f"use `COPY`: `{spelled}`"
        if extra:
            suggestion = "use `COPY` (it has no " + ", ".join(f"`--{name}`" for name in extra) + f"): `{spelled}`"
        yield Violation(
            instruction,
            "`ADD` used to copy local files: `ADD` also unpacks archives and fetches URLs",
            suggestion,
            fix=fix,
            focus=(start, start + 3),
        )


def _keyword_start(text, instruction) -> int:
    """Where the `ADD` keyword is: the instruction's start, or after `ONBUILD`."""
    if not instruction.onbuild:
        return instruction.start
    held = ONBUILD_RE.match(text, instruction.start)
    return held.end() if held else instruction.start

