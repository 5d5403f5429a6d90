"""The build graph: which stages use which, which ship, and what a stage inherits.

A stage uses an earlier stage when it is built `FROM` it, copies from it (`COPY
--from=`), or mounts it (`RUN --mount=...,from=`). One Dockerfile can build several
images (`docker build --target NAME`): its targets are the last stage and every leaf
stage (one no later stage uses) whose name does not mark a test, development or debug
stage; `--target`/the `targets` setting name them instead. The stages that ship are the
targets and the stages they are built `FROM`; the others are builders. Rules ask
`ships(stage)` and never walk stages themselves; `dev_image(stage)` says whether the
images that hold a stage are development, test or CI images (by the Dockerfile's name or
folder, the targets' names, or the command they run). A stage built `FROM` another
inherits its `USER` and `SHELL`.
"""


import fnmatch
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from dfslim.model import Dockerfile, Instruction, Stage
from dfslim.regex import lazy_compile
from dfslim.shell import SHELLS
from dfslim.values import expand

WINDOWS_IMAGE_RE = lazy_compile(
    r"(^|/)(windows|windowsservercore|nanoserver|servercore)([:/@-]|$)|mcr\.microsoft\.com/(windows|powershell|dotnet/framework)",
    re.IGNORECASE,
)


class Use(NamedTuple):
    """Stage `user` uses stage `used` through `how` ("from", "copy" or "mount") at
    `instruction`; `maybe` when the reference holds a variable dfslim cannot resolve
    (`FROM base-$TARGETARCH`) and `used` is one of the stages it may name."""

    user: int
    used: int
    how: str
    instruction: Instruction
    maybe: bool = False


# stage names, or parts of them, that mark a stage no one ships (`unit-test`, `dev_server`)
NON_SHIPPING = frozenset("test tests testing dev devel develop development debug lint ci local docs check".split())
NAME_PARTS_RE = lazy_compile(r"[-_.]")
VARIABLE_RE = lazy_compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


class BuildGraph:
    """The stages of one Dockerfile and how they use each other; see `build_graph`."""

    __slots__ = ("dockerfile", "uses", "targets", "unknown_targets", "_shipped", "_targets_of")

    def __init__(self, dockerfile: Dockerfile, uses: tuple[Use, ...], targets: tuple[int, ...], unknown: tuple[str, ...] = ()):
        self.dockerfile = dockerfile
        self.uses = uses
        self.targets = targets  # stage indexes, in file order
        self.unknown_targets = unknown  # names asked for that no stage has
        # a stage built FROM a reference with a variable (`base-$TARGETARCH`) may be built
        # on any stage it can name: all of those are in its image
        maybe_parents: dict[int, list[int]] = {}
        for use in uses:
            if use.how == "from" and use.maybe:
                maybe_parents.setdefault(use.user, []).append(use.used)
        targets_of: dict[int, list[int]] = {}
        for target in targets:
            for index in _image_stages(dockerfile, target, maybe_parents):
                targets_of.setdefault(index, []).append(target)
        self._targets_of = {index: tuple(found) for index, found in targets_of.items()}
        self._shipped = frozenset(targets_of)

    def ships(self, stage: Stage | None) -> bool:
        """Whether the stage ends up in an image that is built: a target, or a stage a
        target is built FROM. Instructions before the first FROM belong to no stage."""
        return stage is not None and stage.index in self._shipped

    def users_of(self, stage: Stage) -> tuple[Use, ...]:
        return tuple(use for use in self.uses if use.used == stage.index)

    def used_by(self, stage: Stage) -> tuple[Use, ...]:
        return tuple(use for use in self.uses if use.user == stage.index)

    def targets_of(self, stage: Stage | None) -> tuple[Stage, ...]:
        """The targets whose image holds `stage` (itself, or targets built FROM it)."""
        if stage is None:
            return ()
        return tuple(self.dockerfile.stages[index] for index in self._targets_of.get(stage.index, ()))

    @property
    def builders(self) -> tuple[Stage, ...]:
        """The stages that do not ship."""
        return tuple(stage for stage in self.dockerfile.stages if stage.index not in self._shipped)


def build_graph(dockerfile: Dockerfile) -> BuildGraph:
    """The build graph of a Dockerfile, computed once and kept with it."""
    return dockerfile.memo(_build)


def ships(dockerfile: Dockerfile, stage: Stage | None) -> bool:
    """Whether `stage` ships (see `BuildGraph.ships`)."""
    return build_graph(dockerfile).ships(stage)


