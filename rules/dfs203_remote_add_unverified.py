"""`ADD` fetches a remote file or Git repository without verifying what it got.

## What it does
Flags an `ADD` whose source is an `http://` or `https://` URL and that has no
`--checksum=`, and an `ADD` of a Git repository (`https://host/owner/repo.git#ref`,
`git@host:owner/repo.git`, `git://`, `ssh://`) that is not pinned to a commit: no ref, or
a ref that is a branch or a tag (`#main`, `#v1.2.3`), and no `--checksum=`. Sources are
read after `ARG`/`ENV` substitution.

## Why is this bad?
Whatever the server returns that day goes into the image: a compromised release
page, a replaced asset, a man-in-the-middle on plain `http://`, or a branch that moved.
The build still succeeds, so nobody notices. A checksum (or a commit id, which is one)
makes the build fail instead.

## Example
    ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini
    ADD https://github.com/moby/buildkit.git#v0.13.0 /src/buildkit

## Use instead
    ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c \
        https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini
    ADD https://github.com/moby/buildkit.git#2ae42e0a8dc7e9d3c9a5b5d47bbd3e0f3a9c7a1e /src/buildkit

or download with `curl` in a `RUN` and check the file with `sha256sum -c` before using it.

## Pinned or not
A 40-hex (SHA-1) or 64-hex (SHA-256) commit id after `#` (optionally followed by
`:subdir`) is pinned; so is `--checksum=` on a Git source (recent Dockerfile frontends
check it against the commit). A branch is not pinned, and neither is a tag: a tag is
a name the repository owner can move to another commit (and `#v1` cannot be told from
a branch called `v1`). Sources in a variable dfslim cannot read are not flagged, nor
URLs that point at the machine itself (`localhost`, `127.0.0.1`, `::1`, `0.0.0.0`: a
local test server, nothing crosses a network).
"""

import re

from dfslim.api import Meta, Severity, Violation, arg_span, expand, is_loopback, split_words, unquote
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS203",
    name="remote-add-unverified",
    category="security",
    severity=Severity.WARNING,
)

COMMIT_RE = lazy_compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")


def is_git(source: str) -> bool:
    """Whether an `ADD` source is a Git repository, as BuildKit tells them apart."""
    if source.startswith(("git@", "git://", "ssh://")):
        return True
    if not source.lower().startswith(("http://", "https://")):
        return False
    path = source.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return path.endswith(".git")


def git_ref(source: str) -> str:
    """The ref of a Git source (`#ref:subdir` or `?ref=`/`?commit=`), "" when none."""
    _, _, fragment = source.partition("#")
    ref = fragment.split(":", 1)[0]
    query = source.split("#", 1)[0].partition("?")[2]
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key in ("commit", "checksum") and COMMIT_RE.fullmatch(value):
            return value
        if key in ("ref", "tag", "branch") and not ref:
            ref = value
    return ref


def check(dockerfile):
    for instruction in dockerfile.of("ADD"):
        if instruction.heredocs:
            continue
        checksum = instruction.flag("checksum")
        sources, dest = _sources(instruction)
        for source in sources:
            if is_git(source):
                ref = git_ref(source)
                if checksum or COMMIT_RE.fullmatch(ref):
                    continue
                what = f"the ref `{ref}` is a branch or a tag, which can move" if ref else "no commit is pinned"
                if "?" in source.split("#", 1)[0]:
                    pinned = f"`ADD --checksum=<commit sha> {source} {dest}`"
                else:
                    pinned = f"`ADD {source.split('#', 1)[0]}#<commit sha> {dest}`, or keep the ref and add `--checksum=<commit sha>`"
                yield Violation(
                    instruction,
                    f"`ADD {source}` fetches a Git repository unverified: {what}",
                    f"pin the commit: {pinned}",
                    focus=arg_span(instruction, source, dockerfile.escape),
                )
                break
            if source.lower().startswith(("http://", "https://")) and not checksum and not is_loopback(source):
                yield Violation(
                    instruction,
                    f"`ADD {source}` downloads a file without checking it (`--checksum=` is missing)",
                    f"`{_with_checksum(dockerfile, instruction)}`, or download with `curl -fsSLo` in a RUN "
                    "and verify it with `sha256sum -c` before use",
                    focus=arg_span(instruction, source, dockerfile.escape),
                )
                break


def _sources(instruction):
    """The sources of an `ADD` and its destination, variables substituted."""
    if instruction.exec_form is not None:
        words = list(instruction.exec_form)
    else:
        words = [unquote(word) for word in split_words(instruction.args)]
    words = [expand(word, instruction.scope) for word in words]
    return words[:-1], (words[-1] if words else "")


def _with_checksum(dockerfile, instruction) -> str:
    """The ADD as it should read: `--checksum=sha256:<digest>` after the keyword."""
    text = dockerfile.text
    keyword_end = instruction.source_offset(0)
    line = text[instruction.start : keyword_end] + "--checksum=sha256:<sha256 of the file> " + instruction.value
    return re.sub(r"\s+", " ", line).strip()
