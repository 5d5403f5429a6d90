"""The shipped image runs as root.

## What it does
Flags every build target (the last stage, and each leaf stage no later stage uses whose
name does not mark a test, development or debug stage; `--target` names them instead)
whose container starts as root: its stage (and the stages it is built `FROM`) sets no
`USER` on a base image that starts as root, or its last `USER` is `root` or `0` (with or
without a group: `root:app`, `0:0`). An image that sets no `CMD` or `ENTRYPOINT` is
flagged too: compose or Kubernetes give it a command, and that command runs as root.

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
(no `useradd`): `USER 65532:65532`, or a `:nonroot` distroless tag. On `nginx`, whose
master process needs root for port 80, `/var/cache/nginx` and its pid file (a bare `USER`
stops it starting): `nginxinc/nginx-unprivileged` with the same tag, which runs as uid 101
and listens on 8080.

## Where it points
At the last `USER` when it names root; else at the target's `FROM` (the last stage's, or
that of the other target, whose name the message then gives). One root `USER` in a stage
several targets are built `FROM` is one finding, naming the targets that end on it.

## Not flagged
- Builder stages, and leaf stages named as test, development or debug stages.
- A base image that starts as a non-root user (distroless `:nonroot` tags, Chainguard,
  `*-chiseled`, the images dfslim's table lists as non-root). What a base image starts as
  comes from the published Dockerfile or image config of each base (the sources are cited
  in `dfslim/data/default_users.json`); `scratch` starts as root. A base dfslim has no
  data for (a vendor or company image may set its own user), a base given by an
  unresolved `ARG`, and Windows images are not flagged when no `USER` is set; an explicit
  `USER root` is flagged whatever the base.
- No `USER`, and a command that is a bare shell or interpreter (`CMD ["python3"]`,
  `CMD ["bash"]`, also behind `tini` or an entrypoint script): a toolbox, or a base image
  others build on, that keeps its base's default user.
- An image whose entrypoint starts as root only to drop to a service user: the image
  installs or copies in `gosu`, `su-exec` or `setpriv` (or `chpst`, `s6-setuidgid`), or its
  base is an official image whose own entrypoint does so (`postgres`, `mysql`, `mariadb`,
  `mongo`, `redis`, `rabbitmq`, as the table records).
- An artifact stage: `FROM scratch` holding copied files only (no `RUN`, `CMD` or
  `ENTRYPOINT`), as `docker build --target binaries --output type=local,dest=out` exports
  them. Nothing runs in it.
- A file that builds a base image for others: its name is a base image's
  (`Dockerfile.base`, `Dockerfile-base.gpu`, `base.Dockerfile`, `python-base.Dockerfile`:
  `base` right before or after the word `Dockerfile`/`Containerfile`), or it declares
  `ONBUILD` triggers. The images built from it choose their user.
- A last `USER` naming any other user or uid, `${UID}` with a numeric default included;
  a `USER` without an argument (BuildKit rejects it, so no image is built).

Where the catalog is silent: an explicit last `USER root` is a choice, not a default, so
it is flagged also under a bare shell or interpreter command (as hadolint's DL3002 does);
it is not flagged when the entrypoint steps down or the file builds a base image. An
`ENTRYPOINT` that is only a wrapper (`tini --`, `docker-entrypoint.sh`) with no `CMD` is
an image without a command (an ENTRYPOINT drops the CMD of the image it is built on).
`USER ${RUN_AS}` whose value is unknown is taken as non-root. A `FROM scratch` target
with copied files only is an artifact stage, not an image without a command.
"""

from typing import NamedTuple

from dfslim.api import Meta, Severity, Violation, build_graph, expand
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS201",
    name="runs-as-root",
    category="security",
    severity=Severity.WARNING,
    scope="final",
    others=("hadolint DL3002", "trivy DS-0002", "checkov CKV_DOCKER_3/8"),
)

ROOT_RE = lazy_compile(r"(root|0+)(:.*)?")
# A bare shell or interpreter as the command: a base image others build on, or a toolbox.
INTERACTIVE_RE = lazy_compile(
    r"(?:(?:ba|a|z|da|k)?sh|python|pypy|perl|ruby|jruby|irb|node|php|jshell|erl|iex|pwsh"
    r"|powershell|cmd|ghci|julia|lua|tclsh|clojure|scala|groovysh|swift)[0-9.]*(?:-preview)?"  # python3.12, pwsh-preview
)
# Programs that run the command after them: an init, an entrypoint script, their options.
WRAPPER_RE = lazy_compile(r"tini|dumb-init|catatonit|.*entrypoint.*|--|-[a-z]")
STEP_DOWN_RE = lazy_compile(r"(?<![\w-])(?:gosu|su-exec|setpriv|chpst|s6-setuidgid)(?![\w-])")
STEP_DOWN_KEYWORDS = frozenset({"RUN", "COPY", "ADD", "ENTRYPOINT", "CMD"})
# `Dockerfile.base`, `Dockerfile-base.gpu`, `base.Dockerfile`, `python-base.Containerfile`
BASE_FILE_RE = lazy_compile(r"(?:docker|container)file[-_.]base(?:[-_.].*)?|(?:.*[-_.])?base[-_.](?:docker|container)file")


