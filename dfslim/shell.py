"""Split a RUN instruction's shell script into simple commands.

A small POSIX-shell tokenizer: enough to find commands and their arguments, with source
positions, in the scripts Dockerfiles contain. It splits on `&&`, `||`, `;`, `|`, `&`,
newlines and parentheses, honours quotes, backslash escapes, `$(...)`, backticks and
comments, drops redirections from argv, and never evaluates anything. Linear in the
length of its input.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from dfslim.regex import lazy_compile

if TYPE_CHECKING:
    from dfslim.model import Instruction

SEPARATORS = ("&&", "||", ";;&", ";;", ";&", ";", "|&", "|", "&", "\n", "(", ")")
# the first of SEPARATORS that starts at a position, in one match
OPERATOR_RE = lazy_compile("|".join(re.escape(operator) for operator in SEPARATORS))
CASE_ENDS = (";;", ";&", ";;&")
REDIRECT_RE = lazy_compile(r"\d*(?:<<<|<<-|<<|>>|>&|<&|<>|>\||&>>|&>|>|<)")
PLAIN_RE = lazy_compile(r"[^\s'\"\\$`;&|()<>]+")
ASSIGNMENT_RE = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
LEADING_KEYWORDS = frozenset({"then", "else", "elif", "do", "if", "while", "until", "!", "{", "}", "time"})
SKIPPED_COMMANDS = frozenset({"fi", "done", "esac", "for", "case", "in", "select", "function"})
# Commands that run their arguments as another command.
WRAPPERS = frozenset({"sudo", "env", "exec", "nice", "nohup", "command", "builtin", "xargs", "doas", "gosu", "su-exec", "chroot", "stdbuf", "timeout", "eatmydata"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


class Word(NamedTuple):
    text: str  # the word with quotes and escapes removed (expansions left as written)
    start: int  # source offsets of the raw word
    end: int


class _CommandFields(NamedTuple):
    words: tuple[Word, ...]  # argv, redirections and leading assignments removed
    assignments: tuple[Word, ...]
    redirects: tuple[tuple[str, Word], ...]
    before: str | None  # the operator that precedes it (`&&`, `|`, ...), None at the start
    after: str | None  # the operator that follows it
    depth: int  # how many parentheses enclose it (a subshell)
    start: int
    end: int
    heredoc: bool = False  # comes from a heredoc body
    inline: bool = False  # comes from a `sh -c "..."` string: runs in a shell of its own


class Command(_CommandFields):
    """A simple command: `DEBIAN_FRONTEND=noninteractive apt-get install -y curl`.

    Compares by value; its `__dict__` holds what `_memo` caches."""

    @property
    def argv(self) -> tuple[str, ...]:
        return tuple(word.text for word in self.words)

    @property
    def name(self) -> str:
        """The basename of the program (`/opt/venv/bin/pip` -> `pip`), or ""."""
        return self.words[0].text.rsplit("/", 1)[-1] if self.words else ""

    @property
    def piped_to(self) -> bool:
        return self.after in ("|", "|&")

    @property
    def piped_from(self) -> bool:
        return self.before in ("|", "|&")


class Script:
    """The commands of one RUN, in order; iterating a Script iterates its commands."""

    __slots__ = ("commands", "shell_form")

    def __init__(self, commands: tuple[Command, ...], shell_form: bool):
        self.commands = commands
        self.shell_form = shell_form  # False for exec form and for heredoc bodies that are not shell

    def __repr__(self) -> str:
        return f"Script({self.commands!r}, shell_form={self.shell_form})"

    def __iter__(self):
        return iter(self.commands)

    def __len__(self) -> int:
        return len(self.commands)


def _memo(function):
    """Cache a pure function of a Command on the command itself: rules ask the same
    questions of the same commands many times, and commands never change."""
    key = "_" + function.__name__

    def cached(command):
        memo = command.__dict__
        try:
            return memo[key]  # the common case: rules call these millions of times on big files
        except KeyError:
            found = memo[key] = function(command)
            return found

    return functools.update_wrapper(cached, function)


@_memo
def unwrap(command: Command) -> tuple[Word, ...]:
    """The argv of the command that really runs: `sudo -E env X=1 apt-get` -> apt-get ..."""
    words = command.words
    while words:
        name = words[0].text.rsplit("/", 1)[-1]
        if name not in WRAPPERS:
            break
        words = words[1:]
        # skip the wrapper's own options and assignments (`sudo -u app`, `env A=1`)
        while words and (words[0].text.startswith("-") or ASSIGNMENT_RE.match(words[0].text)):
            takes_value = name in ("sudo", "doas") and words[0].text in ("-u", "-g", "-C", "-h", "-p")
            words = words[2:] if takes_value else words[1:]
        if name == "timeout" and words and words[0].text[:1].isdigit():
            words = words[1:]
    return words


def tokenize(text: str, base: int = 0, to_source=None) -> list[Command]:
    """Split shell `text` into commands; offsets map through `to_source(index)`."""
    locate = to_source or (lambda index: base + index)
    commands: list[Command] = []
    words: list[tuple[str, int, int]] = []
    redirects: list[tuple[str, tuple[str, int, int]]] = []
    pending_redirect: str | None = None
    depth = 0
    before: str | None = None
    index, length = 0, len(text)
    # `case WORD in PATTERN) ... ;; esac`: "subject" before `in`, "pattern" up to `)`,
    # "body" for the commands; the `|` between patterns is not a pipe.
    cases: list[str] = []

    def flush(after: str | None) -> None:
        nonlocal words, redirects, before
        if words or redirects:
            command = _command(words, redirects, before, after, depth, locate)
            if command.words:  # a bare assignment or `fi` runs no program
                commands.append(command)
        words, redirects = [], []
        before = after

    while index < length:
        char = text[index]
        if char in " \t\r":
            index += 1
            continue
        if char == "\\" and text.startswith("\n", index + 1):
            index += 2
            continue
        if char == "\\" and text.startswith("\r\n", index + 1):
            index += 3
            continue
        if char == "#":
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
            continue
        if char in ";&|()\n":
            operator = OPERATOR_RE.match(text, index).group(0)
            if operator == "&" and text.startswith("&>", index):
                pass  # a redirection, handled below
            elif cases and cases[-1] != "body":
                index += len(operator)
                if operator == ")" and cases[-1] == "pattern":
                    cases[-1] = "body"
                continue
            else:
                index += len(operator)
                if operator in CASE_ENDS and cases:
                    flush(operator)
                    cases[-1] = "pattern"
                elif operator == "(":
                    flush(before)
                    depth += 1
                elif operator == ")":
                    flush(")")
                    depth = max(depth - 1, 0)
                else:
                    flush(operator)
                continue
        redirect = REDIRECT_RE.match(text, index) if char in "<>&0123456789" else None
        if redirect:
            # keep the descriptor (`2>` is not stdout); `1>` and `0<` are the defaults
            pending_redirect = redirect.group(0)
            if pending_redirect[:1] in "01" and pending_redirect[1:2] in "<>" and pending_redirect[0] == ("1" if pending_redirect[1] == ">" else "0"):
                pending_redirect = pending_redirect[1:]
            index = redirect.end()
            if pending_redirect.lstrip("0123456789") in (">&", "<&"):  # `2>&1`: the target is a descriptor
                target = re.compile(r"[ \t]*(\d+-?|-)").match(text, index)
                if target:
                    redirects.append((pending_redirect, (target.group(1), target.start(1), target.end())))
                    index, pending_redirect = target.end(), None
            continue
        value, end = _word(text, index)
        if (cases or value == "case") and pending_redirect is None and not words and not redirects and _case_word(cases, value):
            index = end
            continue
        if pending_redirect is not None:
            redirects.append((pending_redirect, (value, index, end)))
            pending_redirect = None
        else:
            words.append((value, index, end))
        index = end
    flush(None)
    return commands


def _case_word(cases: list[str], value: str) -> bool:
    """Track `case ... in ... esac` at a command's start; True when the word is consumed."""
    if value == "case" and (not cases or cases[-1] == "body"):
        cases.append("subject")
        return True
    state = cases[-1]
    if state == "subject":
        if value == "in":
            cases[-1] = "pattern"
        return True
    if value == "esac":
        cases.pop()
        return True
    return state == "pattern"


