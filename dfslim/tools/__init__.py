"""What each package tool is, and the one reader rules ask about a command.

One module per tool family declares its `Tool`s (`apt`, `apk`, `rpm`, `zypper`, `pip`,
`uv`, `poetry`, `pipenv`, `pdm`, `npm`, `yarn`, `pnpm`, `gem`); `curl` and `wget` declare
how a download is read (`dfslim.tools.download`). Adding a tool is one module here and
its name in `_MODULES`.

    >>> call = tool_call(command)          # `sudo apt-get -q install -y curl`
    >>> call.name, call.verb, call.action, [w.text for w in call.packages]
    ('apt', 'install', 'install', ['curl'])
"""

from __future__ import annotations

import importlib

from dfslim.model import Command, Word
from dfslim.regex import lazy_compile
from dfslim.shell import command_memo, has_option, subcommand, unwrap
from dfslim.tools.spec import Tool, ToolCall

__all__ = [
    "INSTALLING", "SYSTEM_FAMILIES", "Tool", "ToolCall", "declared_tools", "installed_packages", "package_name",
    "removed_packages", "tool_action", "tool_call",
]

_MODULES = ("apt", "apk", "rpm", "zypper", "pip", "uv", "poetry", "pipenv", "pdm", "npm", "yarn", "pnpm", "gem")
SYSTEM_FAMILIES = frozenset({"apt", "apk", "rpm", "zypper"})  # the distribution's own packages
INSTALLING = frozenset({"install", "add", "ci", "sync"})  # actions that install packages
PYTHON_RE = lazy_compile(r"python(\d+(\.\d+)*)?")
CONDA_RUN_VALUE_OPTIONS = ("-n", "--name", "-p", "--prefix", "--cwd", "-r", "--root-prefix")
_VERSION_RE = lazy_compile(r"[=<>~@].*$")

class _Tables:
    """The declared tools, indexed once on first use."""

    __slots__ = ("by_program", "patterns", "by_module", "by_name")

    def __init__(self):
        self.by_program: dict[str, Tool] = {}
        self.patterns: list[tuple[object, Tool]] = []
        self.by_module: dict[str, Tool] = {}
        self.by_name: dict[str, Tool] = {}
        for name in _MODULES:
            module = importlib.import_module(f"{__name__}.{name}")
            for tool in getattr(module, "TOOLS", None) or (module.TOOL,):
                self._add(tool)

    def _add(self, tool: Tool) -> None:
        for program in tool.programs:
            self.by_program[program] = tool
        if tool.program_pattern:
            self.patterns.append((lazy_compile(tool.program_pattern), tool))
        if tool.python_module:
            self.by_module[tool.python_module] = tool
        self.by_name[tool.name] = tool
        for nested in tool.nested.values():
            self._add(nested)


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables()
    return _TABLES


def declared_tools() -> tuple[Tool, ...]:
    """Every declared tool, nested ones such as `uv pip` included."""
    return tuple(_tables().by_name.values())


@command_memo
def tool_call(command: Command) -> ToolCall | None:
    """What package-tool command `command` runs, or None: the program by basename
    (`apt-get`, `/opt/venv/bin/pip`, `pip3.11`), `python -m pip`, through wrappers (`sudo`,
    `env`...) and `conda run` (also mamba, micromamba)."""
    words = _conda_run(unwrap(command))
    if not words:
        return None
    tables = _tables()
    name = words[0].text.rsplit("/", 1)[-1]
    tool = tables.by_program.get(name)
    start = 0
    if tool is None:
        for pattern, candidate in tables.patterns:
            if pattern.fullmatch(name):
                tool = candidate
                break
        else:
            if not PYTHON_RE.fullmatch(name):
                return None
            tool, start = _python_module(words)
            if tool is None:
                return None
    return _read(tool, words, start)


def tool_action(command: Command, *names: str) -> str:
    """What `command` does when it runs one of the tools `names` (`tool_action(c, "apt")`
    -> "install"), else ""."""
    call = tool_call(command)
    return call.action if call is not None and call.name in names else ""


def _read(tool: Tool, words: tuple[Word, ...], start: int) -> ToolCall:
    index, verb = subcommand(words[start:], tool.value_options)
    if index >= 0:
        index += start
    nested = tool.nested.get(verb)
    if nested is not None:
        sub, verb = subcommand(words[index:], nested.value_options)
        tool, index = nested, (index + sub if sub >= 0 else -1)
    second = ""
    if index >= 0 and (verb in tool.compound or any(v == verb and s not in ("", "*") for v, s in tool.cleans)):
        second = subcommand(words[index:])[1]
    if not verb:
        action = tool.bare if tool.bare and not has_option(words[1:], *tool.info_options) else ""
    elif verb in tool.compound:
        action = tool.compound[verb].get(second, tool.actions.get(verb, verb))
    else:
        action = tool.actions.get(verb, verb)  # a subcommand it does not declare stays as written
    return ToolCall(tool, verb, action, words, index, second)


def _conda_run(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """The command `conda run -n env pip install x` runs."""
    if not words or words[0].text.rsplit("/", 1)[-1] not in ("conda", "mamba", "micromamba"):
        return words
    index, action = subcommand(words)
    if action != "run":
        return words
    index += 1
    while index < len(words) and words[index].text.startswith("-"):
        index += 2 if words[index].text in CONDA_RUN_VALUE_OPTIONS else 1
    return words[index:]


def _python_module(words: tuple[Word, ...]) -> tuple[Tool | None, int]:
    """The tool `python [options] -m MODULE ...` runs and the index of MODULE, else (None, -1)."""
    by_module = _tables().by_module
    index = 1
    while index < len(words):
        text = words[index].text
        if text == "-m":
            module = words[index + 1].text if index + 1 < len(words) else ""
            tool = by_module.get(module)
            return (tool, index + 1) if tool is not None else (None, -1)
        if text.startswith("-m") and text[2:] in by_module:
            return by_module[text[2:]], index
        if text in ("-W", "-X"):
            index += 2
            continue
        if not text.startswith("-") or text == "-c":
            return None, -1
        index += 1
    return None, -1


def _system(command: Command, actions: tuple[str, ...]) -> tuple[Word, ...]:
    call = tool_call(command)
    if call is None or call.tool.family not in SYSTEM_FAMILIES or call.action not in actions:
        return ()
    return call.packages


def installed_packages(command: Command) -> tuple[Word, ...]:
    """The packages a system package manager installs (`apt-get install`, `apk add`,
    `dnf install`, `dnf group install`, `zypper in`...), else ()."""
    return _system(command, ("install",))


def removed_packages(command: Command) -> tuple[Word, ...]:
    """The packages a system package manager removes (`apt-get purge`, `apk del`, `dnf
    remove`, `zypper rm`...), else (); `apt-get autoremove` names none."""
    return _system(command, ("remove", "autoremove"))


def package_name(text: str) -> str:
    """The bare, lower-case name of a package argument: `gcc=4:12.2-1` -> `gcc`,
    `musl-dev~1.2` -> `musl-dev`, `libc6-dev:amd64` -> `libc6-dev`, `vim/bookworm` -> `vim`."""
    name = _VERSION_RE.sub("", text)
    if not name.startswith((".", "/", "$")):
        name = name.split("/", 1)[0].split(":", 1)[0]
    return name.lower()