def check(dockerfile):
    if _builds_a_base_image(dockerfile):
        return
    graph = build_graph(dockerfile)
    found: dict[int, tuple] = {}  # by instruction index: (instruction, user, image, targets)
    for index in graph.targets:
        target = dockerfile.stages[index]
        verdict = _runs_as_root(dockerfile, target)
        if verdict is not None:
            instruction, user, image = verdict
            found.setdefault(instruction.index, (instruction, user, image, []))[3].append(target)
    for instruction, user, image, targets in found.values():
        violation = _violation(instruction, user, image, tuple(targets))
        if any(_lives_under_root(dockerfile, target) for target in targets):
            violation = violation._replace(suggestion=violation.suggestion + (
                "; the app lives under `/root` (mode 700), which another user cannot enter: move it "
                "(to `/opt/app`, say) and `chown` it to that user first"))
        ports = sorted({port for target in targets for port in _privileged_ports(dockerfile, target)})
        if ports and not violation.suggestion.startswith("use `nginxinc/"):
            shown = ", ".join(str(port) for port in ports[:3])
            violation = violation._replace(suggestion=violation.suggestion + (
                f"; it exposes port {shown}: a non-root process binds a port below 1024 only where the runtime "
                "allows it (Docker does; a Kubernetes pod may not), else move to a port above 1023"))
        yield violation


def _privileged_ports(dockerfile, target) -> list[int]:
    """The ports below 1024 the image's stages EXPOSE (`80`, `443/tcp`; ranges skipped)."""
    found = []
    for stage in dockerfile.lineage(target):
        for instruction in stage.instructions:
            if instruction.keyword != "EXPOSE":
                continue
            for word in expand(instruction.args, instruction.scope).split():
                number = word.split("/", 1)[0]
                if number.isdigit() and 0 < int(number) < 1024:
                    found.append(int(number))
    return found


def _lives_under_root(dockerfile, target) -> bool:
    """Whether the image's app sits in root's home: a WORKDIR, a COPY/ADD destination or
    the command's program under `/root`."""
    for stage in dockerfile.lineage(target):
        for instruction in stage.instructions:
            if instruction.keyword == "WORKDIR":
                paths = [instruction.args.strip().strip("\"'")]
            elif instruction.keyword in ("COPY", "ADD"):
                paths = instruction.args.split()[-1:]
            elif instruction.keyword in ("CMD", "ENTRYPOINT"):
                form = instruction.exec_form
                paths = list(form[:1]) if form else instruction.args.split()[:1]
            else:
                continue
            if any(path == "/root" or path.startswith("/root/") or path.startswith("~/") for path in paths):
                return True
    return False


class _StageFacts(NamedTuple):
    """What one stage itself says about the user its image runs as."""

    last_user: object  # its last USER instruction, or None
    commands: tuple  # its CMD and ENTRYPOINT instructions, in order
    steps_down: bool  # an instruction installs, copies in or runs gosu, su-exec, setpriv...
    runs: bool  # it has a RUN, CMD or ENTRYPOINT


def _stage_facts(dockerfile) -> dict:
    """`_StageFacts` of every stage, by index: found once per file, as targets share
    the stages they are built FROM."""
    facts = {}
    for stage in dockerfile.stages:
        users = [i for i in stage.instructions if i.keyword == "USER"]
        commands = tuple(i for i in stage.instructions if i.keyword in ("CMD", "ENTRYPOINT"))
        facts[stage.index] = _StageFacts(
            users[-1] if users else None,
            commands,
            any(i.keyword in STEP_DOWN_KEYWORDS and STEP_DOWN_RE.search(i.value) for i in stage.instructions),
            bool(commands) or any(i.keyword == "RUN" for i in stage.instructions),
        )
    return facts


