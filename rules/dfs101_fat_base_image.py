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
and distribution release. When the image or its tag comes from the default of a global
`ARG` that only this `FROM` uses (`ARG PYTHON_VERSION=3.12` / `FROM
python:${PYTHON_VERSION}`), the fix edits that default (`ARG PYTHON_VERSION=3.12-slim`),
where the version is kept; when other instructions use the `ARG` too, it appends the
suffix to the `FROM` instead (`FROM python:${PYTHON_VERSION}-slim`) where that names the
smaller image, else there is no fix. It is unsafe because the slim variant lacks packages the full
one has (compilers, `-dev` headers, `git`, `curl`...): a `RUN` that needs them must
install them. When a `RUN` built on the image calls a program that `buildpack-deps` (the
base of the full `python` and `node` images too) installs and the smaller image lacks
(`curl`, `wget`, `gpg`, `git`, `ssh`, `make`, `gcc`...), and no install of the file brings
it, there is no fix: the suggestion names the packages to install first.

## Scope
Only stages that ship. Stage names, `scratch`, `-slim`/`-alpine` variants, distroless and
Chainguard images, and images or registries dfslim has no data for are never flagged.
"""

import re

from dfslim.api import Edit, Fix, Meta, Severity, Violation, build_graph, debian_release, installed_packages, package_name, unquote
from dfslim.regex import lazy_compile

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
            yield _fat(dockerfile, stage, info)
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


def _fat(dockerfile, stage, info):
    instruction = stage.instruction
    saving = _difference(info.size_bytes, info.smaller_size_bytes)
    sizes = ""
    if info.size_bytes and info.smaller_size_bytes:
        sizes = f" ({_mb(info.size_bytes)}; `{info.smaller}` is {_mb(info.smaller_size_bytes)})"
    default = _arg_default_edit(dockerfile, stage, info.smaller)
    if default is not None:
        edit, setting = default
        title = f"Use `{info.smaller}`: `{setting}`"
        suggestion = f"use `{info.smaller}`: set `{setting}` (the `FROM` takes its image from that `ARG`)"
    else:
        edit = _image_edit(stage, info)
        title = f"Use `{info.smaller}`"
        suggestion = f"use `{_from_line(stage, info.smaller)}`"
    lacking = _lacking_programs(dockerfile, stage, info)
    if lacking:
        # the swap alone would break the build: no fix, and the suggestion says what to add
        edit = None
        programs = ", ".join(PROGRAM_LABELS.get(program, f"`{program}`") for program in lacking)
        names = " ".join(dict.fromkeys(lacking.values()))
        suggestion += (f"; it lacks {programs}, which this file calls: install "
                       f"`{names}` there (`apt-get install -y --no-install-recommends {names}`)")
    else:
        suggestion += ", and install the few packages the app needs at run time"
    fix = Fix(title, (edit,), safe=False) if edit else None
    return Violation(
        instruction,
        f"`{stage.base_resolved}` is the full image{sizes}; the app rarely needs what it adds",
        suggestion,
        fix=fix,
        savings_bytes=saving,
        focus=stage.instruction.args_span(first_word=True),
    )


# What a full image carries on top of its smaller variant, as the programs a RUN calls and
# the Debian package of each. buildpack-deps (docker-library/buildpack-deps at 8330ca1d,
# debian/<release>/{curl,scm,}/Dockerfile; ubuntu/ alike): `-curl` installs ca-certificates,
# curl, gnupg, netbase and wget on debian:<release>; `-scm` adds git, mercurial,
# openssh-client, subversion and procps; the plain tag adds compilers, autotools, make,
# patch, unzip, xz-utils, bzip2, file, imagemagick and -dev headers. The full python and
# node images are built FROM buildpack-deps:<release> (docker-library/python at 4f070595,
# 3.12/bookworm/Dockerfile; nodejs/docker-node at f27d936f, 22/bookworm/Dockerfile); their
# -slim images install none of these programs.
BUILDPACK_PROGRAMS = {
    "curl": {"curl": "curl", "wget": "wget", "gpg": "gnupg"},
    "scm": {
        "git": "git", "hg": "mercurial", "svn": "subversion", "ssh": "openssh-client", "scp": "openssh-client",
        "ssh-keyscan": "openssh-client", "ssh-keygen": "openssh-client", "ps": "procps", "pgrep": "procps",
        "pkill": "procps",
    },
    "": {
        "gcc": "gcc", "cc": "gcc", "g++": "g++", "c++": "g++", "make": "make", "patch": "patch", "unzip": "unzip",
        "xz": "xz-utils", "unxz": "xz-utils", "bzip2": "bzip2", "bunzip2": "bzip2", "file": "file",
        "autoconf": "autoconf", "autoreconf": "autoconf", "automake": "automake", "aclocal": "automake",
        "libtoolize": "libtool", "convert": "imagemagick", "identify": "imagemagick",
        "configure": "gcc",  # an autoconf `./configure` looks for a C compiler first
    },
}
PROGRAM_LABELS = {"configure": "a C compiler for `./configure`"}
BUILDPACK_LEVELS = {"curl": ("curl",), "scm": ("curl", "scm"), "": ("curl", "scm", "")}
# image family -> the family of `dfslim.packages`' base lists of its smaller image
BUILDPACK_FAMILIES = {"buildpack-deps": None, "python": "python-slim", "node": "node-slim"}


def _lacking_programs(dockerfile, stage, info) -> dict[str, str]:
    """The programs the RUNs built on `stage` call that the full image has and its smaller
    variant lacks, and that no install of the file brings (program -> its package)."""
    if info.family not in BUILDPACK_FAMILIES:
        return {}
    level = info.variant if info.family == "buildpack-deps" else ""
    if level not in BUILDPACK_LEVELS:
        return {}
    carried = {p: pkg for part in BUILDPACK_LEVELS[level] for p, pkg in BUILDPACK_PROGRAMS[part].items()}
    called, named = {}, set()
    for built in dockerfile.stages:
        if stage not in dockerfile.lineage(built):
            continue
        for instruction in built.instructions:
            if instruction.keyword != "RUN":
                continue
            for command in instruction.script.commands:
                named.update(package_name(word.text) for word in installed_packages(command))
                if command.name in carried:
                    called.setdefault(command.name, carried[command.name])
    if not called:
        return {}
    present = named | _closure(dockerfile, stage, info, named)
    return {program: package for program, package in called.items() if package not in present}


def _closure(dockerfile, stage, info, named) -> set[str]:
    """What the file's installs bring on the smaller image (their dependencies: build-essential
    brings gcc and make), with the smaller image's own packages, where the table knows them."""
    from dfslim import packages

    release = debian_release(dockerfile, stage.instruction)
    if release is None:
        return set()
    base_family = BUILDPACK_FAMILIES[info.family]
    base = packages.base_packages(base_family or "debian", release) or frozenset()
    return set(base) | (packages.closure(sorted(named), release, False, base) or set())


