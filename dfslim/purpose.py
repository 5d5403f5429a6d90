"""What an image is for: an app, or a development, test, build or debug environment that
ships its tools on purpose.

Rules about what ships (dev dependencies, debuggers, compilers) stay quiet where the image
is meant to hold them: a Dockerfile named as a dev image (`Dockerfile.dev`), a target whose
name or command says so (`lint`, `npm run dev`, `pytest`), or an image whose command is a
shell, a build tool or a bare interpreter.
"""

from __future__ import annotations

from dfslim.graph import NAME_PARTS_RE, NON_SHIPPING, build_graph, non_shipping
from dfslim.model import Command, Dockerfile, Instruction, Stage, Word
from dfslim.regex import lazy_compile
from dfslim.shell import SHELLS
from dfslim.tools import tool_call
from dfslim.values import split_words, unquote

FILE_WORDS = frozenset({"dockerfile", "containerfile"})


def dev_dockerfile(path: str | None) -> bool:
    """Whether a Dockerfile's path marks the whole file as a development, test, CI or
    debug image: a non-shipping part in its name besides the word Dockerfile
    (`Dockerfile.dev`, `Dockerfile-debug`, `test.Dockerfile`, `Containerfile_local`,
    `devcontainer.Dockerfile`), a folder of its own named so (`docker/development/`,
    `.ci/`), a `.devcontainer` folder, or cookiecutter-django's `compose/local/` (its
    development images). A folder further up does not count: `~/dev/app/Dockerfile` ships."""
    if not path or path == "-":
        return False
    parts = path.replace("\\", "/").lower().split("/")
    folders = parts[:-1]
    if ".devcontainer" in folders or any(a == "compose" and b == "local" for a, b in zip(folders, folders[1:])):
        return True
    if folders and folders[-1].lstrip(".") in NON_SHIPPING:
        return True
    name_parts = [part for part in NAME_PARTS_RE.split(parts[-1]) if part not in FILE_WORDS]
    return any(part in NON_SHIPPING or part == "devcontainer" for part in name_parts)


def dev_image(dockerfile: Dockerfile, stage: Stage | None) -> bool:
    """Whether the images that hold `stage` are development, test or CI images, where
    development tools belong: the Dockerfile's own name says so (`dev_dockerfile`), or
    every target whose image holds the stage is one (`dev_target`): a last stage named
    `lint` ships by the targets model, yet what it builds is a lint image."""
    if dev_dockerfile(dockerfile.path):
        return True
    targets = build_graph(dockerfile).targets_of(stage)
    return bool(targets) and all(dev_target(dockerfile, target) for target in targets)


def dev_target(dockerfile: Dockerfile, target: Stage) -> bool:
    """Whether a build target builds a development, test or CI image: by its name
    (`lint`), or by the command it runs (see `_runs_dev_command`)."""
    return target.index in dockerfile.memo(_dev_targets)


def _dev_targets(dockerfile: Dockerfile) -> frozenset[int]:
    """The targets that build development images, by name or command, found once per file."""
    graph = build_graph(dockerfile)
    return frozenset(
        index for index in graph.targets
        if non_shipping(dockerfile.stages[index].name) or _runs_dev_command(dockerfile, dockerfile.stages[index])
    )


# what a development, test or CI image runs: test runners, dev servers and file watchers,
# project scripts with such a name part (`npm run dev`, `yarn start:watch`)
DEV_PROGRAMS = frozenset("pytest tox nox jest vitest mocha cypress playwright nodemon ng jupyter jupyter-lab ipython".split())
DEV_SCRIPT_PARTS = frozenset({"dev", "test", "tests", "watch", "debug"})
CMD_WRAPPERS = frozenset({"exec", "env", "tini", "dumb-init", "--", "npx", "pnpx", "bunx"})  # run the command after them
SCRIPT_PARTS_RE = lazy_compile(r"[-_.:]")


def _runs_dev_command(dockerfile: Dockerfile, target: Stage) -> bool:
    """Whether the command the target's image runs (its last `ENTRYPOINT` or `CMD` in its
    lineage: an entry point script often runs the CMD) is one of a development
    environment: a bare shell, an idle loop (`sleep infinity`, `tail -f
    /dev/null`), a test runner, dev server or watcher (`pytest`, `nodemon`, `ng serve`,
    `--reload`, `--watch`), a project script named so (`npm run dev`, `yarn test`,
    `start:watch`) or an entry point script named so (`docker-entrypoint.dev.sh`)."""
    last: dict[str, Instruction] = {}
    for stage in dockerfile.lineage(target):
        for instruction in stage.instructions:
            if instruction.keyword in ("CMD", "ENTRYPOINT"):
                last[instruction.keyword] = instruction
    return any(_dev_argv(_argv(instruction)) for instruction in last.values())


