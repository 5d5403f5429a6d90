"""Which rules run, at what severity, and what fails the run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dfslim.api import Severity
from dfslim.registry import Rule, all_rules, resolve

FAIL_LEVELS = ("error", "warning", "info", "none")


class ConfigError(Exception):
    """A bad option or setting; the message names it."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()  # empty: the rules enabled by default
    ignore: tuple[str, ...] = ()
    fail_level: str = "warning"
    severities: dict[str, Severity] = field(default_factory=dict)  # rule id -> severity

    def rules(self) -> list[Rule]:
        chosen = _resolve_all(self.select) if self.select else [r for r in all_rules() if r.meta.enabled]
        dropped = {rule.id for rule in _resolve_all(self.ignore)}
        return [rule for rule in chosen if rule.id not in dropped]

    def fails(self, severity: Severity) -> bool:
        if self.fail_level == "none":
            return False
        return severity >= Severity.parse(self.fail_level)


def split_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item and item.strip())


def _resolve_all(tokens: Iterable[str]) -> list[Rule]:
    rules: dict[str, Rule] = {}
    for token in tokens:
        try:
            for rule in resolve(token):
                rules[rule.id] = rule
        except KeyError:
            raise ConfigError(f"unknown rule {token!r} (see `dfslim rules`)") from None
    return sorted(rules.values(), key=lambda rule: rule.id)


def check_fail_level(value: str) -> str:
    if value not in FAIL_LEVELS:
        raise ConfigError(f"unknown fail level {value!r} (use {', '.join(FAIL_LEVELS)})")
    return value
