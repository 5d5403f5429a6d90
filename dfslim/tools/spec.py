"""How a package tool is described, and what the reader answers about one command of it.

A tool module (`dfslim/tools/apt.py`, ...) declares one `Tool` per program family: data
only, no parsing. `dfslim.tools.tool_call(command)` reads any command against those
declarations and returns a `ToolCall`; rules ask the call, never the argv.
"""


from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from dfslim.model import Word
from dfslim.regex import lazy_compile
from dfslim.shell import has_option, option_value

NOTHING: Mapping[str, tuple[str, ...]] = MappingProxyType({})
FALSE_VALUES = frozenset({"0", "false", "no", "off", "n", "f"})
# the names of development dependency groups, requirements files and extras, as parts of
# a name split on `-`, `_`, `.` (`requirements-dev.txt`, `test_requirements.txt`, `.[docs]`)
DEV_NAMES = frozenset({"dev", "test", "tests", "testing", "lint", "docs"})
_NAME_PARTS_RE = lazy_compile(r"[-_.]")
_VALUE_PARTS_RE = lazy_compile(r"[,:\s]+")
_EXTRAS_RE = lazy_compile(r"\[([^\]]*)\]")


class Tool:
    """What a package tool is: `Tool(name="apk", family="apk", ...)` with the fields below
    (a field left out keeps its default). Paths starting with `~/` are below the home of
    the user the RUN runs as; the others are absolute.

    A plain class with class-level defaults, not a NamedTuple of 28 fields: a one-file
    run declares every tool, and building such a NamedTuple costs a pre-commit run more
    than reading all the declarations."""

    name: str = ""  # "apt", "pip", "uv pip", ...: how rules and messages name it
    family: str = ""  # "apt", "apk", "rpm", "zypper", "python", "node", "ruby": tools that share a cache or an index
    ecosystem: str = ""  # "python", "node", "ruby": the language whose packages it installs
    programs: frozenset[str] = frozenset()  # basenames that run it
    program_pattern: str = ""  # or a regular expression they match in full (`pip3.11`)
    python_module: str = ""  # `python -m <module>` runs it too
    nested: "Mapping[str, Tool]" = NOTHING  # subcommands that are a tool of their own (`uv pip`)
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
    list_options: frozenset[str] = frozenset()  # options whose value runs on over the next words (`--without development test`)
    # Development dependencies. The settings below are written as `--opt` (given alone or
    # with a true value), `--opt=a b` (a value whose parts, split on `,`, `:` and spaces,
    # include a and b), `--opt=*` (any value) or `--opt={dev}` (a value with a part named
    # like a development group, see `dev_name`); variables the same way (`NODE_ENV=production`).
    project_installs: frozenset[str] = frozenset()  # actions that install the project's own dependencies (`npm ci`, `uv sync`)
    named_installs: frozenset[str] = frozenset()  # of those, the ones that install just the packages named, when some are (`npm install left-pad`)
    dev_by_default: bool = True  # a project install brings the development dependencies unless told otherwise (pipenv: only with `--dev`)
    production_options: tuple[str, ...] = ()  # options that leave the development dependencies out (`--omit=dev`)
    production_variables: tuple[str, ...] = ()  # variables that do (`NODE_ENV=production`)
    production_config: tuple[str, ...] = ()  # settings of its `config` command that do, for the installs after it (`without=development test`)
    dev_options: tuple[str, ...] = ()  # options that bring them in even so (`--include=dev`, `-r={dev}`)
    dev_variables: tuple[str, ...] = ()  # variables that do
    dev_extras: bool = False  # package names carry extras (`.[dev,test]`), development ones when named so
    production_flag: str = ""  # what a fix inserts after the subcommand to leave them out (`--omit=dev`)
    older_production_flag: tuple = ()  # (base image family, first major version with production_flag, the flag before it)
    production_assignment: str = ""  # or writes before the program (`BUNDLE_WITHOUT=development:test`)
    flagless_with: tuple[str, ...] = ()  # options of a version that has no such flag (Yarn 2+'s `--immutable`): no fix then
    prunes: frozenset[str] = frozenset()  # actions that remove the development dependencies when given a production setting (`npm prune --omit=dev`)
    dependency_folders: tuple[str, ...] = ()  # the folder a project install fills (`node_modules`): removing it removes them
    script_verbs: bool = False  # an undeclared subcommand runs the project script of that name (`yarn build`)
    build_programs: frozenset[str] = frozenset()  # programs of the development dependencies that build or check the project (`tsc`, `vite`)

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


