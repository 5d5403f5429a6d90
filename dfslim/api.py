"""What rule modules import: the model, the shell helpers and the types a rule yields.

A rule module has a docstring (its documentation, with the headings `What it does`,
`Why is this bad?`, `Example` and `Use instead`), a `META = Meta(...)` and a
`check(dockerfile)` generator of `Violation`s. It does no I/O and keeps no global state.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from dfslim.model import Comment, Dockerfile, Flag, Heredoc, Instruction, ParseError, Stage
from dfslim.parser import assignments, expand, split_words, unquote
from dfslim.shell import Command, Script, Word, tokenize, unwrap

__all__ = [
    "Command", "Comment", "Dockerfile", "Edit", "Fix", "Flag", "Heredoc", "Instruction",
    "Meta", "ParseError", "Script", "Severity", "Stage", "Violation", "Word",
    "assignments", "expand", "split_words", "tokenize", "unquote", "unwrap",
]

CATEGORIES = ("size", "security", "correctness")


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


class Edit(NamedTuple):
    """Replace `text[start:end]` of the file with `replacement` (offsets, end exclusive)."""

    start: int
    end: int
    replacement: str


class Fix(NamedTuple):
    title: str  # what the fix does, e.g. "Append `&& rm -rf /var/lib/apt/lists/*`"
    edits: tuple[Edit, ...]
    safe: bool = True  # False: applied only with --unsafe-fixes


class Violation(NamedTuple):
    """What a rule yields; the engine adds the rule, severity, path and position."""

    instruction: Instruction  # the instruction the finding points at
    message: str  # what is wrong
    suggestion: str  # what to do, concretely
    fix: Fix | None = None
    savings_bytes: int | None = None
    severity: Severity | None = None  # overrides the rule's default for this finding
    mask: tuple[tuple[int, int], ...] = ()  # source ranges (secrets) outputs must not show


class Meta(NamedTuple):
    id: str  # "DFS103": stable forever
    name: str  # "apt-lists-kept"
    category: str  # size | security | correctness
    severity: Severity
    scope: str = "all"  # "final": only stages that ship; "all": every stage
    fix: str | None = None  # "safe", "unsafe" or None
    enabled: bool = True  # False: off unless selected by id or name
    others: tuple[str, ...] = ()  # the same rule in other linters, e.g. ("hadolint DL3009",)

    @property
    def hadolint_codes(self) -> tuple[str, ...]:
        codes = []
        for other in self.others:
            if other.startswith("hadolint "):
                for code in other[len("hadolint ") :].replace("/", " ").split():
                    codes.append(code if code.startswith("DL") else "DL" + code)
        return tuple(codes)
