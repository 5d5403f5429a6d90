"""A stage reference that cannot work: a stage copying from itself, a later stage index, a
name two stages share.

## What it does
Flags:
- `COPY --from=N` with a numeric index that is not an earlier stage (its own index, a later
  one, or one past the last stage);
- `COPY --from=NAME` naming the stage the `COPY` is in (by name or index);
- the same checks on `RUN --mount=...,from=...`;
- a `FROM ... AS NAME` reusing the name of an earlier stage (names compare
  case-insensitively), at the second `FROM`.

## Why is this bad?
A stage can only copy from stages that are complete: from itself it would read files it
is still building, and an index counts stages in file order, so `--from=2` in stage 1 is
a mistake in the numbering (BuildKit fails with an invalid index or a circular
dependency). Two stages with one name make every `--from=NAME` and `FROM NAME` ambiguous:
one of them silently wins.

## Example
    FROM golang:1.22 AS build
    RUN go build -o /out/app .

    FROM gcr.io/distroless/static AS build
    COPY --from=1 /out/app /app

## Use instead
    FROM golang:1.22 AS build
    RUN go build -o /out/app .

    FROM gcr.io/distroless/static AS runtime
    COPY --from=build /out/app /app

Name stages and reference them by name: indexes shift when a stage is added.

## Not flagged
- Image references: `COPY --from=nginx:1.27 ...`, `--from=alpine` (a name that is no
  stage is an image).
- References through variables whose value is not known (`--from=${BUILDER}` without a
  default).
- A name that only a later stage has: BuildKit resolves it to that stage, the classic
  builder to an image of that name.
"""

from dfslim.api import Meta, Severity, Violation, expand, mounts

META = Meta(
    id="DFS308",
    name="bad-stage-reference",
    category="correctness",
    severity=Severity.ERROR,
    scope="all",
    fix=None,
    others=("hadolint DL3022/DL3023/DL3024",),
)


def check(dockerfile):
    stages = dockerfile.stages
    seen: dict[str, object] = {}
    for stage in stages:
        if stage.name:
            key = stage.name.lower()
            if key in seen:
                earlier = seen[key]
                yield Violation(
                    stage.instruction,
                    f"stage name `{stage.name}` is already used by the stage on line {earlier.instruction.line}: "
                    "references to it are ambiguous",
                    f"give this stage another name: `AS {stage.name}-2`, and update its `--from=`/`FROM` references",
                    focus=_name_span(stage),
                )
            else:
                seen[key] = stage
        for instruction in stage.instructions:
            for what, value, flag in _references(instruction):
                problem = _problem(dockerfile, stage, instruction, value)
                if problem:
                    message, suggestion = problem
                    yield Violation(instruction, f"`{what}={value}` {message}", suggestion, focus=(flag.start, flag.end))
                    break


def _references(instruction):
    """(what, the stage reference, the flag holding it) for each `COPY --from=` and
    `RUN --mount=...,from=...` of the instruction."""
    if instruction.keyword == "COPY":
        for flag in instruction.flags:
            if flag.name == "from":
                yield "COPY --from", flag.value or "", flag
    elif instruction.keyword == "RUN":
        flags = [flag for flag in instruction.flags if flag.name == "mount"]
        for flag, mount in zip(flags, mounts(instruction)):  # one mount per flag, in order
            if mount.get("from"):
                yield "RUN --mount from", mount["from"], flag


def _name_span(stage):
    """The source range of the name after `AS` in the stage's FROM."""
    instruction = stage.instruction
    at = instruction.args.lower().rfind(stage.name.lower())
    if at < 0:
        return None
    start = instruction.source_offset(instruction.args_index + at)
    return start, start + len(stage.name)


def _problem(dockerfile, stage, instruction, value):
    reference = value.strip().strip("\"'")
    if "$" in reference:
        reference = expand(expand(reference, instruction.scope), dockerfile.global_args)
        if "$" in reference:
            return None
    if not reference:
        return None
    earlier = [s for s in dockerfile.stages if s.index < stage.index]
    names = ", ".join(f"`{s.label}`" for s in earlier)
    target = f"an earlier stage ({names})" if earlier else "a stage defined before this one (there is none yet)"
    verb = "mount" if instruction.keyword == "RUN" else "copy from"
    if reference.isdigit():
        index = int(reference)
        if index == stage.index:
            return (
                f"is the stage it is in (stage {index}): a stage cannot {verb} itself",
                f"reference {target}",
            )
        if index > stage.index:
            where = "a later stage" if index < len(dockerfile.stages) else f"no stage (the file has {len(dockerfile.stages)})"
            return (
                f"is {where}: `--from=` takes an earlier stage's index (stages count from 0, in file order)",
                f"reference {target}, by name",
            )
        return None
    if stage.name and reference.lower() == stage.name.lower():
        return (
            f"is the stage it is in (`{stage.name}`): a stage cannot {verb} itself",
            f"reference {target}, or move this instruction to a later stage",
        )
    return None
