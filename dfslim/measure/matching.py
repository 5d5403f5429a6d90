"""Which layer each instruction made, and which layers each fix changed (pure).

Every builder (BuildKit, Docker's classic builder, buildah and podman) writes one
history entry per instruction of a stage after its `FROM`, metadata instructions
included (`ENV`, `ARG`, `CMD` make an entry without a layer). So the image's history
ends with the instructions of the target stage and of the stages it is built `FROM`,
in order; what comes before is the base image, counted as the `FROM`'s layer.

The file as it is and the fixed file are then lined up instruction by instruction
(`difflib` on their text): an instruction the fixes left alone pairs with itself; a run
of changed ones is cut into blocks, each instruction with the one it most resembles
after the fixes (an instruction a fix removed is a block of its own). A block's saving
is its bytes before minus its bytes after. A finding is measured by the blocks that
hold its instruction or its edits; findings whose fixes change the same block are
measured together.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import NamedTuple

from dfslim.fixer import wanted
from dfslim.linter import Finding
from dfslim.measure.archive import Image
from dfslim.model import Dockerfile, Instruction, Stage

PREFIX_CHECKED = 24  # characters of a RUN's command its history entry must show
SIMILAR = 0.5  # how alike (difflib's ratio) an instruction and its fixed form are at least


class Step(NamedTuple):
    """An instruction of the built image and the bytes of the layer it made; a root
    `FROM` carries the base image's layers, a `FROM` of an earlier stage none."""

    instruction: Instruction
    bytes: int
    layers: tuple[int, ...]  # indices into the image's layers


class Alignment(NamedTuple):
    steps: tuple[Step, ...]  # empty when the history does not line up
    problem: str | None = None  # why it does not

    def layer_owner(self) -> dict[int, Step]:
        return {layer: step for step in self.steps for layer in step.layers}


def built_stages(dockerfile: Dockerfile, target: str | None) -> list[Stage]:
    """The stages whose instructions make the image: the target (default: the last
    stage) and the stages it is built FROM, root first."""
    stage = dockerfile.find_stage(target) if target else dockerfile.final_stage
    if stage is None:
        raise ValueError(f"no stage named {target}")
    return dockerfile.lineage(stage)


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def _shows(instruction: Instruction, created_by: str) -> bool:
    """Whether a history entry can be the one a RUN made: it shows the command's start
    (checked for shell-form RUNs without heredocs, which builders record as written)."""
    if instruction.keyword != "RUN" or instruction.heredocs or instruction.exec_form is not None:
        return True
    command = _collapsed(instruction.args)[:PREFIX_CHECKED]
    return not command or command in _collapsed(created_by)


def align(dockerfile: Dockerfile, stages: Sequence[Stage], image: Image) -> Alignment:
    """Pair the instructions of `stages` with the image's history, from its end."""
    own = [instruction for stage in stages for instruction in stage.instructions[1:]]
    history = image.history
    base_count = len(history) - len(own)
    if base_count < 0:
        return Alignment((), f"the image has {len(history)} history entries for {len(own)} instructions")
    steps: list[Step] = []
    paired = iter(history[base_count:])
    for position, stage in enumerate(stages):
        if position == 0:
            base = [entry.layer for entry in history[:base_count] if entry.layer is not None]
            steps.append(Step(stage.instruction, sum(image.layers[i].bytes for i in base), tuple(base)))
        else:
            steps.append(Step(stage.instruction, 0, ()))
        for instruction in stage.instructions[1:]:
            entry = next(paired)
            if not _shows(instruction, entry.created_by):
                return Alignment((), f"the image's history does not match line {instruction.line} ({entry.created_by[:60]!r})")
            layers = () if entry.layer is None else (entry.layer,)
            steps.append(Step(instruction, image.step_bytes(entry), layers))
    return Alignment(tuple(steps))


class Block(NamedTuple):
    """Instructions the fixes changed: `before[start:end]` became `after[start:end]`."""

    before: range  # indices into the steps of the file as it is
    after: range  # indices into the steps of the fixed file
    bytes_before: int
    bytes_after: int

    @property
    def saved(self) -> int:
        return self.bytes_before - self.bytes_after


class Comparison(NamedTuple):
    blocks: tuple[Block, ...]
    rebuilt: int  # bytes saved in layers of instructions the fixes left alone


def _key(dockerfile: Dockerfile, step: Step) -> str:
    return _collapsed(dockerfile.text[step.instruction.start : step.instruction.end])


