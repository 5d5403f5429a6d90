"""Apply fixes: text edits with a safety level, applied in order, overlaps skipped,
re-linted until nothing more applies (pure; the CLI reads and writes the files).

A fix that makes the file unparsable, or fixes that never settle (a later pass undoing
an earlier one), abort the whole file: nothing is applied and the rule is named, since
that is a bug in dfslim, never something to write to a user's file.
"""

from __future__ import annotations

from collections import Counter

from dfslim.linter import Finding, lint
from dfslim.model import ParseError
from dfslim.parser import parse

MAX_PASSES = 10


class FixError(Exception):
    """A fix that would damage the file; the message names the rule."""


class FixOutcome:
    """The result of fixing one text, filled in pass by pass."""

    __slots__ = ("text", "applied", "findings", "chosen")

    def __init__(self, text: str):
        self.text = text  # the fixed text (BOM kept as in the input)
        self.applied: Counter = Counter()  # rule id -> fixes applied
        self.findings: list[Finding] = []  # what remains after fixing
        self.chosen: list[Finding] = []  # the findings whose fixes were applied, pass by pass

    @property
    def count(self) -> int:
        return sum(self.applied.values())


def wanted(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and bool(finding.fix.edits) and (finding.fix.safe or unsafe)


def apply_fixes(text: str, findings: list[Finding], unsafe: bool = False) -> tuple[str, list[Finding]]:
    """Apply the wanted fixes of one lint pass to `text` (BOM-less, as parsed).
    A fix whose edits overlap an earlier one's is skipped; returns the text and the
    findings whose fixes were applied."""
    taken: list[tuple[int, int]] = []
    chosen: list[Finding] = []
    candidates = sorted((f for f in findings if wanted(f, unsafe)), key=lambda f: min(e.edit.start for e in f.edits))
    for finding in candidates:
        spans = [(e.edit.start, e.edit.end) for e in finding.edits]
        if any(_overlap(span, other) for span in spans for other in taken):
            continue
        taken.extend(spans)
        chosen.append(finding)
    edits = sorted((e.edit for f in chosen for e in f.edits), key=lambda e: (e.start, e.end), reverse=True)
    for edit in edits:
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text, chosen


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # an insertion conflicts with an edit around it, or one at the same place
        return a[0] == b[0] or (b[0] < a[0] < b[1]) or (a[0] < b[0] < a[1])
    return a[0] < b[1] and b[0] < a[1]


def fix_text(
    text: str, path: str, rules, severities=None, unsafe: bool = False, context_dir: str | None = None, targets: tuple[str, ...] = ()
) -> FixOutcome:
    """Fix `text` until stable. Raises FixError when a fix would damage the file."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    current = text[len(bom) :]
    outcome = FixOutcome(text)
    seen = {current}
    for _ in range(MAX_PASSES):
        findings = lint(_parse(bom + current, path, context_dir, targets), rules, severities)
        fixed, chosen = apply_fixes(current, findings, unsafe)
        if not chosen or fixed == current:
            outcome.text = bom + current
            outcome.findings = findings
            return outcome
        try:
            parse(bom + fixed, path)
        except ParseError as error:
            raise FixError(f"internal error: the fix of {_culprit(current, path, chosen, unsafe)} makes the file unparsable ({error.message}); nothing was changed") from None
        if fixed in seen:
            rules_named = ", ".join(sorted({f.rule for f in chosen}))
            raise FixError(f"internal error: the fixes of {rules_named} undo each other; nothing was changed")
        seen.add(fixed)
        outcome.applied.update(f.rule for f in chosen)
        outcome.chosen.extend(chosen)
        current = fixed
    rules_named = ", ".join(sorted({f.rule for f in chosen}))
    raise FixError(f"internal error: the fixes of {rules_named} do not settle after {MAX_PASSES} passes; nothing was changed")


def _parse(text: str, path: str, context_dir: str | None, targets: tuple[str, ...] = ()):
    dockerfile = parse(text, path)
    if context_dir or targets:
        dockerfile = dockerfile._replace(context_dir=context_dir, targets=tuple(targets))
    return dockerfile


def _culprit(text: str, path: str, chosen: list[Finding], unsafe: bool) -> str:
    """The rule whose fix alone breaks the file (for the error message)."""
    for finding in chosen:
        alone, _ = apply_fixes(text, [finding], unsafe)
        try:
            parse(alone, path)
        except ParseError:
            return finding.rule
    return ", ".join(sorted({f.rule for f in chosen}))


def unified_diff(path: str, before: str, after: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}" if path != "-" else "-",
        tofile=f"b/{path}" if path != "-" else "-",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomically(path: str, text: str) -> None:
    """Replace the file's content through a temporary file in the same folder and a
    rename, keeping its mode; a symlink is followed, so its target is what changes."""
    import os
    import tempfile

    target = os.path.realpath(path)
    mode = os.stat(target).st_mode & 0o7777
    folder = os.path.dirname(target) or "."
    handle, temporary = tempfile.mkstemp(prefix=".dfslim-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
