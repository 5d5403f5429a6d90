"""Find the rules: the modules of `dfslim.rules`, then installed plugins.

Plugins are installed packages that declare modules in the entry-point group
`dfslim.rules`; nothing is ever loaded from the working directory.
"""


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
    """The rules a user means by an id, a name, a category, `all`, or another linter's
    rule id (`DL3009`: the rules whose `META.others` name it; there may be several)."""
    key = token.strip().lower()
    if key == "all":
        return list(all_rules())
    if key in CATEGORIES:
        return [rule for rule in all_rules() if rule.meta.category == key and rule.meta.enabled]
    rule = by_key().get(key)
    if rule is not None:
        return [rule]
    others = by_other_code().get(key)
    if not others:
        raise KeyError(token)
    return list(others)


def resolve_rule_names(token: str) -> list[Rule]:
    """The rules an id, a name or another linter's rule id names (no categories)."""
    key = token.strip().lower()
    rule = by_key().get(key)
    return [rule] if rule is not None else list(by_other_code().get(key, ()))


@cache
def by_other_code() -> dict[str, tuple[Rule, ...]]:
    """Rules by the lower-case rule ids of other linters their `META.others` name."""
    table: dict[str, list[Rule]] = {}
    for rule in all_rules():
        for other in rule.meta.others:
            for code in other_codes(other):
                found = table.setdefault(code.lower(), [])
                if rule not in found:
                    found.append(rule)
    return {code: tuple(rules) for code, rules in table.items()}


def other_codes(other: str) -> list[str]:
    """The rule ids in one `META.others` entry, its shorthands spelled out:
    `hadolint DL3032/DL3040` -> DL3032, DL3040; `trivy DS-0015/0019` -> DS-0015, DS-0019;
    `checkov CKV2_DOCKER_2..16` -> CKV2_DOCKER_2 ... CKV2_DOCKER_16. Words that are not
    codes (a note in parentheses, `Binnacle gold rules`) give nothing."""
    _tool, _space, rest = other.partition(" ")
    written = rest.split(" ", 1)[0]
    if not _looks_like_code(written):
        return []
    codes: list[str] = []
    for part in written.split("/"):
        first = codes[0] if codes else part
        if ".." in part:
            low, _dots, high = part.partition("..")
            stem = low.rstrip("0123456789")
            if low[len(stem):].isdigit() and high.isdigit():
                codes += [f"{stem}{number}" for number in range(int(low[len(stem):]), int(high) + 1)]
                continue
        codes.append(first[: -len(part)] + part if part.isdigit() and len(part) < len(first) else part)
    return codes


def _looks_like_code(word: str) -> bool:
    """A digit (`DL3009`) or a capital after a small letter (`curlUseFlagF`): not a plain word."""
    return any(char.isdigit() for char in word) or any(a.islower() and b.isupper() for a, b in zip(word, word[1:]))


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
