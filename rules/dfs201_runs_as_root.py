"""The shipped image runs as root.

## What it does
Flags the final image when its stage (and the stages it is built `FROM`) sets no `USER`
on a base image that runs as root, or when the last `USER` is `root` or `0` (with or
without a group).

## Why is this bad?
A process running as root inside the container is root on the container's filesystem
and, through any kernel or runtime flaw or a careless volume mount, closer to root on the
host. Dropping to an unprivileged user is the single cheapest hardening step, and most
apps need no privilege at all.

## Example
    FROM python:3.12-slim
    COPY . /app
    CMD ["python", "/app/main.py"]

## Use instead
    FROM python:3.12-slim
    RUN useradd --system --uid 10001 --no-create-home app
    COPY . /app
    USER app
    CMD ["python", "/app/main.py"]

On Alpine: `RUN addgroup -S app && adduser -S -G app app`. On `scratch` or distroless
(no `useradd`): `USER 65532:65532`, or a `:nonroot` distroless tag.

## Scope
Only the final image. Builder stages may run as root. Base images that default to a
non-root user (distroless `:nonroot` tags, Chainguard images) are fine without `USER`.
A base image dfslim has no data for (a vendor or company image may set its own user),
a base given by an unresolved `ARG`, and Windows images are not flagged when no `USER`
is set; an explicit `USER root` is flagged whatever the base. Nor are images whose
command is a bare shell or interpreter (`CMD ["python3"]`, `CMD ["bash"]`), or that set
no command at all (they keep the base image's shell or interpreter): base images others
build on, and toolboxes; and images whose entrypoint starts as root only to drop
to a service user (the official `postgres` image; images that install `gosu`,
`su-exec` or `setpriv` for that).
"""

import re

from dfslim.api import Meta, Severity, Violation, expand
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS201",
    name="runs-as-root",
    category="security",
    severity=Severity.WARNING,
    scope="final",
    others=("hadolint DL3002", "trivy DS-0002", "checkov CKV_DOCKER_3/8"),
)

ROOT_RE = lazy_compile(r"(root|0)(:.*)?")


def check(dockerfile):
    final = dockerfile.final_stage
    lineage = dockerfile.lineage(final)
    users = [i for stage in lineage for i in stage.instructions if i.keyword == "USER"]
    if users:
        last = users[-1]
        user = expand(last.args.strip(), last.scope)
        if ROOT_RE.fullmatch(user):
            yield Violation(
                last,
                f"the image runs as `{user}`: the last USER of the shipped stage is root",
                "switch to an unprivileged user after the steps that need root: "
                "`USER app` (created with `useradd --system --uid 10001 app`)",
            )
        return
    root = lineage[0]
    if _is_base_or_toolbox(lineage) or _steps_down(lineage, root.base_resolved):
        return
    if _runs_as_root_by_default(root.base_resolved):
        yield Violation(
            final.instruction,
            f"the image runs as root: no USER is set and `{root.base_resolved}` starts as root",
            _suggestion(root.base_resolved),
        )


# A bare shell or interpreter as the command: a base image others build on, or a toolbox.
INTERACTIVE_RE = lazy_compile(
    r"(?:(?:ba|a|z|da|k)?sh|python|pypy|perl|ruby|jruby|irb|node|php|jshell|erl|iex|pwsh"
    r"|powershell|cmd|ghci|julia|lua|tclsh|clojure|scala|groovysh|swift)[0-9.]*"  # python3.12
)
# Official images whose entrypoint drops from root to a service user before starting it.
STEPS_DOWN_FAMILIES = frozenset({"postgres"})
STEP_DOWN_TOOLS = frozenset({"gosu", "su-exec", "setpriv", "chpst", "s6-setuidgid"})


WRAPPER_RE = lazy_compile(r"tini|dumb-init|catatonit|.*entrypoint.*|--|-[a-z]")


def _is_base_or_toolbox(lineage) -> bool:
    """Whether the image's command (ENTRYPOINT + CMD, past wrappers such as tini and
    `docker-entrypoint.sh`) is a bare shell or interpreter."""
    last = {}
    for stage in lineage:
        for instruction in stage.instructions:
            if instruction.keyword in ("CMD", "ENTRYPOINT"):
                last[instruction.keyword] = instruction
    if not last:
        return True  # the command is the base image's: a shell or interpreter for every official image
    argv: list[str] = []
    for keyword in ("ENTRYPOINT", "CMD"):
        if keyword in last:
            instruction = last[keyword]
            form = instruction.exec_form
            argv += list(form) if form is not None else instruction.args.split()
    while argv and WRAPPER_RE.fullmatch(argv[0].rsplit("/", 1)[-1]):
        argv.pop(0)
    if not argv:
        return "CMD" not in last  # a wrapper around the base image's command
    if all(arg.startswith("-") for arg in argv):
        return True  # options to the wrapper's default program (`entrypoint -M --repl`)
    program = argv[0].rsplit("/", 1)[-1]
    return bool(INTERACTIVE_RE.fullmatch(program)) and all(arg.startswith("-") for arg in argv[1:])


def _steps_down(lineage, image: str) -> bool:
    """The entrypoint starts as root only to drop to a service user (gosu, su-exec)."""
    from dfslim.images import family_of

    if family_of(image) in STEPS_DOWN_FAMILIES:
        return True
    for stage in lineage:
        for instruction in stage.instructions:
            if instruction.keyword == "RUN" and any(word in STEP_DOWN_TOOLS for word in instruction.value.split()):
                return True
            if instruction.keyword in ("ENTRYPOINT", "CMD") and any(tool in instruction.value for tool in STEP_DOWN_TOOLS):
                return True
    return False


WINDOWS_RE = lazy_compile(r"windows|nanoserver|servercore|ltsc20\d\d", re.IGNORECASE)


def _runs_as_root_by_default(image: str) -> bool:
    if "$" in image or WINDOWS_RE.search(image):
        return False
    if image.lower() == "scratch":
        return True
    from dfslim.images import lookup

    info = lookup(image)
    return info is not None and info.default_user in ("root", "0")


def _suggestion(image: str) -> str:
    from dfslim.images import lookup

    info = lookup(image)
    shell = info.shell if info else None
    if shell == "none":
        return "add `USER 65532:65532` before CMD/ENTRYPOINT (no useradd here), or use a `:nonroot` distroless tag"
    if shell == "busybox":
        return "add `RUN addgroup -S app && adduser -S -G app app` and `USER app` before CMD/ENTRYPOINT"
    return "add `RUN useradd --system --uid 10001 --no-create-home app` and `USER app` before CMD/ENTRYPOINT"
