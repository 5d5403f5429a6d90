"""A rule's documentation as `dfslim explain` prints it (the language server's hover
shows the same text)."""

from __future__ import annotations

import inspect


def explanation(rule) -> str:
    """The heading line, other linters' names for the rule, and its docstring."""
    meta = rule.meta
    lines = [f"{meta.id} {meta.name} ({meta.category}, {meta.severity.label}, scope: {meta.scope}, fix: {meta.fix or 'none'})"]
    if meta.others:
        lines.append(f"Same as: {', '.join(meta.others)}")
    if not meta.enabled:
        lines.append("Off by default: enable it with --select " + meta.id)
    lines.append("")
    lines.append(inspect.cleandoc(rule.doc))
    return "\n".join(lines) + "\n"