class OptionUse(NamedTuple):
    """One occurrence of an option that takes a value: `--editable=.` is `OptionUse("--editable",
    <that word>, None, ".")`; `-e .` holds the value's own word."""

    name: str  # the option's name (`-e`, `--editable`)
    option: Word  # the word that names it (and holds an attached value)
    value: Word | None  # the next word when it holds the value, else None
    text: str | None  # the value (None: the option ends the command)


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
        return [use.text for use in self.option_words(*names) if use.text is not None]

    @property
    def packages(self) -> tuple[Word, ...]:
        """The words after the subcommand that are not options or option values (`gcc`, `make`
        in `apk add --virtual .deps gcc make`); `dnf group install X` gives `X`."""
        if self.index < 0:
            return ()
        options, lists = self.tool.value_options, self.tool.list_options
        words = self.words
        found: list[Word] = []
        index = self.index + (2 if self.second else 1)
        while index < len(words):
            text = words[index].text
            if text in lists:
                index += 1
                while index < len(words) and not words[index].text.startswith("-"):
                    index += 1
                continue
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

    # ------------------------------------------------------------------ settings (DFS117)

    def given(self, name: str) -> list[str | None]:
        """The value of each occurrence of option `name` after the program, in order:
        None when given alone (`--production`), else its value (`--omit=dev`, `--omit
        dev` when the tool declares that `--omit` takes one, `--without development test`
        for a list option); a short option combined with others (`-Pq`) is given alone."""
        found: list[str | None] = []
        words, tool = self.words, self.tool
        takes_value = name in tool.value_options or name in tool.list_options
        index = 1
        while index < len(words):
            text = words[index].text
            if text == "--":
                break
            if text == name:
                if not takes_value:
                    found.append(None)
                elif name in tool.list_options:
                    end = index + 1
                    while end < len(words) and not words[end].text.startswith("-"):
                        end += 1
                    found.append(" ".join(word.text for word in words[index + 1 : end]))
                    index = end
                    continue
                elif index + 1 < len(words):
                    found.append(words[index + 1].text)
                    index += 1
            elif text.startswith(name + "=") and name.startswith("--"):
                found.append(text[len(name) + 1 :])
            elif len(name) == 2 and text.startswith(name) and len(text) > 2 and takes_value:
                found.append(text[2:])  # `-rdev.txt`
            elif len(name) == 2 and not takes_value and text.startswith("-") and not text.startswith("--") and name[1] in text[1:]:
                found.append(None)
            index += 1
        return found

    def option_words(self, *names: str) -> list[OptionUse]:
        """Each occurrence of the value-taking options `names` after the program, in
        order, as an `OptionUse`: `-e .`, `-e.`, `--editable=.`, `--editable .`."""
        found: list[OptionUse] = []
        words, index = self.words, 1
        while index < len(words):
            text = words[index].text
            if text == "--":
                break
            if text in names:
                value = words[index + 1] if index + 1 < len(words) else None
                found.append(OptionUse(text, words[index], value, value.text if value is not None else None))
                index += 2
                continue
            for name in names:
                if name.startswith("--") and text.startswith(name + "="):
                    found.append(OptionUse(name, words[index], None, text[len(name) + 1 :]))
                    break
                if len(name) == 2 and text.startswith(name) and len(text) > 2 and not text.startswith("--"):
                    found.append(OptionUse(name, words[index], None, text[2:]))
                    break
            index += 1
        return found

    def selects(self, settings: tuple[str, ...]) -> bool:
        """Whether an option of this call matches one of `settings` (see `Tool`)."""
        return any(
            setting_matches(setting, value) for setting in settings for value in self.given(setting.partition("=")[0])
        )

    def names_any(self, settings: tuple[str, ...]) -> bool:
        """Whether this call gives any of the options `settings` name, whatever the value."""
        return any(self.given(setting.partition("=")[0]) for setting in settings)

    @property
    def extras(self) -> tuple[str, ...]:
        """The extras its package arguments ask for (`.[dev,test]`, `-e '.[docs]'`)."""
        found: list[str] = []
        texts = [word.text for word in self.packages] + self.values("-e", "--editable")
        for text in texts:
            for group in _EXTRAS_RE.findall(text):
                found += [extra.strip() for extra in group.split(",") if extra.strip()]
        return tuple(found)

    @property
    def setting(self) -> tuple[str, str] | None:
        """(key, value) when this is the tool's `config` command setting something:
        `bundle config set --local without 'development test'`, `npm config set
        omit=dev`, `npm set production true`; None otherwise (reading one included)."""
        if self.action != "config" or self.index < 0:
            return None
        words = [word.text for word in self.arguments if not word.text.startswith("-")]
        if words[:1] == ["set"]:
            words = words[1:]
        if not words or words[0] in ("get", "list", "ls", "delete", "rm", "unset", "edit", "fix"):
            return None
        key, equals, value = words[0].partition("=")
        if equals:
            return key, value
        return (key, " ".join(words[1:])) if len(words) > 1 else None


def dev_name(text: str) -> bool:
    """Whether a name has a development part (`requirements-dev.txt`,
    `requirements/test.txt`, `docs`): its file name or folder, split on `-`, `_`, `.`,
    has one of `DEV_NAMES` (folders further up do not count: `/home/dev/app/x.txt` is not,
    nor `/dev/stdin`)."""
    if text.startswith("/dev/"):
        return False  # `-r /dev/stdin`: the device folder
    for component in text.lower().rstrip("/").split("/")[-2:]:
        if not DEV_NAMES.isdisjoint(_NAME_PARTS_RE.split(component)):
            return True
    return False


def setting_matches(setting: str, value: str | None) -> bool:
    """Whether an option or variable given with `value` (None: an option given alone)
    matches `setting`, written as `Tool` describes."""
    _name, equals, wanted = setting.partition("=")
    if not equals:
        return value is None or (value.strip() != "" and value.strip().lower() not in FALSE_VALUES)
    if value is None or not value.strip():
        return False
    if wanted == "*":
        return True
    parts = [part for part in _VALUE_PARTS_RE.split(value.strip().lower()) if part]
    if wanted == "{dev}":
        return any(dev_name(part) for part in parts)
    return set(wanted.lower().split()) <= set(parts)
