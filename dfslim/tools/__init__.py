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
from dfslim.tools.spec import Tool, ToolCall, dev_name, setting_matches

__all__ = [
    "INSTALLING", "SYSTEM_FAMILIES", "Tool", "ToolCall", "declared_tools", "dev_name", "family_tools", "installed_packages",
    "package_name", "program_names", "removed_packages", "setting_matches", "tool_action", "tool_call",
]

_MODULES = ("apt", "apk", "rpm", "zypper", "pip", "uv", "poetry", "pipenv", "pdm", "npm", "yarn", "pnpm", "gem")
# the module that declares each program, so that a run imports only the tool modules of the
# programs it meets (tests/test_tools.py keeps this equal to the modules' declarations)
MODULE_OF_PROGRAM = {
    "apt-get": "apt", "apt": "apt", "aptitude": "apt", "apt-mark": "apt", "apk": "apk",
    "yum": "rpm", "dnf": "rpm", "dnf5": "rpm", "dnf-3": "rpm", "microdnf": "rpm", "tdnf": "rpm",
    "yum-config-manager": "rpm", "dnf-config-manager": "rpm",
    "zypper": "zypper", "uv": "uv", "poetry": "poetry", "pipenv": "pipenv", "pdm": "pdm",
    "npm": "npm", "yarn": "yarn", "pnpm": "pnpm", "gem": "gem", "bundle": "gem", "bundler": "gem",
}
MODULE_OF_PATTERN = ((lazy_compile(r"pip(\d+(\.\d+)*)?"), "pip"),)  # `pip`, `pip3`, `pip3.11`
MODULE_OF_PYTHON_MODULE = {"pip": "pip"}  # `python -m pip`
MODULE_OF_FAMILY = {family: family for family in _MODULES if family != "gem"} | {"ruby": "gem"}
SYSTEM_FAMILIES = frozenset({"apt", "apk", "rpm", "zypper"})  # the distribution's own packages
INSTALLING = frozenset({"install", "add", "ci", "sync"})  # actions that install packages
PYTHON_RE = lazy_compile(r"python(\d+(\.\d+)*)?")
CONDA_RUN_VALUE_OPTIONS = ("-n", "--name", "-p", "--prefix", "--cwd", "-r", "--root-prefix")
_VERSION_RE = lazy_compile(r"[=<>~@].*$")

class _Tables:
    """The declared tools, indexed as their modules are first needed."""

    __slots__ = ("loaded", "by_program", "patterns", "by_module", "by_name")

    def __init__(self):
        self.loaded: set[str] = set()
        self.by_program: dict[str, Tool] = {}
        self.patterns: list[tuple[object, Tool]] = []
        self.by_module: dict[str, Tool] = {}
        self.by_name: dict[str, Tool] = {}

    def load(self, module_name: str) -> None:
        if module_name in self.loaded:
            return
        self.loaded.add(module_name)
        module = importlib.import_module(f"{__name__}.{module_name}")
        for tool in getattr(module, "TOOLS", None) or (module.TOOL,):
            self._add(tool)

    def load_all(self) -> None:
        for module_name in _MODULES:
            self.load(module_name)

    def for_program(self, name: str) -> Tool | None:
        module_name = MODULE_OF_PROGRAM.get(name)
        if module_name is None:
            module_name = next((module for pattern, module in MODULE_OF_PATTERN if pattern.fullmatch(name)), None)
            if module_name is None:
                return None
            self.load(module_name)
            return next((tool for pattern, tool in self.patterns if pattern.fullmatch(name)), None)
        self.load(module_name)
        return self.by_program.get(name)

    def for_python_module(self, name: str) -> Tool | None:
        module_name = MODULE_OF_PYTHON_MODULE.get(name)
        if module_name is None:
            return None
        self.load(module_name)
        return self.by_module.get(name)

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
    tables = _tables()
    tables.load_all()
    return tuple(tables.by_name.values())


def family_tools(family: str) -> tuple[Tool, ...]:
    """The declared tools of one family (`rpm`: yum, dnf, microdnf, tdnf)."""
    tables = _tables()
    module_name = MODULE_OF_FAMILY.get(family)
    if module_name is None:
        return ()
    tables.load(module_name)
    return tuple(tool for tool in tables.by_name.values() if tool.family == family)


def program_names() -> frozenset[str]:
    """The basenames of every package tool's programs (not the `pip3.11` spellings)."""
    return frozenset(MODULE_OF_PROGRAM) | frozenset(MODULE_OF_PYTHON_MODULE)


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
    tool = tables.for_program(name)
    start = 0
    if tool is None:
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
    tables = _tables()
    index = 1
    while index < len(words):
        text = words[index].text
        if text == "-m":
            module = words[index + 1].text if index + 1 < len(words) else ""
            tool = tables.for_python_module(module)
            return (tool, index + 1) if tool is not None else (None, -1)
        if text.startswith("-m") and tables.for_python_module(text[2:]) is not None:
            return tables.for_python_module(text[2:]), index
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
