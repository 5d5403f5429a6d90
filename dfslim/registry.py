"""Find the rules: the modules of `dfslim.rules`, then installed plugins.

Plugins are installed packages that declare modules in the entry-point group
`dfslim.rules`; nothing is ever loaded from the working directory.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from functools import cache
from types import ModuleType
from typing import NamedTuple

from dfslim.api import CATEGORIES, Meta, Severity
from dfslim.regex import lazy_compile

ID_RE = lazy_compile(r"[A-Z]{2,}[0-9]{3}$")
NAME_RE = lazy_compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


class RuleError(Exception):
    """A rule module that breaks the rule contract."""


class Rule(NamedTuple):
    meta: Meta
    check: object  # Callable[[Dockerfile], Iterable[Violation]]
    doc: str
    module: str
    secret_spans: object = None  # Callable[[Dockerfile], Iterable[(start, end)]] | None

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.meta.name


def rule_from_module(module: ModuleType) -> Rule:
    meta = getattr(module, "META", None)
    if not isinstance(meta, Meta):
        raise RuleError(f"{module.__name__}: no META = Meta(...)")
    if not ID_RE.match(meta.id) or not NAME_RE.match(meta.name):
        raise RuleError(f"{module.__name__}: bad rule id {meta.id!r} or name {meta.name!r}")
    if meta.category not in CATEGORIES or meta.scope not in ("final", "all"):
        raise RuleError(f"{module.__name__}: bad category {meta.category!r} or scope {meta.scope!r}")
    if meta.fix not in (None, "safe", "unsafe") or not isinstance(meta.severity, Severity):
        raise RuleError(f"{module.__name__}: bad fix {meta.fix!r} or severity")
    check = getattr(module, "check", None)
    if not callable(check):
        raise RuleError(f"{module.__name__}: no check(dockerfile) function")
    doc = module.__doc__ or ""
    missing = [heading for heading in DOC_HEADINGS if heading not in doc]
    if missing:
        raise RuleError(f"{module.__name__}: docstring lacks {', '.join(missing)}")
    spans = getattr(module, "secret_spans", None)
    return Rule(meta, check, doc, module.__name__, spans if callable(spans) else None)


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, built-in and plugin, sorted by id; ids and names are unique."""
    rules = [rule_from_module(module) for module in _builtin_modules()]
    rules += [rule_from_module(module) for module in _plugin_modules()]
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.id.lower(), rule.name):
            if key in seen:
                raise RuleError(f"{rule.module}: {key} is already used by {seen[key]}")
            seen[key] = rule.module
    return tuple(sorted(rules, key=lambda rule: rule.id))


def _builtin_modules() -> list[ModuleType]:
    import dfslim.rules as package

    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_"))
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def _plugin_modules() -> list[ModuleType]:
    if not _plugins_declared():
        return []
    from importlib.metadata import entry_points

    modules = []
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry_point.load()
        modules.extend(loaded if isinstance(loaded, (list, tuple)) else [loaded])
    return modules


ENTRY_POINT_GROUP = "dfslim.rules"


def _plugins_declared() -> bool:
    """Whether any installed distribution declares the entry-point group: a cheap look
    at `*.dist-info/entry_points.txt`, so that a run without plugins never pays for
    importing importlib.metadata (tens of milliseconds, on every pre-commit run)."""
    marker = f"[{ENTRY_POINT_GROUP}]"
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8") as handle:
                    if marker in handle.read():
                        return True
            except OSError:
                continue
    return False


def by_key() -> dict[str, Rule]:
    """Rules by lower-case id and by name."""
    table = {}
    for rule in all_rules():
        table[rule.id.lower()] = rule
        table[rule.name] = rule
    return table


def resolve(token: str) -> list[Rule]:
    """The rules a user means by an id, a name, a category or `all`."""
    key = token.strip().lower()
    if key == "all":
        return list(all_rules())
    if key in CATEGORIES:
        return [rule for rule in all_rules() if rule.meta.category == key and rule.meta.enabled]
    rule = by_key().get(key)
    if rule is None:
        raise KeyError(token)
    return [rule]


def markdown_table() -> str:
    """The rule table of the README, from the rules' metadata."""
    rows = [
        "| id | name | category | severity | fix | what it flags | same as |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in all_rules():
        meta = rule.meta
        name = meta.name if meta.enabled else f"{meta.name} (off by default)"
        summary = rule.summary.replace("|", "\\|")
        others = ", ".join(meta.others).replace("|", "\\|") or "—"
        rows.append(f"| {meta.id} | {name} | {meta.category} | {meta.severity.label} | {meta.fix or '—'} | {summary} | {others} |")
    return "\n".join(rows)
