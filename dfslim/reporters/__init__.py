"""Output formats. Each module has `render(run: Run, *, color: bool) -> str`; no I/O."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from dfslim.api import Severity
from dfslim.linter import Finding

FORMATS = {
    "text": "dfslim.reporters.text",
    "json": "dfslim.reporters.json",
}


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # one line, with the line number when there is one


@dataclass
class Run:
    files: list[FileResult]

    @property
    def findings(self) -> list[Finding]:
        every = [finding for result in self.files for finding in result.findings]
        every.sort(key=lambda finding: finding.sort_key)
        return every

    def count(self, severity: Severity) -> int:
        return sum(1 for result in self.files for f in result.findings if f.severity == severity)

    @property
    def savings_bytes(self) -> int | None:
        known = [f.savings_bytes for result in self.files for f in result.findings if f.savings_bytes]
        return sum(known) if known else None


def render(name: str, run: Run, *, color: bool = False) -> str:
    module = importlib.import_module(FORMATS[name])
    return module.render(run, color=color)
