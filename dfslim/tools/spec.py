"""How a package tool is described, and what the reader answers about one command of it.

A tool module (`dfslim/tools/apt.py`, ...) declares one `Tool` per program family: data
only, no parsing. `dfslim.tools.tool_call(command)` reads any command against those
declarations and returns a `ToolCall`; rules ask the call, never the argv.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from dfslim.model import Word
from dfslim.shell import has_option, option_value

NOTHING: Mapping[str, tuple[str, ...]] = MappingProxyType({})


class Tool:
    """What a package tool is: `Tool(name="apk", family="apk", ...)` with the fields below
    (a field left out keeps its default). Paths starting with `~/` are below the home of
    the user the RUN runs as; the others are absolute.

    A plain class with class-level defaults, not a NamedTuple of 28 fields: a one-file
    run declares every tool, and building such a NamedTuple costs a pre-commit run more
    than reading all the declarations."""

    name: str = ""  # "apt", "pip", "uv pip", ...: how rules and messages name it
    family: str = ""  # "apt", "apk", "rpm", "zypper", "python", "node", "ruby": tools that share a cache or an index
    programs: frozenset[str] = frozenset()  # basenames that run it
    program_pattern: str = ""  # or a regular expression they match in full (`pip3.11`)
    python_module: str = ""  # `python -m <module>` runs it too
    nested: Mapping[str, Tool] = NOTHING  # subcommands that are a tool of their own (`uv pip`)
    value_options: frozenset[str] = frozenset()  # options whose value is the next word
    actions: Mapping[str, str] = NOTHING  # subcommand as written (aliases too) -> what it does
    # subcommands that take a second word saying what they do (`dnf group install`, `yarn
    # global add`): the second word -> what the pair does
    compound: Mapping[str, Mapping[str, str]] = NOTHING
    bare: str = ""  # what it does with no subcommand (`yarn` alone installs)
    info_options: tuple[str, ...] = ()  # with no subcommand, these only print something
    # the (subcommand, second word) pairs that empty the whole cache (`pip cache purge`,
    # `yum clean all`); a second word "" is none, "*" any
    cleans: frozenset[tuple[str, str]] = frozenset()
    fills: frozenset[str] = frozenset()  # actions that write the cache (or the index)
    caches: tuple[str, ...] = ()  # the folders it leaves its download cache in
    # run as root, it caches only in these of `caches` (yarn 1: /usr/local/share/.cache/yarn,
    # not the root home); run as another user, only in the others
    root_caches: tuple[str, ...] = ()
    cache_variables: tuple[str, ...] = ()  # environment variables that move the cache
    cache_options: tuple[str, ...] = ()  # options that move the cache (`--cache-dir X`)
    no_cache_options: tuple[str, ...] = ()  # options that keep the cache out of the layer
    no_cache_flag: str = ""  # the one of them a fix inserts
    no_cache_variables: tuple[str, ...] = ()  # variables that do, when set to a true value
    no_cache_any_value: bool = False  # ... or set at all (pip reads any valid value as "off")
    cache_query: str = ""  # the command that prints the cache folder (`rm -rf "$(pip cache dir)"`)
    clean: str = ""  # the command that empties the cache, for suggestions and fixes
    mount: str = ""  # the cache folder to suggest for `RUN --mount=type=cache,target=...`
    yes_options: tuple[str, ...] = ()  # options that answer its prompts
    insecure_options: tuple[tuple[str, bool, str], ...] = ()  # (option, takes a value, what it turns off)

    def __init__(self, **fields):
        for key, value in fields.items():
            if key.startswith("_") or not hasattr(Tool, key) or callable(getattr(Tool, key)):
                raise TypeError(f"Tool has no field {key!r}")
            object.__setattr__(self, key, value)
        if not self.name or not self.family:
            raise TypeError("a Tool needs a name and a family")

    def __setattr__(self, key, value):
        raise AttributeError("a Tool is read-only")

    def __repr__(self) -> str:
        return f"Tool({self.name!r})"


class ToolCall(NamedTuple):
    """One command of a package tool: `apt-get -q install -y curl` -> tool apt, verb
    `install`, action `install`, packages (`curl`)."""

    tool: Tool
    verb: str  # the subcommand as written (`i`, `in`, `install`...); "" when none
    action: str  # what it does, from the tool's `actions`; the verb itself when it declares none
    words: tuple[Word, ...]  # argv after wrappers (`sudo`, `env`, `conda run`...), the program first
    index: int  # position of the subcommand in `words`, -1 when none
    second: str = ""  # the word after a compound subcommand (`install` in `dnf group install`)

    @property
    def name(self) -> str:
        return self.tool.name

    @property
    def word(self) -> Word | None:
        """The subcommand word (where a flag such as `--no-cache` is inserted), else None."""
        return self.words[self.index] if self.index >= 0 else None

    @property
    def program(self) -> str:
        """The basename of the program as written (`apt-get`, `pip3`, `python3`)."""
        return self.words[0].text.rsplit("/", 1)[-1]

    @property
    def arguments(self) -> tuple[Word, ...]:
        """The words after the subcommand (after the program when there is none)."""
        return self.words[self.index + 1 :] if self.index >= 0 else self.words[1:]

    def has(self, *names: str) -> bool:
        """Whether an option among `names` is given anywhere after the program (`-y`
        matches `-yq`; `--opt` matches `--opt=value`)."""
        return has_option(self.words[1:], *names)

    def value(self, *names: str) -> str | None:
        """The value of the last of the long options `names` (`--cache-dir X`, `--cache-dir=X`)."""
        return option_value(self.words, *names)

    def values(self, *names: str) -> list[str]:
        """Every value given to the options `names`, in order: `-r a.txt`, `-rb.txt`,
        `--requirement=c.txt`, `--requirement d.txt`."""
        found: list[str] = []
        words, index = self.words, 1
        while index < len(words):
            text = words[index].text
            if text == "--":
                break
            if text in names:
                if index + 1 < len(words):
                    found.append(words[index + 1].text)
                index += 2
                continue
            for name in names:
                if name.startswith("--") and text.startswith(name + "="):
                    found.append(text[len(name) + 1 :])
                elif len(name) == 2 and text.startswith(name) and len(text) > 2 and not text.startswith("--"):
                    found.append(text[2:])
            index += 1
        return found

    @property
    def packages(self) -> tuple[Word, ...]:
        """The words after the subcommand that are not options or option values (`gcc`, `make`
        in `apk add --virtual .deps gcc make`); `dnf group install X` gives `X`."""
        if self.index < 0:
            return ()
        options = self.tool.value_options
        words = self.words
        found: list[Word] = []
        index = self.index + (2 if self.second else 1)
        while index < len(words):
            text = words[index].text
            if text in options:
                index += 2
                continue
            if text and not text.startswith("-"):
                found.append(words[index])
            index += 1
        return tuple(found)

    @property
    def cleans_cache(self) -> bool:
        """Whether this is the tool's own command that empties its whole cache."""
        cleans = self.tool.cleans
        return (self.verb, self.second) in cleans or (self.verb, "*") in cleans

    @property
    def fills_cache(self) -> bool:
        """Whether this call writes the tool's cache (or index), options aside."""
        return self.action in self.tool.fills

    @property
    def keeps_cache_out(self) -> bool:
        """Whether an option of this call keeps the download cache out of the layer."""
        return bool(self.tool.no_cache_options) and self.has(*self.tool.no_cache_options)
