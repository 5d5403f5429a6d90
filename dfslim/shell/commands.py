"""Questions about one command's argv: what really runs behind wrappers, its options and
subcommand, and the commands nested in its words. Nothing here knows a package tool.
"""

from __future__ import annotations

import functools

from dfslim.model import Command, Word
from dfslim.shell.tokenizer import ASSIGNMENT_RE, expansion_end, tokenize

# Commands that run their arguments as another command.
WRAPPERS = frozenset({"sudo", "env", "exec", "nice", "nohup", "command", "builtin", "xargs", "doas", "gosu", "su-exec", "chroot", "stdbuf", "timeout", "eatmydata"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


def command_memo(function):
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


@command_memo
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



def substitutions(command: Command, depth: int = 8) -> list[Command]:
    """The commands inside `$(...)` and backquotes in `command`'s words, assignments and
    redirection targets, nested ones included (up to `depth` levels; an unclosed one is
    ignored). Their offsets point at the word that holds them, not inside it. A RUN's
    script holds these commands already, with exact offsets (`Command.nested`): this is
    for words that are no script of their own (a `sh -c "$(curl ...)"` argument)."""
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
                end = expansion_end(text, index)
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
                if nested.words and not nested.nested:  # deeper ones: the loop's next levels
                    found.append(nested)
                    if level < depth:
                        pending.extend((w, level + 1) for w in reversed(_command_words(nested)) if "$(" in w.text or "`" in w.text)
            index = end
    return found


def _command_words(command: Command) -> list[Word]:
    return list(command.words) + list(command.assignments) + [word for _op, word in command.redirects]


def next_in_line(commands, index: int) -> Command | None:
    """The command the operator after `commands[index]` leads to (the right side of its
    pipe, what `&&` runs next): the next command at the same substitution level, skipping
    the commands nested in the words in between; None at the end of its level."""
    level = commands[index].nested
    for position in range(index + 1, len(commands)):  # no slice: a RUN may hold 100,000 commands
        later = commands[position]
        if later.nested == level:
            return later
        if later.nested < level:
            return None
    return None


def at_level(commands, level: int = 0) -> list[Command]:
    """The commands at one substitution level, in order: the script's own (0), or those of
    its substitutions (1 and deeper), whose first and last carry the opener and closer."""
    return [command for command in commands if command.nested == level]


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