def compare(before: Dockerfile, steps_before: Sequence[Step], after: Dockerfile, steps_after: Sequence[Step]) -> Comparison:
    """The changed blocks, and what the unchanged instructions' layers differ by (a
    layer rebuilt on a changed one below it may weigh a little more or less)."""
    keys_before = [_key(before, step) for step in steps_before]
    keys_after = [_key(after, step) for step in steps_after]
    matcher = difflib.SequenceMatcher(None, keys_before, keys_after, autojunk=False)
    blocks: list[Block] = []
    rebuilt = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rebuilt += sum(steps_before[i].bytes - steps_after[j].bytes for i, j in zip(range(i1, i2), range(j1, j2)))
            continue
        for (b1, b2), (a1, a2) in _split(keys_before, i1, i2, keys_after, j1, j2):
            blocks.append(Block(range(b1, b2), range(a1, a2), sum(s.bytes for s in steps_before[b1:b2]), sum(s.bytes for s in steps_after[a1:a2])))
    return Comparison(tuple(blocks), rebuilt)


def _split(keys_before: Sequence[str], i1: int, i2: int, keys_after: Sequence[str], j1: int, j2: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """A run of changed instructions cut into the smallest blocks: each instruction
    paired with the one it most resembles after the fixes (in order), an instruction
    that went away a block of its own, one that came in joined to the block before it.
    Fixes of neighbouring instructions are thus measured apart; a fix that merges two
    instructions claims both blocks by its edits."""
    n, m = i2 - i1, j2 - j1
    if n == m:
        return [((i1 + k, i1 + k + 1), (j1 + k, j1 + k + 1)) for k in range(n)]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            ratio = difflib.SequenceMatcher(None, keys_before[i1 + i], keys_after[j1 + j], autojunk=False).ratio()
            paired = score[i + 1][j + 1] + ratio if ratio >= SIMILAR else -1.0
            score[i][j] = max(paired, score[i + 1][j], score[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        ratio = difflib.SequenceMatcher(None, keys_before[i1 + i], keys_after[j1 + j], autojunk=False).ratio()
        if ratio >= SIMILAR and score[i][j] == score[i + 1][j + 1] + ratio:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return _blocks_of(pairs, i1, n, j1, m)


def _blocks_of(pairs: list[tuple[int, int]], i1: int, n: int, j1: int, m: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Blocks from the paired positions of a run: paired ones 1:1, the others alone on
    the side they are on; an added instruction joins the block before it."""
    partner_of = dict(pairs)
    blocks: list[list[int]] = []  # [b1, b2, a1, a2]
    next_after = 0
    for i in range(n):
        if i in partner_of:
            j = partner_of[i]
            if blocks and next_after < j:  # added instructions before this pair
                blocks[-1][3] = j1 + j
            elif next_after < j:
                blocks.append([i1 + i, i1 + i, j1 + next_after, j1 + j])
            blocks.append([i1 + i, i1 + i + 1, j1 + j, j1 + j + 1])
            next_after = j + 1
        else:
            blocks.append([i1 + i, i1 + i + 1, j1 + next_after, j1 + next_after])
    if next_after < m:
        if blocks:
            blocks[-1][3] = j1 + m
        else:
            blocks.append([i1 + n, i1 + n, j1 + next_after, j1 + m])
    return [((b1, b2), (a1, a2)) for b1, b2, a1, a2 in blocks]


class Row(NamedTuple):
    """What the builds say of one finding, or of findings measured together."""

    findings: tuple[Finding, ...]
    measured: int | None  # bytes the fix saved; None when not measured
    layer_bytes: int | None  # the bytes of the finding's layers in the image as it is
    status: str  # measured | not-fixed | not-in-image | unmatched | other
    note: str = ""

    @property
    def estimate(self) -> int | None:
        known = [finding.savings_bytes for finding in self.findings if finding.savings_bytes is not None]
        return sum(known) if known else None


def _touched(dockerfile: Dockerfile, finding: Finding, index_of: dict[int, int]) -> tuple[int | None, set[int]]:
    """(the step of the finding's instruction, the steps its fix's edits fall in)."""
    own, edited = None, set()
    for instruction in dockerfile.instructions:
        if instruction.index not in index_of:
            continue
        if instruction.line == finding.line:
            own = index_of[instruction.index]
        if any(instruction.start <= edit.edit.start <= instruction.end for edit in finding.edits):
            edited.add(index_of[instruction.index])
    return own, edited


def was_applied(finding: Finding, chosen: Sequence[Finding]) -> bool:
    """Whether `dfslim fix` applied the finding's fix: in its first pass (the same
    finding), or in a later one (the same rule on the same instruction, which the
    earlier fixes may have moved)."""
    return any(other == finding or (other.rule == finding.rule and other.excerpt == finding.excerpt) for other in chosen)


def _unfixed_reason(finding: Finding, unsafe: bool) -> str:
    """Why `dfslim fix` left a finding alone."""
    if finding.fix is None or not finding.fix.edits:
        return "no automatic fix"
    if not wanted(finding, unsafe):
        return "unsafe fix, applied only with --unsafe-fixes"
    return "its fix was not applied (it overlaps another fix)"


def _named(steps: Sequence[Step], indices) -> str:
    """`line 3`, `lines 3, 4`, `nothing`."""
    lines = _lines(steps, indices)
    return "nothing" if not lines else f"line{'s' if ',' in lines else ''} {lines}"


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _lines(steps: Sequence[Step], indices) -> str:
    lines = sorted({steps[i].instruction.line for i in indices})
    return ", ".join(str(line) for line in lines)


def attribute(
    before: Dockerfile,
    steps_before: Sequence[Step],
    steps_after: Sequence[Step],
    findings: Sequence[Finding],
    chosen: Sequence[Finding],
    comparison: Comparison,
    unsafe: bool,
) -> list[Row]:
    """One row per finding not measured, one per group of findings measured together,
    and one for each changed block no original finding's fix claims, in file order.
    `chosen`: the findings whose fixes were applied (`FixOutcome.chosen`)."""
    index_of = {step.instruction.index: position for position, step in enumerate(steps_before)}
    block_of = {i: number for number, block in enumerate(comparison.blocks) for i in block.before}
    rows: list[Row] = []
    groups: list[tuple[list[Finding], set[int]]] = []
    unfixed: list[tuple[Finding, int | None]] = []
    for finding in findings:
        own, edited = _touched(before, finding, index_of)
        if own is None and not edited:
            rows.append(Row((finding,), None, None, "not-in-image", "its stage is not part of the built image"))
            continue
        blocks = {block_of[i] for i in edited | {own} if i in block_of}
        if not was_applied(finding, chosen) or not blocks:
            unfixed.append((finding, own))
            continue
        groups.append(([finding], blocks))
    merged = _merge(groups)
    claimed: dict[int, list[Finding]] = {}
    for members, blocks in merged:
        for block in blocks:
            claimed[block] = members
        rows.append(_measured_row(members, [comparison.blocks[b] for b in sorted(blocks)], steps_before, steps_after))
    for finding, own in unfixed:
        reason = _unfixed_reason(finding, unsafe)
        others = claimed.get(block_of.get(own, -1), [])
        if others:
            reason += f"; the fix of {', '.join(sorted({other.rule for other in others}))} changed its layer"
        rows.append(Row((finding,), None, None if own is None else steps_before[own].bytes, "not-fixed", reason))
    for number, block in enumerate(comparison.blocks):
        if number not in claimed:
            lines = _lines(steps_before, block.before) or _lines(steps_after, block.after)
            rows.append(Row((), block.saved, block.bytes_before, "other", f"line {lines}: changed by fixes of findings that appeared only after earlier fixes"))
    return sorted(rows, key=_row_order)


def _row_order(row: Row):
    first = min((finding.line for finding in row.findings), default=10**9)
    return (first, row.findings[0].rule if row.findings else "")


def _merge(groups: list[tuple[list[Finding], set[int]]]) -> list[tuple[list[Finding], set[int]]]:
    """Groups that share a block become one."""
    merged: list[tuple[list[Finding], set[int]]] = []
    for members, blocks in groups:
        joined = [group for group in merged if group[1] & blocks]
        for group in joined:
            merged.remove(group)
            members = group[0] + members
            blocks = group[1] | blocks
        merged.append((members, blocks))
    return merged


def _measured_row(members: list[Finding], blocks: list[Block], steps_before: Sequence[Step], steps_after: Sequence[Step]) -> Row:
    notes = []
    if len(members) > 1:
        notes.append("their fixes change the same layer")
    before_steps = [i for block in blocks for i in block.before]
    after_steps = [j for block in blocks for j in block.after]
    if len(before_steps) != 1 or len(after_steps) != 1:
        notes.append(f"the fix turns {_named(steps_before, before_steps)} into {_named(steps_after, after_steps)} "
                     f"({_count(len(before_steps), 'layer')} into {len(after_steps)})")
    elif steps_before[before_steps[0]].instruction.keyword == "FROM":
        notes.append("the base image's layers")
    saved = sum(block.saved for block in blocks)
    layer_bytes = sum(block.bytes_before for block in blocks)
    return Row(tuple(sorted(members, key=lambda f: f.sort_key)), saved, layer_bytes, "measured", "; ".join(notes))


def unmatched_rows(findings: Sequence[Finding], problem: str) -> list[Row]:
    return [Row((finding,), None, None, "unmatched", problem) for finding in findings]
