"""Which rules run, at what severity, and what fails the run; the configuration files.

A configuration is `[tool.dfslim]` in a `pyproject.toml`, or the same keys at the top level
of a `.dfslim.toml`. The nearest one wins, searched from each linted file's folder upwards
(a `pyproject.toml` without `[tool.dfslim]` is not ours: the search goes on); `--config`
wins over both. Command-line options override the file: `--select` replaces the file's
`select` and `ignore`, `--extend-select` adds rules to the selection (the file's `ignore`
no longer drops them), `--ignore` adds to the file's `ignore`, `--fail-level` replaces its
`fail-level`, `--max-savings` its `max-savings`. Rules are named by id, name, category, or
another linter's rule id.
"""


import os
import re
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from functools import cached_property
from typing import NamedTuple

from dfslim.api import CATEGORIES, Severity
from dfslim.registry import Rule, all_rules, resolve
from dfslim.units import parse_size

FAIL_LEVELS = ("error", "warning", "info", "none")
CONFIG_NAMES = (".dfslim.toml", "pyproject.toml")  # in one folder, the first found wins
KEYS = ("select", "ignore", "fail-level", "severity", "exclude", "per-file-ignores", "targets", "max-savings")


class ConfigError(Exception):
    """A bad option or setting; the message names it."""


class ConfigFileError(ConfigError):
    """A bad configuration file; the message is one line naming the file and the key."""


class _SettingsFields(NamedTuple):
    select: tuple[str, ...] = ()  # empty: the rules enabled by default
    ignore: tuple[str, ...] = ()
    fail_level: str = "warning"
    severities: Mapping[str, Severity] | None = None  # rule id -> severity; None: the rules' own
    exclude: tuple[str, ...] = ()  # glob patterns, relative to `root`, for folder discovery
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, rule ids)
    root: str | None = None  # the folder patterns are relative to (the config file's)
    source: str | None = None  # the configuration file, as shown in messages
    targets: tuple[str, ...] = ()  # the build targets that ship (`--target`); (): inferred
    max_savings: int | None = None  # bytes: a file whose estimated savings exceed them fails the run


class Settings(_SettingsFields):
    """The settings of a run or of one file; `__dict__` caches the chosen rules."""

    def rules(self) -> list[Rule]:
        chosen = _resolve_all(self.select) if self.select else [r for r in all_rules() if r.meta.enabled]
        dropped = {rule.id for rule in _resolve_all(self.ignore, every=True)}
        return [rule for rule in chosen if rule.id not in dropped]

    def over_budget(self, savings: int) -> bool:
        """Whether a file's estimated avoidable bytes exceed `max-savings`."""
        return self.max_savings is not None and savings > self.max_savings

    def fails(self, severity: Severity) -> bool:
        if self.fail_level == "none":
            return False
        return severity >= Severity.parse(self.fail_level)

    @cached_property
    def _rules(self) -> list[Rule]:
        return self.rules()

    def rules_for(self, path: str) -> list[Rule]:
        """The rules for one file: `rules()` less its `per-file-ignores`."""
        if not self.per_file_ignores or not isinstance(path, str) or path == "-":
            return self._rules
        relative = self._relative(path)
        dropped = {rule for pattern, rules in self.per_file_ignores if glob_match(pattern, relative) for rule in rules}
        return [rule for rule in self._rules if rule.id not in dropped] if dropped else self._rules

    def excludes(self, path: str) -> bool:
        """Whether `path` (a file or folder) matches an `exclude` pattern."""
        return bool(self.exclude) and any(glob_match(pattern, self._relative(path)) for pattern in self.exclude)

    def _relative(self, path: str) -> str:
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self.root) if self.root else path
        return relative.replace(os.sep, "/")


def split_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item and item.strip())


def _resolve_all(tokens: Iterable[str], every: bool = False) -> list[Rule]:
    """The rules the tokens name; `every`: a category means all its rules, off-by-default too."""
    rules: dict[str, Rule] = {}
    for token in tokens:
        try:
            for rule in _expand(token, every):
                rules[rule.id] = rule
        except KeyError:
            raise ConfigError(f"unknown rule {token!r} (see `dfslim rules`)") from None
    return sorted(rules.values(), key=lambda rule: rule.id)


def _expand(token: str, every: bool) -> list[Rule]:
    key = token.strip().lower()
    if every and key in CATEGORIES:
        return [rule for rule in all_rules() if rule.meta.category == key]
    return resolve(token)


def check_fail_level(value: str) -> str:
    if value not in FAIL_LEVELS:
        raise ConfigError(f"unknown fail level {value!r} (use {', '.join(FAIL_LEVELS)})")
    return value


# --- glob patterns -------------------------------------------------------------------------


