"""The JSON report: the object `OUTPUT.md` specifies."""

from __future__ import annotations

import json
from types import GeneratorType

from dfslim import __version__
from dfslim.api import Severity
from dfslim.linter import Finding
from dfslim.reporters import Run


def finding_dict(finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = {
            "safe": finding.fix.safe,
            "title": finding.fix.title,
            "edits": [
                {
                    "line": edit.line,
                    "column": edit.column,
                    "end_line": edit.end_line,
                    "end_column": edit.end_column,
                    "text": finding.redact(edit.edit.replacement),
                }
                for edit in finding.edits
            ],
        }
    return {
        "rule": finding.rule,
        "name": finding.name,
        "category": finding.category,
        "severity": finding.severity.label,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "stage": finding.stage,
        "targets": list(finding.targets),
        "focus": _focus(finding),
        "message": finding.message,
        "suggestion": finding.suggestion,
        "fix": fix,
        "savings_bytes": finding.savings_bytes,
    }


def _focus(finding: Finding) -> dict:
    line, column, end_line, end_column = finding.focus or (finding.line, finding.column, finding.end_line, finding.end_column)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}


def render(run: Run, *, color: bool = False) -> str:
    return "".join(render_pieces(run))


def render_pieces(run: Run):
    """The report, `json.dumps(document, indent=2)` to the letter, in pieces: the lists at
    its top level one item at a time, so that no corpus-sized copy of the findings (as
    dicts, or a million pieces of text) is ever held at once."""
    findings = run.findings
    document = {
        "tool": {"name": "dfslim", "version": __version__},
        "files": (
            {"path": result.path, "findings": len(result.findings), "error": result.error}
            for result in run.files
        ),
        "findings": (finding_dict(finding) for finding in findings),
        "summary": {
            "files": len(run.files),
            "findings": len(findings),
            "errors": run.count(Severity.ERROR),
            "warnings": run.count(Severity.WARNING),
            "infos": run.count(Severity.INFO),
            "savings_bytes": run.savings_bytes,
        },
    }
    yield from indented_pieces(document)
    yield "\n"


def dumps_indented(document: dict) -> str:
    """`json.dumps(document, indent=2)`, the same text (see `indented_pieces`)."""
    return "".join(indented_pieces(document))


def indented_pieces(document: dict):
    """The text of `json.dumps(document, indent=2)` in pieces, the items of the lists (or
    generators) at its top level encoded one at a time."""
    if not document:
        yield "{}"
        return
    for number, (key, value) in enumerate(document.items()):
        head = ("{\n" if number == 0 else ",\n") + "  " + json.dumps(key, ensure_ascii=False) + ": "
        if isinstance(value, (list, GeneratorType)):
            empty = True
            for item in value:
                yield (head + "[\n    " if empty else ",\n    ") + json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
                empty = False
            yield head + "[]" if empty else "\n  ]"
        else:
            yield head + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    yield "\n}"
