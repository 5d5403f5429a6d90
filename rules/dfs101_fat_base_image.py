"""The shipped image is built on a full base image that has a much smaller official variant.

## What it does
Flags a `FROM` in a stage that ships when it names the full variant of an official image
with a much smaller sibling: `python:3.12` (or `python:3.12-bookworm`) rather than
`python:3.12-slim`, `node:20` rather than `node:20-slim`, `debian:bookworm` rather than
`debian:bookworm-slim`, a JDK (`eclipse-temurin:17`) where a JRE exists,
`buildpack-deps`. It also flags build-tool images (`golang`, `rust`, `gcc`, `maven`,
`gradle`, the .NET SDK) used as the shipped stage of an app, that is when the image's
`CMD`/`ENTRYPOINT` starts something other than the toolchain or a shell (a build or test
environment ships its tools on purpose).

## Why is this bad?
The full variants carry compilers, headers and hundreds of Debian packages that an app
rarely needs at run time: `python:3.12` is about 1 GB where `python:3.12-slim` is about
120 MB. Every pull, push and cold start pays for it, and every extra package is one
more thing for a vulnerability scanner to report.

## Example
    FROM python:3.12
    COPY . /app
    RUN pip install --no-cache-dir -r /app/requirements.txt

## Use instead
    FROM python:3.12-slim
    COPY . /app
    RUN pip install --no-cache-dir -r /app/requirements.txt

A build-tool image belongs in a builder stage: compile there and copy the result into a
small image (`scratch`, distroless, or a `-slim` runtime).

## Fix
Unsafe (`--unsafe-fixes`): swaps the image for the smaller variant of the same version
and distribution release. It is unsafe because the slim variant lacks packages the full
one has (compilers, `-dev` headers, `git`, `curl`...): a `RUN` that needs them must
install them.

## Scope
Only stages that ship. Stage names, `scratch`, `-slim`/`-alpine` variants, distroless and
Chainguard images, and images or registries dfslim has no data for are never flagged.
"""

from dfslim.api import Edit, Fix, Meta, Severity, Violation, build_graph

META = Meta(
    id="DFS101",
    name="fat-base-image",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="unsafe",
)


def check(dockerfile):
    from dfslim.images import lookup

    for stage in dockerfile.stages:
        if stage.parent is not None or "$" in stage.base_resolved:
            continue
        info = lookup(stage.base_resolved)
        if info is None:
            continue
        if info.is_full and info.smaller:
            yield _fat(stage, info)
        elif info.kind == "build-tool" and _runs_an_app(dockerfile, stage):
            yield _build_tool(stage, info)


TOOLCHAIN_COMMANDS = frozenset(
    "go make cargo rustc rustup mvn mvnw gradle gradlew gcc g++ cc clang cmake ninja "
    "sh bash ash zsh npm yarn tox pytest".split()
)


def _runs_an_app(dockerfile, stage) -> bool:
    """Whether the image built on `stage` starts an app (a CMD/ENTRYPOINT that is not the
    toolchain itself or a shell): a build or test environment ships its tools on purpose."""
    graph = build_graph(dockerfile)
    shipped = [s for s in dockerfile.stages if graph.ships(s) and stage in dockerfile.lineage(s)]
    commands = [i for s in shipped for i in s.instructions if i.keyword in ("CMD", "ENTRYPOINT")]
    if not commands:
        return False
    last = commands[-1]
    argv = last.exec_form if last.exec_form is not None else tuple(last.args.split())
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    return bool(program) and program not in TOOLCHAIN_COMMANDS and program != "dotnet"


def _fat(stage, info):
    instruction = stage.instruction
    saving = _difference(info.size_bytes, info.smaller_size_bytes)
    sizes = ""
    if info.size_bytes and info.smaller_size_bytes:
        sizes = f" ({_mb(info.size_bytes)}; `{info.smaller}` is {_mb(info.smaller_size_bytes)})"
    line = _from_line(stage, info.smaller)
    edit = _image_edit(stage, info)
    fix = Fix(f"Use `{info.smaller}`", (edit,), safe=False) if edit else None
    return Violation(
        instruction,
        f"`{stage.base_resolved}` is the full image{sizes}; the app rarely needs what it adds",
        f"use `{line}`, and install the few packages the app needs at run time",
        fix=fix,
        savings_bytes=saving,
    )


def _build_tool(stage, info):
    runtime = "gcr.io/distroless/static-debian12" if info.family in ("golang", "rust") else "a slim runtime image"
    return Violation(
        stage.instruction,
        f"`{stage.base_resolved}` is a build toolchain and it ships in the final image",
        f"build in a stage `FROM {stage.base_resolved} AS build`, then `FROM {runtime}` and "
        "`COPY --from=build` only the built artifacts",
        savings_bytes=info.size_bytes,
    )


def _from_line(stage, image: str) -> str:
    platform = f"--platform={stage.platform} " if stage.platform else ""
    name = f" AS {stage.name}" if stage.name else ""
    return f"FROM {platform}{image}{name}"


def _image_edit(stage, info) -> Edit | None:
    """Replace the image as written; with variables in it, only when the smaller tag is
    the resolved one plus a suffix (`python:${PY}` -> `python:${PY}-slim`)."""
    instruction = stage.instruction
    args = instruction.args
    written = args.split()[0] if args.split() else ""
    offset = instruction.args_index + (len(args) - len(args.lstrip()))
    start = instruction.source_offset(offset)
    end = start + len(written)
    if "$" not in written:
        return Edit(start, end, info.smaller)
    resolved = stage.base_resolved
    if "@" not in resolved and info.smaller.startswith(resolved):
        return Edit(end, end, info.smaller[len(resolved) :])
    return None


def _difference(size: int | None, smaller: int | None) -> int | None:
    if size and smaller and size > smaller:
        return size - smaller
    return None


def _mb(size: int) -> str:
    return f"~{size / 10**9:.1f} GB" if size >= 10**9 else f"~{round(size / 10**6)} MB"