def glob_match(pattern: str, path: str) -> bool:
    """Whether a `/`-separated relative path matches a gitignore-like glob.

    A pattern without `/` matches any one component of the path (`vendor`,
    `*.dev.Dockerfile`); a pattern with `/` matches the path from the configuration's folder
    (`docker/legacy/*`, `**/test/*`), and a match on a folder covers everything beneath it.
    `*` and `?` stay within a component; `**` crosses them.
    """
    pattern = pattern.strip().removeprefix("./")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    body = pattern.strip("/")
    if not body:
        return False
    if "/" not in body:
        return any(fnmatchcase(part, body) for part in parts)
    regex = _glob_regex(body)
    return any(regex.fullmatch("/".join(parts[:end])) for end in range(1, len(parts) + 1))


_GLOBS: dict[str, re.Pattern] = {}


def _glob_regex(pattern: str) -> re.Pattern:
    compiled = _GLOBS.get(pattern)
    if compiled is not None:
        return compiled
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            inside = pattern[i + 1 : end]
            inside = "^" + inside[1:] if inside.startswith("!") else inside
            out.append("[" + inside.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    compiled = _GLOBS[pattern] = re.compile("".join(out))
    return compiled


# --- configuration files --------------------------------------------------------------------


class FileConfig(NamedTuple):
    """One configuration file, checked: rule tokens resolved, values validated."""

    path: str  # absolute
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    fail_level: str | None = None
    severities: Mapping[str, Severity] | None = None
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    targets: tuple[str, ...] = ()
    max_savings: int | None = None

    @property
    def root(self) -> str:
        return os.path.dirname(self.path)


def shown(path: str) -> str:
    """A path for messages: relative to the current folder when it is inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def load_config(path: str, explicit: bool = False) -> FileConfig | None:
    """Read and check one configuration file; None for a pyproject.toml without our table
    (an error instead when `explicit`: `--config` names a file that must configure dfslim)."""
    import tomllib

    path = os.path.abspath(path)
    name = shown(path)
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigFileError(f"{name}:{_error_line(path, str(error))}: invalid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"{name}: invalid TOML: not valid UTF-8") from None
    except OSError as error:
        raise ConfigFileError(f"{name}: cannot read the configuration: {error.strerror or error}") from None
    tool = document.get("tool")
    table = tool.get("dfslim") if isinstance(tool, dict) else None
    # pyproject.toml, or a file named by --config that has [tool.dfslim]: that table;
    # .dfslim.toml (or another file named by --config): the keys at the top level
    if os.path.basename(path) == "pyproject.toml" or (table is not None and os.path.basename(path) != ".dfslim.toml"):
        if table is None:
            if explicit:
                raise ConfigFileError(f"{name}: no [tool.dfslim] table")
            return None
        prefix = "tool.dfslim."
        if not isinstance(table, dict):
            raise ConfigFileError(f"{name}: tool.dfslim: must be a table")
    else:
        table, prefix = document, ""
    return _check(path, name, prefix, table)


def _error_line(path: str, message: str) -> int:
    where = re.search(r"\(at line (\d+), column \d+\)", message)
    if where:
        return int(where.group(1))
    try:  # "(at end of document)"
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return 1
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1) or 1


def _check(path: str, name: str, prefix: str, table: dict) -> FileConfig:
    def fail(key: str, message: str) -> ConfigFileError:
        return ConfigFileError(f"{name}: {prefix}{key}: {message}")

    def strings(key: str, value) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise fail(key, "must be a list of strings")
        return tuple(item.strip() for item in value)

    def rule_tokens(key: str, value) -> tuple[str, ...]:
        tokens = strings(key, value)
        for token in tokens:
            try:
                _expand(token, True)
            except KeyError:
                raise fail(key, f"unknown rule {token!r} (use ids, names or {', '.join(CATEGORIES)}; see `dfslim rules`)") from None
        return tokens

    values: dict = {}
    for key, value in table.items():
        if key not in KEYS:
            import difflib

            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(KEYS)})"
            raise fail(key, f"unknown key{hint}")
        if key == "select":
            values["select"] = rule_tokens(key, value)
        elif key == "ignore":
            values["ignore"] = rule_tokens(key, value)
        elif key == "fail-level":
            if value not in FAIL_LEVELS:
                raise fail(key, f"unknown fail level {value!r} (use {', '.join(FAIL_LEVELS)})")
            values["fail_level"] = value
        elif key == "severity":
            values["severities"] = _severities(value, fail)
        elif key == "exclude":
            values["exclude"] = strings(key, value)
        elif key == "targets":
            values["targets"] = strings(key, value)
        elif key == "max-savings":
            try:
                values["max_savings"] = parse_size(value)
            except ValueError as error:
                raise fail(key, str(error)) from None
        else:
            if not isinstance(value, dict):
                raise fail(key, "must be a table of glob = [rules]")
            pairs = []
            for pattern, rules in value.items():
                tokens = rule_tokens(f"{key}.{_key(pattern)}", rules)
                pairs.append((pattern, tuple(rule.id for rule in _resolve_all(tokens, every=True))))
            values["per_file_ignores"] = tuple(pairs)
    return FileConfig(path, **values)


def _severities(value, fail) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise fail("severity", "must be a table of rule = \"error\" | \"warning\" | \"info\"")
    tiers: tuple[dict[str, Severity], ...] = ({}, {}, {})  # `all`, categories, ids and names: the last wins
    for token, level in value.items():
        key = f"severity.{_key(token)}"
        try:
            severity = Severity.parse(level) if isinstance(level, str) else None
        except ValueError:
            severity = None
        if severity is None:
            raise fail(key, f"unknown severity {level!r} (use error, warning or info)")
        try:
            rules = _expand(token, True)
        except KeyError:
            raise fail(key, f"unknown rule {token!r} (see `dfslim rules`)") from None
        key = token.strip().lower()
        tiers[0 if key == "all" else 1 if key in CATEGORIES else 2].update((rule.id, severity) for rule in rules)
    return {**tiers[0], **tiers[1], **tiers[2]}


def _key(key: str) -> str:
    """A TOML key as written in a dotted path: quoted unless it is a bare key."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Configs:
    """The settings for each linted file: its nearest configuration file merged with the
    command-line options. Lookups are cached per folder and each file is read once."""

    def __init__(self, select=None, ignore=None, fail_level=None, config_file=None, extend_select=None, targets=(), max_savings=None):
        self.targets = tuple(targets or ())  # `--target`: wins over the files' `targets`
        try:  # `--max-savings`: wins over the files' `max-savings`
            self.max_savings = parse_size(max_savings) if max_savings is not None else None
        except ValueError as error:
            raise ConfigError(f"--max-savings: {error}") from None
        self.select = split_list(select)
        self.ignore = split_list(ignore)
        self.extend_select = split_list(extend_select)
        _resolve_all(self.select)  # an unknown rule on the command line fails at once
        _resolve_all(self.ignore, every=True)
        self.extended = {rule.id for rule in _resolve_all(self.extend_select)}
        self.fail_level = check_fail_level(fail_level) if fail_level else None
        self.fixed = load_config(config_file, explicit=True) if config_file else None
        self._folders: dict[str, str | None] = {}  # folder -> configuration file in force
        self._files: dict[str, FileConfig | None] = {}
        self._settings: dict[str | None, Settings] = {}
        self.defaults = Settings(*self._selection(self.select, ()), self.fail_level or "warning", targets=self.targets, max_savings=self.max_savings)  # no file

    def settings_for(self, path) -> Settings:
        """Settings for a file to lint (`-`, or a discovery error tuple: the current folder's)."""
        if not isinstance(path, str) or path == "-":
            return self.settings_in(os.getcwd())
        return self.settings_in(os.path.dirname(os.path.abspath(path)))

    def settings_in(self, folder: str) -> Settings:
        config = self.fixed if self.fixed is not None else self._find(os.path.abspath(folder))
        key = config.path if config else None
        settings = self._settings.get(key)
        if settings is None:
            settings = self._settings[key] = self._merge(config)
        return settings

    def _find(self, folder: str) -> FileConfig | None:
        visited = []
        found: str | None = None
        while True:
            if folder in self._folders:
                found = self._folders[folder]
                break
            visited.append(folder)
            found = self._here(folder)
            parent = os.path.dirname(folder)
            if found is not None or parent == folder:
                break
            folder = parent
        for each in visited:
            self._folders[each] = found
        return self._files[found] if found else None

    def _selection(self, select: tuple[str, ...], file_ignore: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """`select` and `ignore` with `--extend-select` folded in: the extended rules join
        the selection (spelled out as ids) and the file's `ignore` stops dropping them;
        `--ignore` still does."""
        if not self.extended:
            return select, self.ignore + file_ignore
        chosen = _resolve_all(select) if select else [rule for rule in all_rules() if rule.meta.enabled]
        ids = tuple(sorted({rule.id for rule in chosen} | self.extended))
        kept = tuple(rule.id for rule in _resolve_all(file_ignore, every=True) if rule.id not in self.extended)
        return ids, self.ignore + kept

    def _here(self, folder: str) -> str | None:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if candidate not in self._files:
                if not os.path.isfile(candidate):
                    continue
                self._files[candidate] = load_config(candidate)
            if self._files[candidate] is not None:
                return candidate
        return None

    def _merge(self, config: FileConfig | None) -> Settings:
        if config is None:
            return self.defaults
        select, ignore = self._selection(self.select or config.select or (), () if self.select else config.ignore)
        return Settings(
            select=select,
            ignore=ignore,
            fail_level=self.fail_level or config.fail_level or "warning",
            severities=config.severities,
            exclude=config.exclude,
            per_file_ignores=config.per_file_ignores,
            root=config.root,
            source=shown(config.path),
            targets=self.targets or config.targets,
            max_savings=self.max_savings if self.max_savings is not None else config.max_savings,
        )
