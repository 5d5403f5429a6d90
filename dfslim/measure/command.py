"""`dfslim measure PATH`: build the Dockerfile as it is and fixed, and compare.

The steps: lint and fix the file in memory (as `dfslim fix` would, safe fixes unless
`--unsafe-fixes`), find a builder, build the file as it is, export the image and read
its layers, build the fixed file (into a temporary folder; the build context is the
one given), read it too, then line the layers up with the instructions
(`dfslim.measure.matching`) and stack them for the cross-layer waste
(`dfslim.measure.waste`). Whatever happens, the session removes what the builds made.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from typing import NamedTuple

from dfslim.fixer import FixError, fix_text
from dfslim.linter import Finding, lint
from dfslim.measure.archive import ArchiveError, read_image
from dfslim.measure.builders import Builder, detect, docker_daemon_check
from dfslim.measure.matching import Comparison, Row, align, attribute, built_stages, compare, unmatched_rows
from dfslim.measure.results import Built, Measurement, WasteLine
from dfslim.measure.progress import Progress
from dfslim.measure.session import MeasureError, Session
from dfslim.measure.waste import cross_layer_waste
from dfslim.model import Dockerfile, ParseError
from dfslim.parser import parse

DAEMON_CHECK_SECONDS = 15
SHOWN_INSTRUCTION = 60  # characters of an instruction's first line in the waste listing
INTERRUPTED, TERMINATED = 130, 143  # the shell's statuses for a process ended by SIGINT, SIGTERM
# The rules whose findings are about bytes a later layer hides, flagged at the hiding
# instruction: a cleanup in a layer of its own, a `chown -R` of what a COPY brought.
WASTE_RULES = frozenset({"DFS109", "DFS110"})


class Request(NamedTuple):
    path: str
    context: str | None  # None: the Dockerfile's folder
    builder: str  # auto | docker | podman | buildah
    unsafe: bool
    rules: list
    severities: dict | None
    targets: tuple[str, ...]  # the shipping targets lint infers findings for
    target: str | None  # the stage to build (`--target`)
    build_args: tuple[str, ...]
    timeout: float  # seconds for the whole run
    verbose: bool


class Failure(Exception):
    """Ends the run with one line on standard error and status 2."""


def _which(name: str) -> str | None:
    return shutil.which(name)


def _daemon_answers(program: str) -> bool:
    try:
        done = subprocess.run(docker_daemon_check(program), capture_output=True, timeout=DAEMON_CHECK_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def choose_builder(choice: str) -> Builder:
    builder, problem = detect(choice, _which, _daemon_answers)
    if builder is None:
        raise Failure(problem)
    return builder


def _version(builder: Builder) -> str:
    try:
        done = subprocess.run(builder.version(), capture_output=True, text=True, timeout=DAEMON_CHECK_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return builder.name
    return (done.stdout.strip().splitlines() or [builder.name])[0]


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8")
    except UnicodeDecodeError:
        raise Failure(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise Failure(f"{path}: {error.strerror or error}") from None


def _parse(text: str, path: str, context: str, targets: tuple[str, ...]) -> Dockerfile:
    try:
        dockerfile = parse(text, path)
    except ParseError as error:
        raise Failure(f"{path}{f':{error.line}' if error.line else ''}: {error.message}") from None
    return dockerfile._replace(context_dir=context, targets=targets)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C."""


def _terminate_on_sigterm():
    """SIGTERM (a CI job cancelled) ends the run as Ctrl-C does: with the clean-up."""

    def interrupt(_signum, _frame):
        raise Terminated

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        return None


def measure(request: Request, progress: Progress) -> Measurement:
    started = time.monotonic()
    context = os.path.abspath(request.context or os.path.dirname(os.path.abspath(request.path)))
    text = _read(request.path)
    dockerfile = _parse(text, request.path, context, request.targets)
    try:
        stages = built_stages(dockerfile, request.target)
    except ValueError as error:
        raise Failure(f"{request.path}: {error}") from None
    findings = lint(dockerfile, request.rules, request.severities)
    try:
        outcome = fix_text(text, request.path, request.rules, request.severities, unsafe=request.unsafe, context_dir=context, targets=request.targets)
    except FixError as error:
        raise Failure(f"{request.path}: {error}") from None
    builder = choose_builder(request.builder)
    version = _version(builder)
    fixed = _parse(outcome.text, request.path, context, request.targets) if outcome.text != text else None
    with Session(builder, request.timeout, progress) as session:
        before = _build(session, dockerfile, stages, request.path, context, "before", request)
        after = None
        if fixed is not None:
            fixed_path = _write_fixed(session.folder, request.path, outcome.text)
            try:
                after = _build(session, fixed, built_stages(fixed, request.target), fixed_path, context, "after", request)
            except MeasureError as error:
                error.message += "; `dfslim lint --diff` shows the fixes"
                raise
    rows, rebuilt = _rows(before, after, findings, outcome.chosen, request.unsafe)
    return Measurement(
        request.path, context, builder, version, request.unsafe, outcome.applied, before, after, rows, rebuilt,
        _waste_lines(before, findings), _waste_lines(after, outcome.findings) if after else None,
        time.monotonic() - started,
    )