def _build(dockerfile: Dockerfile) -> BuildGraph:
    uses = _uses(dockerfile)
    if dockerfile.targets:
        named, unknown = _named_targets(dockerfile, dockerfile.targets)
        if named:
            return BuildGraph(dockerfile, uses, named, unknown)
        return BuildGraph(dockerfile, uses, inferred_targets(dockerfile, uses), unknown)
    return BuildGraph(dockerfile, uses, inferred_targets(dockerfile, uses))


def inferred_targets(dockerfile: Dockerfile, uses: tuple[Use, ...]) -> tuple[int, ...]:
    """The last stage, and every leaf stage whose name does not mark it non-shipping."""
    used = {use.used for use in uses}
    last = len(dockerfile.stages) - 1
    return tuple(
        stage.index
        for stage in dockerfile.stages
        if stage.index == last or (stage.index not in used and not non_shipping(stage.name))
    )


def non_shipping(name: str | None) -> bool:
    """Whether a stage name marks a test, development, debug... stage (`test`,
    `unit-test`, `dev_server`, `api.debug`)."""
    if not name:
        return False
    lowered = name.lower()
    return lowered in NON_SHIPPING or any(part in NON_SHIPPING for part in NAME_PARTS_RE.split(lowered))


def _named_targets(dockerfile: Dockerfile, names) -> tuple[tuple[int, ...], tuple[str, ...]]:
    found: list[int] = []
    unknown: list[str] = []
    for name in names:
        stage = dockerfile.find_stage(name)
        if stage is None:
            unknown.append(name)
        elif stage.index not in found:
            found.append(stage.index)
    return tuple(sorted(found)), tuple(unknown)


def _image_stages(dockerfile: Dockerfile, target: int, maybe_parents: dict[int, list[int]]) -> list[int]:
    """The stages whose files end up in `target`'s image: its lineage, and the lineages of
    every stage a variable FROM in it may name."""
    found: list[int] = []
    pending = [target]
    while pending:
        index = pending.pop()
        for stage in dockerfile.lineage(dockerfile.stages[index]):
            if stage.index not in found:
                found.append(stage.index)
                pending.extend(maybe_parents.get(stage.index, ()))
    return found


def _uses(dockerfile: Dockerfile) -> tuple[Use, ...]:
    found: list[Use] = []
    for stage in dockerfile.stages:
        if stage.parent is not None:
            found.append(Use(stage.index, stage.parent, "from", stage.instruction))
        elif "$" in stage.base_resolved:
            found += [Use(stage.index, used.index, "from", stage.instruction, True) for used in _named_by(dockerfile, stage.base_resolved, stage)]
        for instruction in stage.instructions:
            for how, reference in _references(instruction):
                used = _earlier_stage(dockerfile, reference, stage)
                if used is not None:
                    found.append(Use(stage.index, used.index, how, instruction))
                elif "$" in reference:
                    found += [Use(stage.index, other.index, how, instruction, True) for other in _named_by(dockerfile, reference, stage)]
    return tuple(found)


def _named_by(dockerfile: Dockerfile, reference: str, stage: Stage) -> list[Stage]:
    """The earlier named stages a reference with unresolved variables may name
    (`base-$TARGETARCH` may name `base-amd64` and `base-arm64`)."""
    pattern = VARIABLE_RE.sub("*", reference.lower())
    if pattern.strip("*") == "" or "/" in pattern or ":" in pattern:
        return []  # `$IMAGE`, `registry/$NAME`, `$NAME:tag`: an image, as often as a stage
    return [other for other in dockerfile.stages[: stage.index] if other.name and fnmatch.fnmatchcase(other.name.lower(), pattern)]


def _references(instruction: Instruction):
    if instruction.keyword in ("COPY", "ADD"):
        source = instruction.flag("from")
        if source:
            yield "copy", expand(source, instruction.scope)
    elif instruction.keyword == "RUN":
        for value in instruction.flag_values("mount"):
            for part in expand(value, instruction.scope).split(","):
                key, _, item = part.partition("=")
                if key.strip().lower() == "from" and item.strip():
                    yield "mount", item.strip().strip("\"'")


def _earlier_stage(dockerfile: Dockerfile, reference: str, stage: Stage) -> Stage | None:
    used = dockerfile.find_stage(reference)
    return used if used is not None and used.index < stage.index else None