def _runs_as_root(dockerfile, target):
    """(instruction, user, base image) when the image built for `target` starts as root,
    else None; `user` is the root USER's value, None when no USER is set."""
    lineage = dockerfile.lineage(target)
    facts = [dockerfile.memo(_stage_facts)[stage.index] for stage in lineage]
    root = lineage[0].base_resolved
    if _steps_down(root, facts):
        return None
    users = [fact.last_user for fact in facts if fact.last_user is not None]
    if users:
        last = users[-1]
        user = expand(last.args.strip(), last.scope)
        return (last, user, root) if ROOT_RE.fullmatch(user) else None
    if _bare_shell_command(facts) or (root.lower() == "scratch" and not any(fact.runs for fact in facts)):
        return None  # a toolbox; or an artifact stage (`--target binaries --output ...`) nothing runs in
    from dfslim.images import default_user

    if default_user(root) == "root":
        return target.instruction, None, root
    return None  # a non-root default, or no data (a vendor image may set its own user)


def _violation(instruction, user, image, targets):
    if user is not None:
        return Violation(
            instruction,
            f"the image runs as `{user}`: its last USER is root",
            "switch to an unprivileged user after the steps that need root: "
            "`USER app` (created with `useradd --system --uid 10001 app`)",
            focus=instruction.args_span(first_word=instruction.keyword == "FROM"),
            targets=targets,
        )
    return Violation(
        instruction,
        f"the image runs as root: no USER is set and `{image}` starts as root",
        _suggestion(image),
        focus=instruction.args_span(first_word=instruction.keyword == "FROM"),
        targets=targets,
    )


def _builds_a_base_image(dockerfile) -> bool:
    """Files named as base images (`Dockerfile.base`, `base.Dockerfile`), and files that
    declare ONBUILD triggers: the images built FROM them set the user."""
    if dockerfile.by_keyword.get("ONBUILD"):
        return True
    name = dockerfile.path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return BASE_FILE_RE.fullmatch(name) is not None


def _command(facts) -> tuple[list[str], bool]:
    """The argv the image starts (ENTRYPOINT + CMD as in effect for the last stage of the
    lineage whose `facts` these are), and whether a CMD is in effect. An ENTRYPOINT resets
    the CMD inherited from the stage's base, as Docker does."""
    entrypoint = cmd = None
    for fact in facts:
        cmd_here = False
        for instruction in fact.commands:
            if instruction.keyword == "CMD":
                cmd, cmd_here = instruction, True
            elif instruction.keyword == "ENTRYPOINT":
                entrypoint = instruction
                if not cmd_here:
                    cmd = None
    argv: list[str] = []
    for instruction in (entrypoint, cmd):
        if instruction is not None:
            form = instruction.exec_form
            argv += list(form) if form is not None else instruction.args.split()
    return argv, cmd is not None


def _bare_shell_command(facts) -> bool:
    """Whether the image's command (past wrappers such as tini and `docker-entrypoint.sh`)
    is a bare shell or interpreter. An image without a command is not: the command a
    compose file or a pod gives it runs as root."""
    argv, has_cmd = _command(facts)
    while argv and WRAPPER_RE.fullmatch(argv[0].rsplit("/", 1)[-1]):
        argv.pop(0)
    if not argv:
        return False  # no command, or only a wrapper waiting for one
    if all(arg.startswith("-") for arg in argv):
        return has_cmd  # options to the entrypoint's default program (`entrypoint -M --repl`)
    program = argv[0].rsplit("/", 1)[-1]
    return bool(INTERACTIVE_RE.fullmatch(program)) and all(arg.startswith("-") for arg in argv[1:])


def _steps_down(root: str, facts) -> bool:
    """The entrypoint starts as root only to drop to a service user: the image installs
    or copies in gosu/su-exec/setpriv, or its base's own entrypoint does so."""
    if any(fact.steps_down for fact in facts):
        return True
    from dfslim.images import entrypoint_steps_down

    return entrypoint_steps_down(root) is not None


def _suggestion(image: str) -> str:
    from dfslim.images import lookup, tag_of

    info = lookup(image)
    shell = info.shell if info else None
    if info is not None and info.family == "nginx":
        # nginx's master needs root for port 80, /var/cache/nginx and its pid file: a bare
        # `USER` stops it starting; the unprivileged build moves all three
        tag = tag_of(image)
        return (f"use `nginxinc/nginx-unprivileged{':' + tag if tag else ''}`, which runs as uid 101 and "
                "listens on 8080 (its pid file in /tmp)")
    if image.lower() == "scratch" or shell == "none":
        return "add `USER 65532:65532` before CMD/ENTRYPOINT (no useradd here), or use a `:nonroot` distroless tag"
    if shell == "busybox":
        return "add `RUN addgroup -S app && adduser -S -G app app` and `USER app` before CMD/ENTRYPOINT"
    return "add `RUN useradd --system --uid 10001 --no-create-home app` and `USER app` before CMD/ENTRYPOINT"