def _write_fixed(folder: str, path: str, text: str) -> str:
    """The fixed file in the run's folder, with the Dockerfile-specific ignore file
    (`NAME.dockerignore` beside the Dockerfile, which builders read before the
    context's `.dockerignore`) copied along."""
    fixed = os.path.join(folder, "Dockerfile")
    with open(fixed, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    ignore = path + ".dockerignore"
    if os.path.isfile(ignore):
        shutil.copyfile(ignore, fixed + ".dockerignore")
    return fixed


def _build(session: Session, dockerfile: Dockerfile, stages, path: str, context: str, label: str, request: Request) -> Built:
    tag = session.build(path, context, label, request.target, request.build_args)
    archive = session.export(tag)
    session.progress.phase("reading the image's layers")
    try:
        image = read_image(archive)
    except ArchiveError as error:
        raise Failure(str(error)) from None
    finally:
        os.unlink(archive)
    return Built(dockerfile, image, align(dockerfile, stages, image))


def _rows(before: Built, after: Built | None, findings: list[Finding], chosen: list[Finding], unsafe: bool) -> tuple[list[Row], int]:
    """The per-finding rows and the bytes unchanged instructions' layers differ by."""
    problem = before.alignment.problem or (after.alignment.problem if after else None)
    if problem:
        return unmatched_rows(findings, problem), 0
    steps_before = before.alignment.steps
    if after is None:
        steps_after, comparison = steps_before, Comparison((), 0)
    else:
        steps_after = after.alignment.steps
        comparison = compare(before.dockerfile, steps_before, after.dockerfile, steps_after)
    rows = attribute(before.dockerfile, steps_before, steps_after, findings, chosen, comparison, unsafe)
    return rows, comparison.rebuilt


def _waste_lines(built: Built, findings: list[Finding]) -> list[WasteLine]:
    owner = built.alignment.layer_owner()
    rules_at: dict[int, set[str]] = {}
    for finding in findings:
        if finding.rule in WASTE_RULES:
            rules_at.setdefault(finding.line, set()).add(finding.rule)
    lines = []
    for waste in cross_layer_waste([layer.entries for layer in built.image.layers]):
        writer, hider = owner.get(waste.writer), owner.get(waste.hider)
        writer_line = _own_line(writer)
        hider_line = _own_line(hider)
        explained = sorted(rules_at.get(hider_line, set()))
        lines.append(WasteLine(waste, _described(built, writer, waste.writer), _described(built, hider, waste.hider), writer_line, hider_line, tuple(explained)))
    return lines


def _own_line(step) -> int | None:
    """The line of the instruction that made a layer; None for the base image's."""
    if step is None or step.instruction.keyword == "FROM":
        return None
    return step.instruction.line


def _described(built: Built, step, layer: int) -> str:
    if step is not None:
        if step.instruction.keyword == "FROM":
            return "the base image"
        first = built.dockerfile.text[step.instruction.start : step.instruction.end].splitlines()[0].strip()
        return f"line {step.instruction.line} {_shortened(first)}"
    created_by = next((entry.created_by for entry in built.image.history if entry.layer == layer), "")
    return f"layer {layer + 1} ({' '.join(created_by.split())[:60]})" if created_by else f"layer {layer + 1}"


def _shortened(text: str, width: int = SHOWN_INSTRUCTION) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def run(request: Request, output_format: str) -> int:
    """The command: measure, print the report, return the exit status."""
    from dfslim.measure.report import render_json, render_text

    progress = Progress(sys.stderr, live=sys.stderr.isatty())
    previous = _terminate_on_sigterm()
    try:
        measurement = measure(request, progress)
    except Failure as failure:
        progress.clear()
        print(f"dfslim: error: {failure}", file=sys.stderr)
        return 2
    except MeasureError as error:
        progress.clear()
        print(f"dfslim: error: {request.path}: {error.message}" + ("" if request.verbose else " (--verbose shows the builder's last lines)"), file=sys.stderr)
        if request.verbose and error.tail:
            print("\n".join(f"  | {line}" for line in error.tail), file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        progress.clear()
        print("dfslim: interrupted; what the builds made was removed", file=sys.stderr)
        return TERMINATED if isinstance(stop, Terminated) else INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    progress.clear()
    sys.stdout.write(render_json(measurement) if output_format == "json" else render_text(measurement))
    return 0