def _command(words, redirects, before, after, depth, locate) -> Command:
    # words and redirections are read left to right: the first starts, the last ends
    if not redirects:
        start_index, end_index = words[0][1], words[-1][2]
    elif not words:
        start_index, end_index = redirects[0][1][1], redirects[-1][1][2]
    else:
        start_index, end_index = min(words[0][1], redirects[0][1][1]), max(words[-1][2], redirects[-1][1][2])
    made = [Word(value, locate(start), locate(end - 1) + 1) for value, start, end in words]
    # one slice each, not a pop(0) per word: `if if if ...` or `A=1 A=1 ...` stays linear
    first = 0
    while first < len(made) and made[first].text in LEADING_KEYWORDS:
        first += 1
    program = first
    while program < len(made) and ASSIGNMENT_RE.match(made[program].text):
        program += 1
    assignments = made[first:program]
    made = made[program:]
    if made and made[0].text in SKIPPED_COMMANDS:
        made = []
    return Command(
        words=tuple(made),
        assignments=tuple(assignments),
        redirects=tuple([(op, Word(v, locate(s), locate(e - 1) + 1)) for op, (v, s, e) in redirects]) if redirects else (),
        before=before,
        after=after,
        depth=depth,
        start=locate(start_index),
        end=locate(end_index - 1) + 1,
    )


def _word(text: str, index: int) -> tuple[str, int]:
    """Read one word from `index`; returns its unquoted value and its end."""
    length = len(text)
    plain = PLAIN_RE.match(text, index)
    if plain and (plain.end() == length or text[plain.end()] in " \t\r\n;&|()<>"):
        return plain.group(0), plain.end()  # most words: no quote, escape or expansion
    out: list[str] = []
    while index < length:
        char = text[index]
        if char in " \t\r\n;&|()<>":
            break  # (none of these starts a plain run: tested first, it saves a match per word)
        plain = PLAIN_RE.match(text, index)
        if plain:
            out.append(plain.group(0))
            index = plain.end()
            continue
        if char == "'":
            close = text.find("'", index + 1)
            close = length if close < 0 else close
            out.append(text[index + 1 : close])
            index = close + 1
        elif char == '"':
            index = _double_quoted(text, index + 1, out)
        elif char == "\\":
            if index + 1 < length and text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
        elif char == "$":
            end = _dollar(text, index)
            out.append(text[index:end])
            index = end
        elif char == "`":
            close = text.find("`", index + 1)
            close = length if close < 0 else close
            out.append(text[index : close + 1])
            index = close + 1
        else:
            out.append(char)
            index += 1
    return "".join(out), min(index, length)


def _double_quoted(text: str, index: int, out: list[str]) -> int:
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            return index + 1
        if char == "\\" and index + 1 < length:
            following = text[index + 1]
            if following in '$`"\\':
                out.append(following)
            elif following != "\n":
                out.append(char + following)
            index += 2
        elif char == "$":
            end = _dollar(text, index)
            out.append(text[index:end])
            index = end
        elif char == "`":
            close = text.find("`", index + 1)
            close = length if close < 0 else close
            out.append(text[index : close + 1])
            index = close + 1
        else:
            out.append(char)
            index += 1
    return length


def _dollar(text: str, index: int) -> int:
    """The end of a `$...` expansion starting at `index`."""
    following = text[index + 1 : index + 2]
    if following in ("(", "{"):
        opening, closing = following, ")" if following == "(" else "}"
        depth, position = 0, index + 1
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if char == "'" and opening == "(":
                close = text.find("'", position + 1)
                position = len(text) if close < 0 else close + 1
                continue
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        return len(text)
    if following == "'":
        close = text.find("'", index + 2)
        return len(text) if close < 0 else close + 1
    match = re.match(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]", text[index + 1 : index + 64])
    return index + 1 + (match.end() if match else 0)


def script_of(instruction: Instruction) -> Script:
    """The commands of a RUN: shell form, exec form (`sh -c` scripts split too), heredocs."""
    exec_form = instruction.exec_form
    if exec_form is not None:
        return Script(_exec_commands(instruction, exec_form), shell_form=False)
    args_index = instruction.args_index
    commands = tokenize(instruction.args, to_source=_locator(instruction, args_index))
    commands = _with_inline_scripts(instruction, commands)
    if not instruction.heredocs:
        return Script(tuple(c for c in commands if c.words), shell_form=True)
    if _heredoc_is_script(commands):
        commands = [c for c in commands if c.words]
        body_commands = []
        for heredoc in instruction.heredocs:
            for command in tokenize(heredoc.body, base=heredoc.body_start):
                if command.words:
                    body_commands.append(command._replace(heredoc=True))
        return Script(tuple(commands + body_commands), shell_form=True)
    return Script(tuple(c for c in commands if c.words), shell_form=True)


def _locator(instruction: Instruction, at: int):
    """`lambda i: instruction.source_offset(at + i)`, with the piece starts looked up once
    (the tokenizer maps two offsets per word)."""
    from bisect import bisect_right

    pieces = instruction.pieces
    length, end = len(instruction.value), instruction.end
    if len(pieces) == 1:  # one line: a shift
        shift, limit = pieces[0][1] - pieces[0][0] + at, length - at

        def shifted(index: int) -> int:
            return shift + index if index < limit else end

        return shifted
    starts = [piece_index for piece_index, _source in pieces]

    def locate(index: int) -> int:
        value_index = at + index
        if value_index >= length:
            return end
        piece = bisect_right(starts, value_index) - 1
        piece_index, source = pieces[piece if piece > 0 else 0]
        return source + (value_index - piece_index)

    return locate


def _with_inline_scripts(instruction: Instruction, commands: list[Command]) -> list[Command]:
    """`sh -c "apt-get update && ..."`, `su app -c '...'`: the string's commands follow the
    command that runs them, one subshell deeper. Only a string quoted without escapes is
    split, so that every word keeps its exact place in the source."""
    out: list[Command] = []
    for command in commands:
        out.append(command)
        words = unwrap(command)
        if not words or words[0].text.rsplit("/", 1)[-1] not in SHELLS | {"su"}:
            continue
        script = _inline_script(words)
        if script is None:
            continue
        start = instruction.value_index(script.start)
        if start is None:
            continue
        raw = instruction.value[start : start + (script.end - script.start)]
        if len(raw) < 2 or raw[0] not in "'\"" or raw[-1] != raw[0] or raw[1:-1] != script.text or "\\" in raw:
            continue
        for inner in tokenize(script.text, to_source=lambda i, at=start + 1: instruction.source_offset(at + i)):
            out.append(inner._replace(depth=inner.depth + command.depth + 1, inline=True))
    return out


