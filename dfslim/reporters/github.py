"""GitHub Actions workflow commands: one `::warning file=...::message` line per finding, which
the runner turns into annotations on the pull request's diff.

Escaping follows GitHub's workflow-command rules (as `@actions/core` implements them): in
the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in a property value `:` and `,`
also become `%3A` and `%2C`. Columns are only sent for a single-line finding: GitHub
refuses a column range that spans lines.
"""

from __future__ import annotations

from dfslim.api import Severity
from dfslim.reporters import Run, focus_of, report_path, split_error, with_help
from dfslim.reporters.text import summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def render(run: Run, *, color: bool = False) -> str:
    lines = []
    for result in run.files:
        if result.error:
            line, message = split_error(result)
            lines.append(command("error", {"file": _file(result.path), "line": line, "title": "dfslim could not lint this file"}, message))
    for finding in run.findings:
        line, column, end_line, end_column = focus_of(finding)  # the command or word that triggered it
        one_line = line == end_line
        properties = {
            "file": _file(finding.path),
            "line": line,
            "endLine": end_line,
            "col": column if one_line else None,
            "endColumn": end_column if one_line else None,
            "title": f"{finding.rule} {finding.name}",
        }
        lines.append(command(COMMANDS[finding.severity], properties, with_help(finding)))
    lines.append(summary(run))  # a plain line: the log shows it as it is
    return "".join(line + "\n" for line in lines)


def _file(path: str) -> str | None:
    return None if path == "-" else report_path(path)
