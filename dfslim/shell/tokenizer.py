"""The shell tokenizer: split shell text into simple commands with exact source offsets.

A small POSIX-shell tokenizer: enough to find commands and their arguments, with source
positions, in the scripts Dockerfiles contain. It splits on `&&`, `||`, `;`, `|`, `&`,
newlines and parentheses, honours quotes, backslash escapes, `$(...)`, backticks and
comments, drops redirections from argv, and never evaluates anything. Linear in the
length of its input.
"""

from __future__ import annotations

import re

from dfslim.model import Command, Word
from dfslim.regex import lazy_compile

SEPARATORS = ("&&", "||", ";;&", ";;", ";&", ";", "|&", "|", "&", "\n", "(", ")")
# the first of SEPARATORS that starts at a position, in one match
OPERATOR_RE = lazy_compile("|".join(re.escape(operator) for operator in SEPARATORS))
CASE_ENDS = (";;", ";&", ";;&")
REDIRECT_RE = lazy_compile(r"\d*(?:<<<|<<-|<<|>>|>&|<&|<>|>\||&>>|&>|>|<)")
PLAIN_RE = lazy_compile(r"[^\s'\"\\$`;&|()<>]+")
ASSIGNMENT_RE = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
LEADING_KEYWORDS = frozenset({"then", "else", "elif", "do", "if", "while", "until", "!", "{", "}", "time"})
SKIPPED_COMMANDS = frozenset({"fi", "done", "esac", "for", "case", "in", "select", "function"})


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
            end = expansion_end(text, index)
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
            end = expansion_end(text, index)
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


def expansion_end(text: str, index: int) -> int:
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
