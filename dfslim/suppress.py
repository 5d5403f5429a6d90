"""Inline suppression: `# dfslim: ignore=...` pragmas and hadolint's equivalents.

- `# dfslim: ignore=DFS103,pip-cache-kept` in the comment lines directly above an
  instruction silences those rules for it; `# dfslim: ignore` silences every rule.
- `# dfslim: ignore-file=DFS201` anywhere silences a rule for the whole file.
- `# hadolint ignore=DL3009` and `# hadolint global ignore=DL3009` do the same for the
  dfslim rules that stand for those hadolint rules.
- BuildKit's check directive at the top of the file, `# check=skip=JSONArgsRecommended`
  (or `skip=all`), silences for the whole file the dfslim rules that stand for the
  skipped checks.
Text after a further ` #` is a free-form reason.
"""

from __future__ import annotations

import re

from dfslim.model import Dockerfile
from dfslim.regex import lazy_compile

DFSLIM_RE = lazy_compile(r"dfslim:\s*(ignore-file|ignore)\b\s*(?:=\s*(.*)|#.*)?$", re.IGNORECASE)
HADOLINT_RE = lazy_compile(r"hadolint\s+(global\s+)?ignore\s*=\s*(.*)$", re.IGNORECASE)
EVERYTHING = "*"


class Suppressions:
    """What a file's pragmas silence, filled in while its comments are read."""

    __slots__ = ("file_wide", "by_line", "unknown")

    def __init__(self) -> None:
        self.file_wide: set[str] = set()  # rule ids, or EVERYTHING
        self.by_line: dict[int, set[str]] = {}  # instruction line -> ids
        self.unknown: list[tuple[int, str]] = []  # (line, token) not a rule

    def silences(self, rule_id: str, line: int) -> bool:
        if rule_id in self.file_wide or EVERYTHING in self.file_wide:
            return True
        ids = self.by_line.get(line)
        return bool(ids) and (EVERYTHING in ids or rule_id in ids)


def _tokens(text: str | None) -> list[str]:
    if not text:
        return []
    text = text.split(" #", 1)[0]
    return [token for token in re.split(r"[,\s]+", text.strip()) if token]


def suppressions(
    dockerfile: Dockerfile,
    rule_keys: dict[str, str],
    hadolint: dict[str, list[str]],
    buildkit: dict[str, list[str]] | None = None,
) -> Suppressions:
    """Read the pragmas. `rule_keys` maps lower-case ids and names to ids; `hadolint`
    maps hadolint codes to dfslim ids, `buildkit` lower-case BuildKit check names."""
    found = Suppressions()
    found.file_wide |= _skipped_checks(dockerfile.directives.get("check", ""), buildkit or {})
    pending: dict[int, set[str]] = {}  # comment line -> ids it silences for the next instruction
    for comment in dockerfile.comments:
        ids, file_wide = _pragma(comment.text, comment.line, rule_keys, hadolint, found)
        if ids is None:
            continue
        if file_wide:
            found.file_wide |= ids
        else:
            pending[comment.line] = ids
    if pending:
        comment_lines = {comment.line for comment in dockerfile.comments}
        for instruction in dockerfile.instructions:
            line = instruction.line - 1
            while line in comment_lines:
                if line in pending:
                    found.by_line.setdefault(instruction.line, set()).update(pending[line])
                line -= 1
    return found


def _skipped_checks(directive: str, buildkit: dict[str, list[str]]) -> set[str]:
    """The dfslim ids of the checks `# check=skip=A,B;error=true` skips (`skip=all`: every
    rule that stands for a BuildKit check)."""
    ids: set[str] = set()
    for setting in directive.split(";"):
        key, _, value = setting.partition("=")
        if key.strip().lower() != "skip":
            continue
        for name in _tokens(value):
            if name.lower() == "all":
                ids.update(rule_id for found in buildkit.values() for rule_id in found)
            else:
                ids.update(buildkit.get(name.lower(), ()))
    return ids


def _pragma(text, line, rule_keys, hadolint, found) -> tuple[set[str] | None, bool]:
    match = DFSLIM_RE.match(text)
    if match:
        kind, listed = match.group(1).lower(), _tokens(match.group(2))
        if not listed:
            return {EVERYTHING}, kind == "ignore-file"
        ids = set()
        for token in listed:
            rule_id = rule_keys.get(token.lower())
            if rule_id is None:
                found.unknown.append((line, token))
            else:
                ids.add(rule_id)
        return ids, kind == "ignore-file"
    match = HADOLINT_RE.match(text)
    if match:
        ids = {rule_id for token in _tokens(match.group(2)) for rule_id in hadolint.get(token.upper(), ())}
        return ids, bool(match.group(1))
    return None, False
