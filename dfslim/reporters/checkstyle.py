"""Checkstyle XML: `<checkstyle><file name><error line column severity message source>`, the
format Jenkins (warnings-ng), reviewdog, cs2pr and many IDEs read. One `<file>` per linted
file, in order; `source` is `dfslim.<rule id>` (`dfslim.error` for a file that could not be
linted). ElementTree does the escaping; characters XML 1.0 cannot hold become U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from dfslim.reporters import Run, report_path, split_error, with_help

NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def render(run: Run, *, color: bool = False) -> str:
    root = ET.Element("checkstyle", version="4.3")
    by_path: dict[str, ET.Element] = {}
    for result in run.files:
        if result.path not in by_path:
            by_path[result.path] = ET.SubElement(root, "file", name=_clean(report_path(result.path)))
        if result.error:
            line, message = split_error(result)
            ET.SubElement(by_path[result.path], "error", line=str(line or 1), severity="error", message=_clean(message), source="dfslim.error")
    for finding in run.findings:
        element = by_path.get(finding.path)
        if element is None:
            element = by_path[finding.path] = ET.SubElement(root, "file", name=_clean(report_path(finding.path)))
        ET.SubElement(
            element,
            "error",
            line=str(finding.line),
            column=str(finding.column),
            severity=finding.severity.label,
            message=_clean(f"{finding.rule} {finding.name}: {with_help(finding, separator='. ')}"),
            source=f"dfslim.{finding.rule}",
        )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