def _dev_argv(argv: list[str]) -> bool:
    """Whether an `ENTRYPOINT`/`CMD` argv is a development environment's (see `_runs_dev_command`)."""
    while argv and argv[0].rsplit("/", 1)[-1] in CMD_WRAPPERS:
        argv = argv[1:]
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    if program in SHELLS:
        script = next((argv[i + 1] for i, a in enumerate(argv[1:-1], 1) if a.startswith("-") and a.endswith("c")), None)
        if script is None:
            return all(a.startswith("-") for a in argv[1:])  # `bash`, `bash -l`: an interactive shell
        return _dev_argv(script.split())
    if program == "sleep" or (program == "tail" and "-f" in argv and "/dev/null" in argv):
        return True
    if program in DEV_PROGRAMS or "--reload" in argv or "--watch" in argv or non_shipping(program):
        return True
    call = tool_call(Command(tuple(Word(text, 0, 0) for text in argv), (), (), None, None, 0, 0, 0))  # the tool reader's view
    if call is None:
        return False
    if call.action == "run" and call.verb in ("run", "run-script"):
        script = call.packages[0].text if call.packages else ""
    elif call.action == "run" or (call.tool.script_verbs and call.verb and call.verb not in call.tool.actions):
        script = call.verb
    else:
        return False
    return not DEV_SCRIPT_PARTS.isdisjoint(SCRIPT_PARTS_RE.split(script.lower()))


# What a build or development environment runs: it ships its tools on purpose.
ENVIRONMENT_COMMANDS = SHELLS | frozenset(
    "make cmake ninja gcc g++ cc clang go cargo rustc mvn gradle lein sbt ant bazel tox pytest sleep".split()
)
# Interactive interpreters: an image whose command is a bare REPL is a language environment.
REPLS = frozenset("python python2 python3 node irb pry ghci iex erl jshell julia R clj clojure repl php scala swift".split())
PYTHON_RE = lazy_compile(r"python[0-9.]*")
LAUNCHERS = frozenset({"exec", "env", "tini", "dumb-init", "--"})


def image_command(dockerfile: Dockerfile, target: Stage) -> list[str] | None:
    """The argv the image of `target` runs, from the last `ENTRYPOINT`/`CMD` of its
    lineage: the `CMD` behind an entrypoint script (`docker-entrypoint.sh`), the words of
    `sh -c "..."`, without `exec`, `env`, `tini`, `dumb-init`; None when it sets neither."""
    last = {}
    for stage in dockerfile.lineage(target):
        for instruction in stage.instructions:
            if instruction.keyword in ("CMD", "ENTRYPOINT"):
                last[instruction.keyword] = instruction
    instruction = last.get("ENTRYPOINT") or last.get("CMD")
    if "ENTRYPOINT" in last and "CMD" in last and "entrypoint" in _argv(last["ENTRYPOINT"])[0].lower():
        instruction = last["CMD"]  # `ENTRYPOINT ["docker-entrypoint.sh"]` runs the CMD
    if instruction is None:
        return None
    argv = _argv(instruction)
    if len(argv) > 2 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1].startswith("-") and "c" in argv[1]:
        argv = argv[2].split()  # `sh -c "python app.py"`: the program is python
    while argv and argv[0].rsplit("/", 1)[-1] in LAUNCHERS:
        argv = argv[1:]
    return argv


def build_environment(dockerfile: Dockerfile, target: Stage) -> bool:
    """Whether the image of `target` is a build or development environment, which ships
    its tools on purpose: the command it runs is a shell, a build tool, a bare REPL or an
    idle `sleep`, or it sets none and its base image is not a language runtime (an OS or
    toolchain image, or one dfslim has no data for)."""
    from dfslim.images import lookup

    argv = image_command(dockerfile, target)
    if argv is None:
        info = lookup(dockerfile.lineage(target)[0].base_resolved)
        return info is None or info.kind != "runtime"
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    if "repl" in argv or "--repl" in argv:
        return True
    if program in REPLS or PYTHON_RE.fullmatch(program):
        return len(argv) == 1 or argv[1:] in (["-a"], ["repl"])  # `python3`, `php -a`, `lein repl`
    return not program or program in ENVIRONMENT_COMMANDS


def _argv(instruction: Instruction) -> list[str]:
    if instruction.exec_form is not None:
        argv = list(instruction.exec_form)
    else:
        argv = [unquote(word) for word in split_words(instruction.args)]  # `CMD sh -c "celery worker"`
    return argv or [""]