def _inline_script(words: tuple[Word, ...]) -> Word | None:
    """The word after `-c` (or a combined `-ec`) of a shell or `su` command."""
    for index, word in enumerate(words[1:-1], start=1):
        text = word.text
        if text == "--command" or (text.startswith("-") and not text.startswith("--") and text.endswith("c")):
            return words[index + 1]
    return None


def _heredoc_is_script(commands: list[Command]) -> bool:
    """`RUN <<EOF` and `RUN bash -e <<EOF` run the body; `RUN cat <<EOF >f` does not."""
    real = [c for c in commands if c.words]
    if not real:
        return True
    return len(real) == 1 and real[0].name in SHELLS and all(w.text.startswith("-") for w in real[0].words[1:])


def _exec_commands(instruction: Instruction, argv: tuple[str, ...]) -> tuple[Command, ...]:
    start, end = instruction.start, instruction.end
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1] in ("-c", "-ec", "-ex", "-exc", "-xc", "-eux", "-euxc"):
        return tuple(c for c in tokenize(argv[2], to_source=lambda _i: start) if c.words)
    if not argv:
        return ()
    words = tuple(Word(item, start, end) for item in argv)
    return (Command(words, (), (), None, None, 0, start, end),)


# ---------------------------------------------------------------------------- rule helpers


# has_option's names sorted into (long names, their `name=` prefixes, short letters)
_OPTION_KINDS: dict[tuple[str, ...], tuple] = {}


def has_option(words, *names: str) -> bool:
    """Whether argv `words` carries one of `names`: `--yes`, `--opt=value`, or a short
    option alone or combined (`-y` matches `-yq`)."""
    # sorted out once, not for every word: `apt-get install -y -y -y ...` has 250,000 words
    kinds = _OPTION_KINDS.get(names)
    if kinds is None:
        if len(_OPTION_KINDS) >= 256:
            _OPTION_KINDS.clear()
        longs = tuple(name for name in names if name.startswith("--"))
        letters = frozenset(name[1] for name in names if len(name) == 2 and not name.startswith("--"))
        kinds = _OPTION_KINDS[names] = (longs, tuple(name + "=" for name in longs), letters)
    longs, prefixes, letters = kinds
    for word in words:
        text = word.text if isinstance(word, Word) else word
        if text == "--":
            break
        if text.startswith("--"):
            if text in longs or text.startswith(prefixes):
                return True
        elif text.startswith("-") and letters and not letters.isdisjoint(text[1:]):
            return True
    return False


def subcommand(words, value_options: tuple[str, ...] = ()) -> tuple[int, str]:
    """The index and text of the first non-option word after the program (`install` in
    `apt-get -q -o X=1 install curl`), skipping the values of `value_options`."""
    index = 1
    while index < len(words):
        text = words[index].text
        if text in value_options:
            index += 2
            continue
        if not text.startswith("-"):
            return index, text
        index += 1
    return -1, ""


APT_VALUE_OPTIONS = ("-o", "-c", "-t", "--option", "--config-file", "--target-release")


@_memo
def apt_action(command: Command) -> str:
    """`install`, `update`, ... for an apt-get/apt/aptitude command, else ""."""
    words = unwrap(command)
    if not words or words[0].text.rsplit("/", 1)[-1] not in ("apt-get", "apt", "aptitude"):
        return ""
    return subcommand(words, APT_VALUE_OPTIONS)[1]


def mounts(instruction: Instruction) -> list[dict[str, str]]:
    """The `--mount=` flags of a RUN as dicts (`{"type": "cache", "target": "/x"}`)."""
    found = []
    values = instruction.flag_values("mount")
    if not values:
        return found  # most RUNs: nothing to import or parse
    from dfslim.parser import expand

    for value in values:
        value = expand(value, instruction.scope)
        fields: dict[str, str] = {"type": "bind"}
        for part in value.split(","):
            key, _, item = part.partition("=")
            key = {"dst": "target", "destination": "target"}.get(key.strip().lower(), key.strip().lower())
            fields[key] = item.strip().strip("\"'")
        found.append(fields)
    return found


def cache_mounted(instruction: Instruction, *paths: str) -> bool:
    """Whether a cache or tmpfs mount covers one of `paths` (the path or a parent)."""
    for mount in mounts(instruction):
        if mount.get("type") not in ("cache", "tmpfs"):
            continue
        target = mount.get("target", "").rstrip("/")
        if not target:
            continue
        for path in paths:
            path = path.rstrip("/")
            if path == target or path.startswith(target + "/"):
                return True
    return False


def removes(command: Command, *paths: str) -> bool:
    """Whether `command` is an `rm` that deletes one of `paths` (or a parent, or its
    contents via a trailing `/*`)."""
    if not is_rm(command):
        return False
    for word in unwrap(command)[1:]:
        target = word.text.rstrip("/")
        if target.endswith("/*"):
            target = target[:-2]
        for path in paths:
            path = path.rstrip("/")
            if target and (path == target or path.startswith(target + "/")):
                return True
    return False


def is_rm(command: Command) -> bool:
    words = unwrap(command)
    return bool(words) and words[0].text.rsplit("/", 1)[-1] == "rm"


def last_index(commands, predicate) -> int:
    """The position of the last command for which `predicate` holds, else -1: whether any
    command after position i qualifies is then `last_index(...) > i`, one pass per RUN."""
    for position in range(len(commands) - 1, -1, -1):
        if predicate(commands[position]):
            return position
    return -1


class Removals:
    """Whether an `rm` after a given command of one RUN deletes one of some paths (see
    `removes`). Rules ask this for every install in the RUN, mostly with the same paths:
    the answer for a set of paths is the position of the last `rm` deleting one of them,
    found once, so a long RUN is not rescanned per install."""

    __slots__ = ("_commands", "_removers", "_last")

    def __init__(self, commands):
        self._commands = commands
        self._removers = [position for position, command in enumerate(commands) if is_rm(command)]
        self._last: dict[tuple[str, ...], int] = {}

    def after(self, index: int, *paths: str) -> bool:
        last = self._last.get(paths)
        if last is None:
            found = [i for i in self._removers if removes(self._commands[i], *paths)]
            last = self._last[paths] = found[-1] if found else -1
        return last > index


# ---------------------------------------------------------------------------- package managers