def _build_tool(stage, info):
    runtime = "gcr.io/distroless/static-debian12" if info.family in ("golang", "rust") else "a slim runtime image"
    return Violation(
        stage.instruction,
        f"`{stage.base_resolved}` is a build toolchain and it ships in the final image",
        f"build in a stage `FROM {stage.base_resolved} AS build`, then `FROM {runtime}` and "
        "`COPY --from=build` only the built artifacts",
        savings_bytes=info.size_bytes,
        focus=stage.instruction.args_span(first_word=True),
    )


def _from_line(stage, image: str) -> str:
    platform = f"--platform={stage.platform} " if stage.platform else ""
    name = f" AS {stage.name}" if stage.name else ""
    return f"FROM {platform}{image}{name}"


# one `$NAME` or `${NAME}` (no `:-` default) in the image as written
REFERENCE_RE = lazy_compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


def _arg_default_edit(dockerfile, stage, smaller: str) -> tuple[Edit, str] | None:
    """When the image's tag (or the whole image) comes from one global `ARG` whose
    default only this FROM uses (`ARG PY=3.12` / `FROM python:${PY}`): the edit of that
    default that makes the FROM name `smaller`, and the ARG as it then reads."""
    span = stage.instruction.args_span(first_word=True)
    if span is None:
        return None
    written = dockerfile.text[span[0] : span[1]]
    references = list(REFERENCE_RE.finditer(written))
    if len(references) != 1 or written.count("$") != 1:
        return None
    reference = references[0]
    name = reference.group("braced") or reference.group("plain")
    prefix, suffix = written[: reference.start()], written[reference.end() :]
    if not (smaller.startswith(prefix) and smaller.endswith(suffix)) or len(smaller) <= len(prefix) + len(suffix):
        return None
    wanted = smaller[len(prefix) : len(smaller) - len(suffix)]
    default = _global_default(dockerfile, name)
    if default is None or not _used_only_by(dockerfile, name, stage.instruction, default[0]):
        return None
    _arg, start, end, value = default
    if prefix + value + suffix != stage.base_resolved:
        return None
    return Edit(start, end, wanted), f"ARG {name}={wanted}"


def _global_default(dockerfile, name: str):
    """(ARG instruction, start, end, value) of the last global `ARG name=value`, the
    offsets spanning the value inside its quotes; None when it has none or it holds a
    variable."""
    found = None
    pattern = re.compile(r"(?<!\S)" + re.escape(name) + r"=(\"[^\"]*\"|'[^']*'|\S*)")
    for instruction in dockerfile.by_keyword.get("ARG", ()):
        if instruction.stage >= 0:
            break
        for match in pattern.finditer(instruction.args):
            raw = match.group(1)
            quoted = raw[:1] in ("'", '"')
            at = instruction.args_index + match.start(1) + (1 if quoted else 0)
            value = unquote(raw, dockerfile.escape)
            start = instruction.source_offset(at)
            found = (instruction, start, start + len(value), value)
    if found is None or "$" in found[3] or dockerfile.text[found[1] : found[2]] != found[3]:
        return None
    return found


def _used_only_by(dockerfile, name: str, instruction, declaration) -> bool:
    """Whether `$name` appears nowhere but in `instruction`, and no stage declares the
    ARG again (which would bring its value into that stage)."""
    uses = re.compile(r"\$\{?" + re.escape(name) + r"(?![A-Za-z0-9_])")
    for match in uses.finditer(dockerfile.text):
        if not instruction.start <= match.start() < instruction.end:
            return False
    declares = re.compile(r"(?<!\S)" + re.escape(name) + r"(?:=|\s|$)")
    return not any(
        arg is not declaration and declares.search(arg.args) for arg in dockerfile.by_keyword.get("ARG", ())
    )


def _image_edit(stage, info) -> Edit | None:
    """Replace the image as written; with variables in it, only when the smaller tag is
    the resolved one plus a suffix (`python:${PY}` -> `python:${PY}-slim`)."""
    span = stage.instruction.args_span(first_word=True)
    if span is None:
        return None
    start, end = span
    written = stage.instruction.args.split()[0]
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
