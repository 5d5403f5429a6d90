"""GitLab Code Quality report: a JSON array of issues (`artifacts:reports:codequality`).

Each issue has `description`, `check_name`, `fingerprint`, `severity` and
`location.path`/`location.lines`. GitLab compares fingerprints between the merge request
and its target branch, so a fingerprint must not change when lines are added above the
finding: it hashes the path, the rule, the instruction's normalized text and which of
identical instructions it is, never the line number. A file that could not be linted is an
issue too (`check_name` `dfslim-error`), so the merge request shows it.
"""

from __future__ import annotations

import hashlib
import json

from dfslim.api import Severity
from dfslim.reporters import Run, fingerprints, focus_of, report_path, split_error, with_help

SEVERITIES = {Severity.INFO: "info", Severity.WARNING: "major", Severity.ERROR: "critical"}
CATEGORIES = {"size": "Performance", "security": "Security", "correctness": "Bug Risk"}  # Code Climate's


def render(run: Run, *, color: bool = False) -> str:
    issues = []
    findings = run.findings
    for finding, fingerprint in zip(findings, fingerprints(findings)):
        issues.append(
            {
                "type": "issue",
                "check_name": finding.rule,
                "description": f"{finding.rule} {finding.name}: {with_help(finding, separator='. ')}",
                "categories": [CATEGORIES.get(finding.category, "Bug Risk")],
                "fingerprint": fingerprint,
                "severity": SEVERITIES[finding.severity],
                "location": {"path": report_path(finding.path), "lines": {"begin": focus_of(finding)[0], "end": focus_of(finding)[2]}},
            }
        )
    for result in run.files:
        if result.error:
            line, message = split_error(result)
            path = report_path(result.path)
            issues.append(
                {
                    "type": "issue",
                    "check_name": "dfslim-error",
                    "description": f"dfslim could not lint this file: {message}",
                    "categories": ["Bug Risk"],
                    "fingerprint": hashlib.sha256(f"{path}\0dfslim-error\0{message}".encode("utf-8")).hexdigest(),
                    "severity": "critical",
                    "location": {"path": path, "lines": {"begin": line or 1}},
                }
            )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
