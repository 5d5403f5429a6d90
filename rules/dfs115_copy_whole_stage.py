"""`COPY --from` copies another stage's or image's whole filesystem.

## What it does
Flags a `COPY --from=...` whose source is the root of the other stage or image: `/`,
`/.`, `//`, and `.` or `./` (a `--from` source is resolved from that filesystem's root,
not from its `WORKDIR`).

## Why is this bad?
A builder stage exists so that its compilers, headers, caches and sources stay behind;
copying `/` ships all of them, plus a second copy of the builder's base system on top of
the final one. Copy only the artifacts the image runs.

## Example
    FROM golang:1.22 AS build
    RUN go build -o /out/app ./cmd/app
    FROM gcr.io/distroless/static
    COPY --from=build / /

## Use instead
    COPY --from=build /out/app /usr/local/bin/app

## Scope
Only stages that ship. `--from` may name a stage, a stage index or an image: it is
flagged when what it names holds a system — a stage that runs commands (`RUN`), or whose
root image is a known OS, runtime or build-tool image; an image dfslim knows as such
(`COPY --from=busybox / /` ships a whole BusyBox system).

## Not flagged
Copying the root of an artifact-only source is the intended use of such images and
stages: a stage built `FROM scratch` that only copies files in, an image dfslim has no
data for (`COPY --from=tonistiigi/xx / /`, `crazymax/yasu`: single-artifact images
built `FROM scratch`), a named build context (`--build-context`), an unresolved
`--from=${VAR}`.

Flattening: `FROM scratch` followed by a `COPY --from=X / /` is the usual way to squash
the layers of a stage that *is* the product (its deleted files really disappear), not to
pick artifacts from a builder. A narrower source path is never flagged.
"""

import posixpath

from dfslim.api import Meta, Severity, Violation, arg_span, copy_paths, expand
from dfslim.images import lookup

META = Meta(
    id="DFS115",
    name="copy-whole-stage",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix=None,
    others=("hadolint DL3067",),
)


def _is_root(source):
    if "$" in source or any(char in source for char in "*?["):
        return False
    return posixpath.normpath(posixpath.join("/", source)) == "/"


def check(dockerfile):
    for instruction in dockerfile.of("COPY"):
        origin = instruction.flag("from")
        if not origin:
            continue
        paths = copy_paths(instruction)
        if paths is None:
            continue
        sources, dest = paths
        root = next((source for source in sources if _is_root(expand(source, instruction.scope))), None)
        if root is None:
            continue
        stage = dockerfile.stage_of(instruction)
        if stage is not None and _flattens(stage, instruction, dest):
            continue
        origin = expand(origin, instruction.scope)
        source_stage = dockerfile.find_stage(origin)
        if not _holds_a_system(dockerfile, origin, source_stage):
            continue
        what = f"stage `{source_stage.label}`" if source_stage else f"image `{origin}`"
        yield Violation(
            instruction,
            f"`COPY --from={origin}` copies the whole filesystem of {what} into the image",
            f"copy only the files the image needs, e.g. `COPY --from={origin} /path/to/artifact {dest}`",
            focus=arg_span(instruction, expand(root, instruction.scope), dockerfile.escape),
        )


def _holds_a_system(dockerfile, origin, stage):
    """Whether the stage or image copied from holds an operating system or toolchain,
    not only artifacts: a stage that runs commands, or whose root image is a known OS,
    runtime or build-tool image. A stage built FROM scratch that only copies files in,
    an unknown image (`tonistiigi/xx`, `crazymax/yasu` are single-artifact images built
    FROM scratch) or a named build context (`--build-context name=...`) does not count."""
    if "$" in origin:
        return False
    if stage is None:
        return _known_system(origin)
    lineage = dockerfile.lineage(stage)
    if any(instruction.keyword == "RUN" for ancestor in lineage for instruction in ancestor.instructions):
        return True
    return _known_system(lineage[0].base_resolved)


def _known_system(reference):
    if "$" in reference:
        return False
    info = lookup(reference)
    return info is not None and info.kind in ("os", "runtime", "build-tool")


def _flattens(stage, instruction, dest):
    """`FROM scratch` + `COPY --from=X / /` as the stage's first filesystem change."""
    if stage.base_resolved.strip().lower() != "scratch" or posixpath.normpath(dest) != "/":
        return False
    for earlier in stage.instructions:
        if earlier is instruction:
            return True
        if earlier.keyword in ("COPY", "ADD", "RUN"):
            return False
    return False