# ---------------------------------------------------------------------------- what a stage inherits


def _lineage_indexes(dockerfile: Dockerfile, stage_index: int) -> frozenset[int]:
    table = dockerfile.memo(_lineages)
    return table.get(stage_index, frozenset())


def _lineages(dockerfile: Dockerfile) -> Mapping[int, frozenset[int]]:
    return MappingProxyType({stage.index: frozenset(s.index for s in dockerfile.lineage(stage)) for stage in dockerfile.stages})


def earlier_in_lineage(dockerfile: Dockerfile, instruction: Instruction, candidates) -> bool:
    """Whether one of `candidates` comes before `instruction` in its stage or a stage it
    is built FROM (an earlier RUN that wrote a configuration file, say)."""
    if not candidates or dockerfile.stage_of(instruction) is None:
        return False
    lineage = _lineage_indexes(dockerfile, instruction.stage)
    return any(candidate.index < instruction.index and candidate.stage in lineage for candidate in candidates)


def user_in_effect(dockerfile: Dockerfile, instruction: Instruction) -> str | None:
    """The user (without group) the last `USER` before `instruction` in its lineage names,
    as written; None when there is none."""
    found = None
    for earlier in dockerfile.by_keyword.get("USER", ()):
        if earlier.index >= instruction.index:
            break
        if earlier.stage in _lineage_indexes(dockerfile, instruction.stage) and earlier.args.strip():
            found = earlier.args.split()[0].split(":")[0]
    return found


def runs_as_root(dockerfile: Dockerfile, instruction: Instruction) -> bool:
    """Whether `instruction` runs as root: the `USER` in effect is `root` or `0`, or none is
    set and the stage's base image starts as root (or its default user is unknown: most
    images run as root)."""
    user = user_in_effect(dockerfile, instruction)
    if user is None:
        from dfslim.images import default_user  # its tables load on first use, rarely needed here

        stage = dockerfile.stage_of(instruction)
        if stage is None:
            return True
        user = default_user(dockerfile.lineage(stage)[0].base_resolved)
        if user is None:
            return True
    return user.split(":", 1)[0] in ("root", "0")


def shell_in_effect(dockerfile: Dockerfile, instruction: Instruction) -> tuple[str, ...] | None:
    """The argv of the last exec-form `SHELL` before `instruction` in its stage lineage
    (`("/bin/bash", "-o", "pipefail", "-c")`), None when there is none (the default)."""
    if dockerfile.stage_of(instruction) is None:
        return None
    shell = None
    lineage = _lineage_indexes(dockerfile, instruction.stage)
    for earlier in dockerfile.by_keyword.get("SHELL", ()):
        if earlier.index >= instruction.index:
            break
        if earlier.stage in lineage and earlier.exec_form:
            shell = earlier.exec_form
    return shell


def shell_program(shell) -> str:
    """The lower-case basename of a SHELL argv's program (`C:\\...\\powershell.exe` ->
    `powershell.exe`), "" for None."""
    return shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if shell else ""


def posix_shell(dockerfile: Dockerfile, instruction: Instruction) -> bool:
    """Whether a shell-form RUN runs in a POSIX shell: the last `SHELL` of its stage
    lineage before it names `sh`, `bash`..., or there is none and the root base image is
    not a Windows one (whose default is `cmd`). PowerShell and `cmd` are not: `&&`,
    `{ ...; }` and `;` mean other things there."""
    return posix_shells(dockerfile).get(instruction.index, False)


def posix_shells(dockerfile: Dockerfile) -> Mapping[int, bool]:
    """`posix_shell` for every instruction (by index), found in one pass and kept."""
    return dockerfile.memo(_posix_shells)


def _posix_shells(dockerfile: Dockerfile) -> Mapping[int, bool]:
    found: dict[int, bool] = {}
    last_shell: dict[int, tuple[str, ...] | None] = {}
    for stage in dockerfile.stages:
        shell = last_shell.get(stage.parent) if stage.parent is not None else None
        root = dockerfile.lineage(stage)[0]
        windows = bool(WINDOWS_IMAGE_RE.search(root.base_resolved))
        for instruction in stage.instructions:
            if shell is not None:
                found[instruction.index] = bool(shell) and shell_program(shell) in SHELLS
            else:
                found[instruction.index] = not windows
            if instruction.keyword == "SHELL":
                shell = instruction.exec_form or ()
        last_shell[stage.index] = shell
    return MappingProxyType(found)