APK_VALUE_OPTIONS = ("-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file", "--wait", "--timeout")
RPM_VALUE_OPTIONS = (
    "-c", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo",
    "--repo", "--repoid", "-x", "--exclude", "-d", "--debuglevel", "-e", "--errorlevel",
    "--rpmverbosity", "--forcearch", "--downloaddir", "--destdir", "--color", "--enableplugin",
    "--disableplugin", "--cachedir",
)
ZYPPER_VALUE_OPTIONS = ("-R", "--root", "-D", "--reposd-dir", "-C", "--cache-dir", "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "-c", "--config", "--releasever", "--installroot")
PIP_VALUE_OPTIONS = ("--proxy", "--cache-dir", "--log", "--log-file", "--local-log", "--timeout", "--retries", "--exists-action", "--trusted-host", "--cert", "--client-cert", "--python")
UV_VALUE_OPTIONS = ("--cache-dir", "--config-file", "--directory", "--project", "--color", "--python", "-p")
NPM_VALUE_OPTIONS = ("--prefix", "-C", "--cache", "--registry", "--userconfig", "--globalconfig", "--loglevel", "-w", "--workspace")
YARN_VALUE_OPTIONS = (
    "--cwd", "--cache-folder", "--preferred-cache-folder", "--modules-folder", "--mutex", "--network-timeout",
    "--global-folder", "--link-folder", "--registry", "--proxy", "--https-proxy", "--network-concurrency",
    "--use-yarnrc",
)
PACKAGE_TOOLS = {
    "apt-get": ("apt", APT_VALUE_OPTIONS), "apt": ("apt", APT_VALUE_OPTIONS), "aptitude": ("apt", APT_VALUE_OPTIONS),
    "apk": ("apk", APK_VALUE_OPTIONS),
    "yum": ("yum", RPM_VALUE_OPTIONS), "dnf": ("dnf", RPM_VALUE_OPTIONS), "dnf5": ("dnf", RPM_VALUE_OPTIONS),
    "microdnf": ("microdnf", RPM_VALUE_OPTIONS), "tdnf": ("tdnf", RPM_VALUE_OPTIONS),
    "zypper": ("zypper", ZYPPER_VALUE_OPTIONS),
    "npm": ("npm", NPM_VALUE_OPTIONS), "pnpm": ("pnpm", NPM_VALUE_OPTIONS), "yarn": ("yarn", YARN_VALUE_OPTIONS),
}
PIP_RE = lazy_compile(r"pip(\d+(\.\d+)*)?")
PYTHON_RE = lazy_compile(r"python(\d+(\.\d+)*)?")


class PackageAction(NamedTuple):
    """A package-manager command: `apt-get -q install curl` -> tool `apt`, action `install`."""

    tool: str  # apt, apk, yum, dnf, microdnf, tdnf, zypper, pip, uv, uv pip, npm, pnpm, yarn
    action: str  # the subcommand as written (`install`, `i`, `add`, `ci`...); "" when none
    words: tuple[Word, ...]  # argv after wrappers (`sudo`, `env`...), the program first
    index: int  # position of the subcommand in `words`, -1 when none

    @property
    def word(self) -> Word | None:
        """The subcommand word (where a flag such as `--no-cache` is inserted), else None."""
        return self.words[self.index] if self.index >= 0 else None


@_memo
def package_action(command: Command) -> PackageAction | None:
    """What package-manager command `command` runs, or None: `apt-get`, `apt`, `apk`,
    `yum`, `dnf`, `microdnf`, `zypper`, `npm`, `pnpm`, `yarn`, pip by basename (`pip3`,
    `pip3.11`, `/opt/venv/bin/pip`), `python -m pip`, `uv pip` (tool `uv pip`) and other
    `uv` commands (tool `uv`)."""
    words = _conda_run(unwrap(command))
    if not words:
        return None
    name = words[0].text.rsplit("/", 1)[-1]
    if name in PACKAGE_TOOLS:
        tool, options = PACKAGE_TOOLS[name]
        index, action = subcommand(words, options)
        return PackageAction(tool, action, words, index)
    start = -1
    if PIP_RE.fullmatch(name):
        start = 0
    elif PYTHON_RE.fullmatch(name):
        start = _python_module(words, "pip")
    elif name == "uv":
        index, action = subcommand(words, UV_VALUE_OPTIONS)
        if action != "pip":
            return PackageAction("uv", action, words, index)
        sub, action = subcommand(words[index:], UV_VALUE_OPTIONS)
        return PackageAction("uv pip", action, words, index + sub if sub >= 0 else -1)
    if start < 0:
        return None
    index, action = subcommand(words[start:], PIP_VALUE_OPTIONS)
    return PackageAction("pip", action, words, index + start if index >= 0 else -1)


CONDA_RUN_VALUE_OPTIONS = ("-n", "--name", "-p", "--prefix", "--cwd", "-r", "--root-prefix")


def _conda_run(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """The command `conda run -n env pip install x` (also mamba, micromamba) runs."""
    if not words or words[0].text.rsplit("/", 1)[-1] not in ("conda", "mamba", "micromamba"):
        return words
    index, action = subcommand(words)
    if action != "run":
        return words
    index += 1
    while index < len(words) and words[index].text.startswith("-"):
        index += 2 if words[index].text in CONDA_RUN_VALUE_OPTIONS else 1
    return words[index:]


def _python_module(words: tuple[Word, ...], module: str) -> int:
    """The index of `module` in `python [options] -m module ...`, else -1."""
    index = 1
    while index < len(words):
        text = words[index].text
        if text == "-m":
            return index + 1 if index + 1 < len(words) and words[index + 1].text == module else -1
        if text == "-m" + module:
            return index
        if text in ("-W", "-X"):
            index += 2
            continue
        if not text.startswith("-") or text == "-c":
            return -1
        index += 1
    return -1


def insert_option(script: Script, word: Word, option: str):
    """An edit inserting ` option` right after `word` (`--no-cache` after `apk add`), or
    None when the script's offsets are not exact (exec form)."""
    from dfslim.api import Edit

    if not script.shell_form:
        return None
    return Edit(word.end, word.end, " " + option)


def env_value(instruction: Instruction, commands, index: int, name: str) -> str | None:
    """The value of environment variable `name` when `commands[index]` of a RUN runs: set on
    the command (`NAME=1 pip ...`, `env NAME=1 pip ...`), exported earlier in the same RUN
    (`export NAME=1`), else by `ENV`/`ARG` in scope; None when unset."""
    command = commands[index]
    inline = list(command.assignments) + list(command.words[: len(command.words) - len(unwrap(command))])
    for word in reversed(inline):
        key, equals, value = word.text.partition("=")
        if equals and key == name:
            return value
    exported = _exports(instruction, commands).get(name, ())
    at = bisect.bisect_left(exported, (index,))
    for position, depth, value in reversed(exported[:at]):
        if depth <= command.depth:
            return value
    return instruction.scope.get(name)


def _exports(instruction: Instruction, commands) -> dict[str, list[tuple[int, int, str]]]:
    """For each variable name: (position, depth, value) of the `export`/`declare`/`typeset`
    commands that set it, in order, each with the last value it gives there. Built once
    per RUN and kept with the instruction: `env_value` is asked for every command, and
    rescanning the earlier commands each time made a long RUN quadratic."""
    cached = instruction.__dict__.get("_exports")
    if cached is not None and cached[0] is commands:
        return cached[1]
    table: dict[str, list[tuple[int, int, str]]] = {}
    for position, earlier in enumerate(commands):
        if earlier.name not in ("export", "declare", "typeset"):
            continue
        values: dict[str, str] = {}
        for word in earlier.words[1:]:
            key, equals, value = word.text.partition("=")
            if equals:
                values[key] = value
        for key, value in values.items():
            table.setdefault(key, []).append((position, earlier.depth, value))
    instruction.__dict__["_exports"] = (commands, table)
    return table


def home_paths(dockerfile, instruction: Instruction, relative: str) -> tuple[str, ...]:
    """The spellings of `relative` under the home directory of the user a RUN runs as:
    `/root/.npm`, `~/.npm`, `$HOME/.npm`, `${HOME}/.npm`, `/home/<USER>/.npm` and
    `$HOME` from `ENV` when set."""
    relative = relative.strip("/")
    homes = ["/root", "~", "$HOME", "${HOME}"]
    if instruction.scope.get("HOME"):
        homes.append(instruction.scope["HOME"].rstrip("/") or "/")
    stage = dockerfile.stage_of(instruction)
    if stage is not None:
        user = None
        for ancestor in dockerfile.lineage(stage):
            for earlier in ancestor.instructions:
                if earlier.index >= instruction.index:
                    break
                if earlier.keyword == "USER" and earlier.args.strip():
                    user = earlier.args.split()[0].split(":")[0]
        if user and user not in ("root", "0") and not user.isdigit() and "$" not in user:
            homes.append("/home/" + user)
    return tuple(home.rstrip("/") + "/" + relative for home in homes)


# ---------------------------------------------------------------------------- installed packages

SYSTEM_PACKAGE_ACTIONS = {  # tool -> (install subcommands, remove subcommands)
    "apt": (("install", "reinstall"), ("remove", "purge", "autoremove", "autopurge")),
    "apk": (("add",), ("del",)),
    "yum": (("install", "reinstall", "localinstall", "groupinstall"), ("remove", "erase", "autoremove", "groupremove")),
    "zypper": (("install", "in"), ("remove", "rm")),
}
for _tool in ("dnf", "microdnf", "tdnf"):
    SYSTEM_PACKAGE_ACTIONS[_tool] = SYSTEM_PACKAGE_ACTIONS["yum"]
APK_ADD_VALUE_OPTIONS = ("-t", "--virtual")
_VERSION_RE = lazy_compile(r"[=<>~@].*$")


def package_arguments(action: PackageAction) -> tuple[Word, ...]:
    """The package words after the subcommand, options and their values left out (`gcc`,
    `make` in `apk add --virtual .deps gcc make`); `dnf group install X` gives `X`."""
    if action.index < 0:
        return ()
    options = PACKAGE_TOOLS.get(action.words[0].text.rsplit("/", 1)[-1], ("", ()))[1]
    if action.tool == "apk":
        options += APK_ADD_VALUE_OPTIONS
    options = frozenset(options)  # looked up for every word
    found: list[Word] = []
    index = action.index + 1
    if action.action in ("group", "groups") and index < len(action.words):
        index += 1  # `dnf group install`
    while index < len(action.words):
        text = action.words[index].text
        if text in options:
            index += 2
            continue
        if text and not text.startswith("-"):
            found.append(action.words[index])
        index += 1
    return tuple(found)


def _system_packages(command: Command, which: int) -> tuple[Word, ...]:
    action = package_action(command)
    if action is None or action.tool not in SYSTEM_PACKAGE_ACTIONS:
        return ()
    verb = action.action
    if verb in ("group", "groups") and action.index + 1 < len(action.words):
        verb = "group" + action.words[action.index + 1].text
    if verb not in SYSTEM_PACKAGE_ACTIONS[action.tool][which]:
        return ()
    return package_arguments(action)


def installed_packages(command: Command) -> tuple[Word, ...]:
    """The packages a system package manager installs (`apt-get`/`apt`/`aptitude install`,
    `apk add`, `yum`/`dnf`/`microdnf`/`tdnf install`, `zypper install`), else ()."""
    return _system_packages(command, 0)


def removed_packages(command: Command) -> tuple[Word, ...]:
    """The packages a system package manager removes (`apt-get purge`/`remove`, `apk del`,
    `yum`/`dnf remove`, `zypper remove`...), else (); `apt-get autoremove` gives ()."""
    return _system_packages(command, 1)


def package_name(text: str) -> str:
    """The bare, lower-case name of a package argument: `gcc=4:12.2-1` -> `gcc`,
    `musl-dev~1.2` -> `musl-dev`, `libc6-dev:amd64` -> `libc6-dev`, `vim/bookworm` -> `vim`."""
    name = _VERSION_RE.sub("", text)
    if not name.startswith((".", "/", "$")):
        name = name.split("/", 1)[0].split(":", 1)[0]
    return name.lower()


# ---------------------------------------------------------------------------- downloads

_CURL_SHORT_VALUES = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_CURL_LONG_VALUES = frozenset(
    "--output --url --header --user --user-agent --data --data-binary --data-raw --data-urlencode --data-ascii "
    "--form --form-string --request --referer --proxy --proxy-user --cacert --capath --cert --key --cert-type "
    "--key-type --config --connect-timeout --max-time --retry --retry-delay --retry-max-time --max-redirs "
    "--limit-rate --range --resolve --connect-to --output-dir --cookie --cookie-jar --dump-header --continue-at "
    "--write-out --upload-file --interface --local-port --max-filesize --speed-limit --speed-time --time-cond "
    "--tls-max --ciphers --proto --proto-redir --proto-default --pubkey --netrc-file --oauth2-bearer "
    "--expect100-timeout --keepalive-time --dns-servers --noproxy --preproxy --socks5 --socks5-hostname --socks4 "
    "--socks4a --stderr --trace --trace-ascii --unix-socket --abstract-unix-socket --aws-sigv4 --variable --json "
    "--parallel-max --create-file-mode --hsts --alt-svc --etag-save --etag-compare --proxy-header --doh-url "
    "--request-target --pinnedpubkey --crlfile --engine --ftp-port --ftp-method --mail-from --mail-rcpt "
    "--proxy-cacert --proxy-cert --proxy-key --proxy-ciphers".split()
)
_WGET_SHORT_VALUES = frozenset("OoaPtTeUiBwQlARDXI")
_WGET_LONG_VALUES = frozenset(
    "--output-document --output-file --append-output --directory-prefix --tries --timeout --user --password "
    "--http-user --http-password --header --user-agent --post-data --post-file --body-data --body-file --method "
    "--ca-certificate --ca-directory --certificate --private-key --load-cookies --save-cookies --input-file --base "
    "--wait --quota --level --accept --reject --domains --exclude-directories --include-directories --limit-rate "
    "--referer --execute --dns-timeout --connect-timeout --read-timeout --waitretry --bind-address --progress "
    "--secure-protocol --restrict-file-names --cut-dirs --default-page --max-redirect --proxy-user "
    "--proxy-password --certificate-type --private-key-type --ftp-user --ftp-password".split()
)


class Download(NamedTuple):
    """What a `curl` or `wget` command fetches and where it puts it."""

    tool: str  # "curl" or "wget"
    urls: tuple[Word, ...]  # the URL arguments
    outputs: tuple[str, ...]  # the files written, as written (`-o`, `-O`, `-P`, `--output-dir` applied); "-" is stdout
    options: tuple[str, ...]  # the options given, one name each: `-fsSLk` -> "-f", "-s", "-S", "-L", "-k"
    values: tuple[tuple[str, str], ...]  # (option, value) for the options that take one
    unknown_output: bool = False  # saved under a name that cannot be told (`-J`, `--content-disposition`, `-r`, `-i`)

    @property
    def to_stdout(self) -> bool:
        return "-" in self.outputs


@_memo
def download(command: Command) -> Download | None:
    """The `Download` of a `curl`/`wget` command (wrappers such as `sudo` skipped), else None."""
    words = unwrap(command)
    if not words:
        return None
    tool = words[0].text.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower().removesuffix(".exe")  # `curl.exe` on Windows
    if tool not in ("curl", "wget"):
        return None
    short_values, long_values = (_CURL_SHORT_VALUES, _CURL_LONG_VALUES) if tool == "curl" else (_WGET_SHORT_VALUES, _WGET_LONG_VALUES)
    urls: list[Word] = []
    options: list[str] = []
    values: list[tuple[str, str]] = []
    index, only_args = 1, False
    while index < len(words):
        text = words[index].text
        index += 1
        if text == "-" and not only_args:
            continue
        if only_args or not text.startswith("-"):
            urls.append(words[index - 1])
            continue
        if text == "--":
            only_args = True
        elif text.startswith("--"):
            name, equals, value = text.partition("=")
            options.append(name)
            if equals:
                values.append((name, value))
            elif name in long_values and index < len(words):
                values.append((name, words[index].text))
                index += 1
        else:
            for position in range(1, len(text)):
                name = "-" + text[position]
                options.append(name)
                if text[position] in short_values:
                    value = text[position + 1 :]
                    if not value and index < len(words):
                        value = words[index].text
                        index += 1
                    values.append((name, value))
                    break
    for name, value in values:
        if name == "--url":
            urls.append(Word(value, command.start, command.end))
    outputs, unknown = (_curl_outputs if tool == "curl" else _wget_outputs)(urls, options, dict(values))
    return Download(tool, tuple(urls), tuple(outputs), tuple(options), tuple(values), unknown)


def _url_basename(url: str) -> str:
    path = url.split("#", 1)[0].split("?", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1]
        path = path.partition("/")[2]
    return path.rstrip("/").rsplit("/", 1)[-1] if path and not path.endswith("/") else ""


def _curl_outputs(urls, options, values) -> tuple[list[str], bool]:
    outputs = [value for name, value in values.items() if name in ("-o", "--output")]
    directory = values.get("--output-dir")
    unknown = "-J" in options or "--remote-header-name" in options
    remote = "-O" in options or "--remote-name" in options or "--remote-name-all" in options
    if remote and not unknown:
        for url in urls[len(outputs) :] if outputs else urls:
            name = _url_basename(url.text)
            if name:
                outputs.append(name)
            else:
                unknown = True
    if directory:
        outputs = [o if o == "-" or o.startswith("/") else directory.rstrip("/") + "/" + o for o in outputs]
    if not outputs and not remote:
        outputs = ["-"]
    return outputs, unknown


def _wget_outputs(urls, options, values) -> tuple[list[str], bool]:
    document = values.get("-O", values.get("--output-document"))
    if document is not None:
        return [document], False
    unknown = any(o in options for o in ("-r", "--recursive", "-m", "--mirror", "-i", "--input-file", "--content-disposition"))
    prefix = values.get("-P", values.get("--directory-prefix"))
    outputs = []
    for url in urls:
        name = _url_basename(url.text)
        if not name:
            unknown = True
            continue
        outputs.append(prefix.rstrip("/") + "/" + name if prefix else name)
    return outputs, unknown


# ---------------------------------------------------------------------------- nested commands


def substitutions(command: Command, depth: int = 8) -> list[Command]:
    """The commands inside `$(...)` and backquotes in `command`'s words, assignments and
    redirection targets, nested ones included (up to `depth` levels; an unclosed one is
    ignored). Their offsets point at the word that holds them, not inside it."""
    found: list[Command] = []
    pending = [(word, 1) for word in reversed(_command_words(command)) if "$(" in word.text or "`" in word.text]
    while pending:
        word, level = pending.pop()
        text, index = word.text, 0
        next_dollar, next_tick = text.find("$("), text.find("`")
        while True:
            if 0 <= next_dollar < index:
                next_dollar = text.find("$(", index)
            if 0 <= next_tick < index:
                next_tick = text.find("`", index)
            starts = [at for at in (next_dollar, next_tick) if at >= 0]
            if not starts:
                break
            index = min(starts)
            if text[index] == "`":
                end = text.find("`", index + 1)
                if end < 0:
                    break  # unclosed
                inner, end = text[index + 1 : end], end + 1
            else:
                end = _dollar(text, index)
                if end >= len(text) and not text.endswith(")"):
                    break  # unclosed
                if text.startswith("$((", index):
                    index = end  # arithmetic
                    continue
                inner = text[index + 2 : end - 1]
            if not inner.strip():
                index = end
                continue
            for nested in tokenize(inner, to_source=lambda _i, w=word: w.start):
                if nested.words:
                    found.append(nested)
                    if level < depth:
                        pending.extend((w, level + 1) for w in reversed(_command_words(nested)) if "$(" in w.text or "`" in w.text)
            index = end
    return found


def _command_words(command: Command) -> list[Word]:
    return list(command.words) + list(command.assignments) + [word for _op, word in command.redirects]


def find_exec(command: Command) -> list[tuple[Word, ...]]:
    """The argv of each command `find ... -exec CMD ... ;` (or `-execdir`, `-ok`) runs."""
    words = unwrap(command)
    if not words or words[0].text.rsplit("/", 1)[-1] != "find":
        return []
    found, index = [], 1
    while index < len(words):
        if words[index].text in ("-exec", "-execdir", "-ok", "-okdir"):
            end = index + 1
            while end < len(words) and words[end].text not in (";", "+"):
                end += 1
            found.append(tuple(words[index + 1 : end]))
            index = end
        index += 1
    return found


def spell(text: str, script: Script, words, after: int = -1, option: str = "", limit: int = 120) -> str:
    """A command as the user wrote it (each word's source text when the script's offsets
    are exact), with `option` inserted after `words[after]`; cut with `...` past `limit`."""
    parts = [text[w.start : w.end] if script.shell_form else w.text for w in words]
    if option and 0 <= after < len(parts):
        parts.insert(after + 1, option)
    line = ""
    for part in parts:
        candidate = f"{line} {part}" if line else part
        if len(candidate) > limit and line:
            return line + " ..."
        line = candidate
    return line


_VARIABLE_NAME_RE = lazy_compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def expanded(instruction: Instruction, commands, index: int, text: str) -> str:
    """`text` (a word of `commands[index]`) with the variables `env_value` knows there
    substituted (`$BUILD_DEPS` from `ENV`/`ARG`, `export` or `NAME=... cmd`); unknown
    ones stay as written."""
    if "$" not in text:
        return text
    from dfslim.parser import expand

    known = {}
    for name in _VARIABLE_NAME_RE.findall(text):
        value = env_value(instruction, commands, index, name)
        if value is not None:
            known[name] = value
    return expand(text, known)


# ---------------------------------------------------------------------------- COPY/ADD paths and WORKDIR

UNKNOWN_WORKDIR = "/<base image workdir>"  # where a stage starts when its base image's WORKDIR is unknown


def copy_paths(instruction: Instruction) -> tuple[list[str], str] | None:
    """The sources and the destination of a `COPY`/`ADD` (shell or JSON form, quotes
    removed, variables left as written; a heredoc source is `<<EOF`), None without both."""
    from dfslim.parser import split_words, unquote

    items = list(instruction.exec_form) if instruction.exec_form is not None else [unquote(w) for w in split_words(instruction.args)]
    if len(items) < 2:
        return None
    return items[:-1], items[-1]


def resolve_path(path: str, cwd: str | None) -> str | None:
    """`path` made absolute against `cwd` and normalised (`/app/./x/..` -> `/app`); None
    when it is relative and `cwd` is unknown."""
    import posixpath

    if not path.startswith("/"):
        if cwd is None:
            return None
        path = posixpath.join(cwd, path)
    path = posixpath.normpath(path)
    return "/" + path.lstrip("/")


def workdirs(dockerfile) -> dict[int, str | None]:
    """The working directory each instruction runs in, by instruction index: `WORKDIR`
    values expanded with the instruction's scope (relative ones resolved against the
    previous one); a stage built FROM an earlier stage starts in that stage's last
    directory, `FROM scratch` in `/`, any other base image in `UNKNOWN_WORKDIR`."""
    from dfslim.parser import expand

    found: dict[int, str | None] = {}
    last: dict[int, str | None] = {}
    for stage in dockerfile.stages:
        if stage.parent is not None:
            cwd = last.get(stage.parent, UNKNOWN_WORKDIR)
        elif stage.base_resolved.strip().lower() == "scratch":
            cwd = "/"
        else:
            cwd = UNKNOWN_WORKDIR
        for instruction in stage.instructions:
            found[instruction.index] = cwd
            if instruction.keyword == "WORKDIR" and instruction.args.strip():
                target = expand(instruction.args.strip(), instruction.scope)
                if len(target) >= 2 and target[0] == target[-1] and target[0] in "\"'":
                    target = target[1:-1]
                cwd = None if "$" in target else resolve_path(target, cwd)
        last[stage.index] = cwd
    return found


def command_dirs(instruction: Instruction, cwd: str | None) -> list[str | None]:
    """The directory each command of a RUN's script runs in, starting from `cwd` and
    following top-level `cd DIR` (None once it cannot be told: `cd` alone, `cd -`,
    unknown variables)."""
    from dfslim.parser import expand

    dirs: list[str | None] = []
    for command in instruction.script.commands:
        dirs.append(cwd)
        words = command.words
        if words and words[0].text in ("cd", "pushd") and command.depth == 0 and not command.piped_from and not command.piped_to:
            args = [w.text for w in words[1:] if not w.text.startswith("-")]
            target = expand(args[0], instruction.scope) if args else ""
            cwd = None if not target or "$" in target or "`" in target or target.startswith("~") else resolve_path(target, cwd)
    return dirs


def option_value(words, *names: str) -> str | None:
    """The value of the last long option in `names` (`--cache-dir X` or `--cache-dir=X`)."""
    found = None
    texts = [word.text if isinstance(word, Word) else word for word in words]
    for index, text in enumerate(texts):
        if text == "--":
            break
        for name in names:
            if text == name and index + 1 < len(texts):
                found = texts[index + 1]
            elif text.startswith(name + "="):
                found = text[len(name) + 1 :]
    return found


TRAILING_RE = lazy_compile(r"(?:\s|;|\\|`|#[^\n]*)*")


def append_at_end(dockerfile, instruction: Instruction, text: str):
    """An edit appending `text` after the last command of a RUN, or None when that is not
    safe: no shell-form command, a background `&`, or anything but separators and comments
    after the last command (`fi`, `done`, `esac`, `}` or `)`), so that the appended command
    runs after everything else, not inside the last branch or loop."""
    from dfslim.api import Edit

    script = instruction.script
    if not script.commands or not script.shell_form:
        return None
    if any(c.after in ("&", "|&") or c.before == "&" for c in script.commands):
        return None
    last = script.commands[-1]
    edit = Edit(last.end, last.end, text)
    end = instruction.end
    if last.heredoc:
        for heredoc in instruction.heredocs:
            if heredoc.body_start <= last.start < heredoc.body_start + len(heredoc.body):
                end = heredoc.body_start + len(heredoc.body)
    elif instruction.heredocs:
        return None  # a shell-form line followed by heredoc bodies
    if last.depth or not TRAILING_RE.fullmatch(dockerfile.text, last.end, end):
        return None
    return edit


# ---------------------------------------------------------------------------- what COPY/ADD and RUN write

_GLOB_RE = lazy_compile(r"[*?\[]")
_ADD_ARCHIVE_RE = lazy_compile(r"\.(tar|tgz|tbz2?|txz|tzst)$|\.tar\.[a-z0-9]+$", re.IGNORECASE)
# folders of the base system: a COPY of a name without extension into one of them is
# taken as a file, not as a folder whose contents could be anything there
SYSTEM_DIRS = frozenset(
    "/ /bin /sbin /lib /lib64 /etc /opt /srv /var /var/lib /var/cache /var/log /tmp /home /root /usr /usr/bin "
    "/usr/sbin /usr/lib /usr/lib64 /usr/share /usr/local /usr/local/bin /usr/local/sbin /usr/local/lib "
    "/usr/local/share /usr/libexec /etc/init.d".split()
)


def path_below(path: str, root: str) -> bool:
    """`path` is `root` or inside it (absolute, normalised paths)."""
    return path == root or root == "/" or path.startswith(root.rstrip("/") + "/")


class CopyWrites(NamedTuple):
    """The paths one `COPY`/`ADD` wrote: whole trees, single entries, name patterns."""

    instruction: Instruction
    trees: list[str]  # roots everything below which was written (a folder's contents)
    entries: list[str]  # single files written
    patterns: list[tuple[str, str]]  # (folder, pattern): folder/<match> written
    folder: str | None  # the destination when it is surely a folder, else None
    single: bool = False  # one source to a destination that may be a file: `entries` are alternatives

    def roots(self) -> list[str]:
        return self.trees + self.entries + [folder for folder, _pattern in self.patterns]

    def writes(self, path: str) -> bool:
        """`path` is at or below something this instruction wrote."""
        import fnmatch
        import posixpath

        if path in self.entries or any(path_below(path, root) for root in self.trees):
            return True
        for folder, pattern in self.patterns:
            if path != folder and path_below(path, folder):
                if fnmatch.fnmatchcase(posixpath.relpath(path, folder).split("/", 1)[0], pattern):
                    return True
        return False

    def inside(self, path: str) -> bool:
        """Something this instruction wrote lies at or below `path`."""
        return any(path_below(root, path) for root in self.roots())


def copy_writes(instruction: Instruction, cwd: str | None) -> CopyWrites | None:
    """What a `COPY`/`ADD` writes, its destination resolved against `cwd` (the WORKDIR)
    and variables expanded with its scope; None when the destination is not known.
    `COPY . /app` and `COPY src/ /app/` write the tree below `/app` (nothing is counted for
    a folder's contents copied to `/`: they could be anything); `COPY a.sh /bin/` writes
    `/bin/a.sh`, `COPY a.sh /bin` writes `/bin` or `/bin/a.sh`; a source without an
    extension may be a folder, whose contents land in the destination (not counted when
    that is one of `SYSTEM_DIRS`); a local archive `ADD` unpacks writes the
    destination's tree; `ADD URL dir/` writes `dir/<URL basename>`."""
    import posixpath

    from dfslim.parser import expand

    paths = copy_paths(instruction)
    if paths is None:
        return None
    sources, dest = paths
    dest = expand(dest, instruction.scope)
    if "$" in dest:
        return None
    target = resolve_path(dest, cwd)
    if target is None:
        return None
    is_folder = dest.endswith("/") or len(sources) > 1 or dest in (".", "./", "..") or any(_GLOB_RE.search(s) for s in sources)
    trees: list[str] = []
    entries: list[str] = []
    patterns: list[tuple[str, str]] = []
    for source in sources:
        source = expand(source, instruction.scope)
        if "$" in source:
            continue
        heredoc = source.startswith("<<")
        remote = "://" in source or source.startswith("git@")
        name = source[2:].lstrip("-").strip("\"'") if heredoc else source.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        contents = source in (".", "./") or source.endswith("/") or name in ("", ".", "..")
        if remote or heredoc:
            entries.append(posixpath.join(target, name) if is_folder and name else target)
        elif contents or (instruction.keyword == "ADD" and _ADD_ARCHIVE_RE.search(name)):
            if target != "/":
                trees.append(target)  # a folder's contents: anything below the destination
        elif _GLOB_RE.search(name):
            patterns.append((target, name))
        else:
            # a file (to the destination, or into it when it is an existing folder), or
            # a folder whose contents land in the destination
            entries.append(posixpath.join(target, name))
            if not is_folder:
                entries.append(target)
            if "." not in name.strip(".") and target not in SYSTEM_DIRS:
                trees.append(target)
    if not (trees or entries or patterns):
        return None
    surely_folder = is_folder or any(s in (".", "./") or s.endswith("/") for s in sources)
    return CopyWrites(instruction, trees, entries, patterns, target if surely_folder else None, single=not is_folder)


_CREATING = frozenset({"mkdir", "touch", "install", "ln", "cp", "mv", "git"})


def created_paths(instruction: Instruction, command: Command, cwd: str | None) -> list[str]:
    """Absolute paths a RUN command creates: `mkdir`/`touch`/`install` arguments, `ln`,
    `cp`, `mv` and `git clone` targets, `curl`/`wget` outputs, `>` redirections."""
    words = unwrap(command)
    found: list[str] = []
    if words:
        tool = words[0].text.rsplit("/", 1)[-1]
        # the arguments only for the tools that need them: most commands create nothing
        args = [w.text for w in words[1:] if not w.text.startswith("-")] if tool in _CREATING else []
        if tool in ("mkdir", "touch", "install"):
            found += args
        elif tool in ("ln", "cp", "mv") and len(args) >= 2:
            found.append(args[-1])
        elif tool == "git" and args[:1] == ["clone"] and len(args) >= 3:
            found.append(args[-1])
        fetched = download(command)
        if fetched is not None:
            found += [output for output in fetched.outputs if output != "-"]
    found += [word.text for op, word in command.redirects if op in (">", ">>", ">|", "&>", "&>>")]
    if not found:
        return []
    from dfslim.parser import expand

    paths = []
    for text in found:
        text = expand(text, instruction.scope)
        if "$" in text or "`" in text or text.startswith("/dev/"):
            continue
        resolved = resolve_path(text, cwd)
        if resolved:
            paths.append(resolved)
    return paths


def url_host(url: str) -> str:
    """The lower-case host of a URL (`https://user@Example.com:8443/x` -> `example.com`,
    `http://[::1]:8080/` -> `::1`), "" when it has none."""
    _, separator, rest = url.partition("://")
    if not separator:
        return ""
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if authority.startswith("["):
        return authority[1:].partition("]")[0].lower()
    return authority.partition(":")[0].lower()


def is_loopback(url: str) -> bool:
    """Whether a URL points at the machine itself: `localhost` (and `*.localhost`),
    `127.x.x.x`, `::1`, `0.0.0.0`."""
    host = url_host(url)
    return host in ("localhost", "::1", "0.0.0.0") or host.endswith(".localhost") or bool(re.fullmatch(r"127(\.\d{1,3}){3}", host))


# ---------------------------------------------------------------------------- the shell a RUN runs in

WINDOWS_IMAGE_RE = lazy_compile(r"(^|/)(windows|windowsservercore|nanoserver|servercore)([:/@-]|$)|mcr\.microsoft\.com/(windows|powershell|dotnet/framework)", re.IGNORECASE)


def posix_shell(dockerfile, instruction: Instruction) -> bool:
    """Whether a shell-form RUN runs in a POSIX shell: the last `SHELL` of its stage
    lineage before it names `sh`, `bash`..., or there is none and the root base image is
    not a Windows one (whose default is `cmd`). PowerShell and `cmd` are not: `&&`,
    `{ ...; }` and `;` mean other things there."""
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return False
    shell = None
    for ancestor in dockerfile.lineage(stage):
        for earlier in ancestor.instructions:
            if earlier.index >= instruction.index:
                break
            if earlier.keyword == "SHELL":
                shell = earlier.exec_form or ()
    if shell is not None:
        return bool(shell) and shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower() in SHELLS
    root = dockerfile.lineage(stage)[0]
    return not WINDOWS_IMAGE_RE.search(root.base_resolved)


def shell_in_effect(dockerfile, instruction: Instruction) -> tuple[str, ...] | None:
    """The argv of the last exec-form `SHELL` before `instruction` in its stage lineage
    (`("/bin/bash", "-o", "pipefail", "-c")`), None when there is none (the default)."""
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return None
    shell = None
    shells = dockerfile.by_keyword.get("SHELL", ())
    if not shells:
        return None
    lineage = {ancestor.index for ancestor in dockerfile.lineage(stage)}
    for earlier in shells:
        if earlier.index >= instruction.index:
            break
        if earlier.stage in lineage and earlier.exec_form:
            shell = earlier.exec_form
    return shell


def shell_program(shell) -> str:
    """The lower-case basename of a SHELL argv's program (`C:\\...\\powershell.exe` ->
    `powershell.exe`), "" for None."""
    return shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if shell else ""


def posix_shells(dockerfile) -> dict[int, bool]:
    """`posix_shell` for every instruction at once (by index), in one pass."""
    found: dict[int, bool] = {}
    last_shell: dict[int, tuple[str, ...] | None] = {}
    for stage in dockerfile.stages:
        shell = last_shell.get(stage.parent) if stage.parent is not None else None
        root = dockerfile.lineage(stage)[0]
        windows = bool(WINDOWS_IMAGE_RE.search(root.base_resolved))
        for instruction in stage.instructions:
            if shell is not None:
                found[instruction.index] = bool(shell) and shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower() in SHELLS
            else:
                found[instruction.index] = not windows
            if instruction.keyword == "SHELL":
                shell = instruction.exec_form or ()
        last_shell[stage.index] = shell
    return found



APT_LISTS = "/var/lib/apt/lists"


def clears_apt_lists(command: Command) -> bool:
    """`rm -rf /var/lib/apt/lists/*`, or apt 3's `apt-get dist-clean`, which removes them too."""
    return removes(command, APT_LISTS) or apt_action(command) == "dist-clean"
