"""SARIF 2.1.0 (GitHub code scanning, Azure DevOps, VS Code's SARIF viewer...).

One run: the tool driver with every rule of the catalog (its documentation, default level
and category tag), one result per finding with its region and, where the rule has one, its
fix as replacements; files that could not be linted are tool execution notifications.
Relative paths are URIs against `%SRCROOT%` (the repository root: run dfslim from there);
columns count Unicode code points and `endColumn` is exclusive, as in SARIF.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
from urllib.parse import quote

from dfslim import __version__
from dfslim.api import Severity
from dfslim.linter import Finding
from dfslim.links import rule_url
from dfslim.reporters import Run, fingerprints, focus_of, report_path, split_error, with_help

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}  # GitHub's scale
FINGERPRINT = "dfslimInstructionHash/v1"


def render(run: Run, *, color: bool = False) -> str:
    return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"


def document(run: Run) -> dict:
    from dfslim.registry import all_rules

    descriptors = [descriptor(rule) for rule in all_rules()]
    index = {rule["id"]: number for number, rule in enumerate(descriptors)}
    findings = run.findings
    results = []
    for finding, fingerprint in zip(findings, fingerprints(findings)):
        if finding.rule not in index:  # a rule outside the catalog (a test double)
            index[finding.rule] = len(descriptors)
            descriptors.append({"id": finding.rule, "name": finding.name})
        results.append(result(finding, index[finding.rule], fingerprint))
    notifications = [notification(file) for file in run.files if file.error]
    invocation: dict = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "dfslim", "version": __version__, "semanticVersion": __version__, "rules": descriptors}},
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def descriptor(rule) -> dict:
    meta = rule.meta
    doc = _cleandoc(rule.doc)
    properties: dict = {"tags": [meta.category]}
    if meta.category == "security":
        properties["security-severity"] = SECURITY_SEVERITY[meta.severity]
    entry = {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": section(doc, "What it does") or rule.summary},
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "help": {"text": doc, "markdown": doc},
        "properties": properties,
    }
    url = rule_url(rule)
    if url:
        entry["helpUri"] = url
    if not meta.enabled:
        entry["defaultConfiguration"]["enabled"] = False
    return entry


def section(doc: str, title: str) -> str:
    """A `## title` section of a rule's documentation, its paragraphs unwrapped."""
    match = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", doc, re.M | re.S)
    if not match:
        return ""
    paragraphs = re.split(r"\n[ \t]*\n", match.group(1).strip())
    return "\n\n".join(" ".join(line.strip() for line in paragraph.splitlines()) for paragraph in paragraphs)


def result(finding: Finding, rule_index: int, fingerprint: str) -> dict:
    location = artifact(finding.path)
    entry: dict = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": with_help(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": region(*focus_of(finding)),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {"category": finding.category, "stage": finding.stage, "savings_bytes": finding.savings_bytes},
    }
    if finding.fix is not None and finding.edits:
        entry["fixes"] = [
            {
                "description": {"text": finding.fix.title},
                "artifactChanges": [
                    {
                        "artifactLocation": location,
                        "replacements": [
                            {
                                "deletedRegion": region(edit.line, edit.column, edit.end_line, edit.end_column),
                                "insertedContent": {"text": finding.redact(edit.edit.replacement)},
                            }
                            for edit in finding.edits
                        ],
                    }
                ],
                "properties": {"safe": finding.fix.safe},
            }
        ]
    return entry


def region(line: int, column: int, end_line: int, end_column: int) -> dict:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def artifact(path: str) -> dict:
    """A relative path as a URI against `%SRCROOT%`; another as a `file:` URI."""
    if path == "-":
        return {"uri": "stdin"}
    shown = report_path(path)
    if os.path.isabs(shown):
        return {"uri": pathlib.Path(shown).as_uri()}
    return {"uri": quote(shown, safe="/"), "uriBaseId": "%SRCROOT%"}


def notification(file) -> dict:
    line, message = split_error(file)
    location: dict = {"artifactLocation": artifact(file.path)}
    if line:
        location["region"] = {"startLine": line}
    return {"level": "error", "message": {"text": f"{file.path}: could not be linted: {message}"}, "locations": [{"physicalLocation": location}]}


def _cleandoc(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc).strip() + "\n"
