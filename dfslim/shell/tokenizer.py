"""The shell tokenizer: split shell text into simple commands with exact source offsets.

A small POSIX-shell tokenizer: enough to find commands and their arguments, with source
positions, in the scripts Dockerfiles contain. It splits on `&&`, `||`, `;`, `|`, `&`,
newlines and parentheses, honours quotes, backslash escapes, `$(...)`, backticks and
comments, drops redirections from argv, and never evaluates anything.

The commands inside command and process substitutions (`$(...)`, backticks, `<(...)`,
`>(...)`) are commands too: they follow the command that holds them, one level deeper
(`Command.nested`), the first with the opener as `before` and the last with the closer as
`after`. Case patterns, function names, arithmetic (`(( ))`), array values (`A=(x y)`)
and the data of heredocs inside a script are not commands. Linear in the length of its
input (substitutions are read again once per level, to at most `MAX_NESTING` levels).
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
DESCRIPTOR_RE = lazy_compile(r"[ \t]*(\d+-?|-)")
FUNCTION_PARENS_RE = lazy_compile(r"\([ \t]*\)")
LEADING_KEYWORDS = frozenset({"then", "else", "elif", "do", "if", "while", "until", "!", "{", "}", "time"})
SKIPPED_COMMANDS = frozenset({"fi", "done", "esac", "for", "case", "in", "select"})
CLOSERS = {"$(": ")", "`": "`", "<(": ")", ">(": ")"}
MAX_NESTING = 8  # substitutions inside substitutions read as commands, at most


def tokenize(text: str, base: int = 0, to_source=None, _level: int = 0) -> list[Command]:
    """Split shell `text` into commands; offsets map through `to_source(index)`."""
    locate = to_source or (lambda index: base + index)
    commands: list[Command] = []
    words: list[tuple[str, int, int]] = []
    redirects: list[tuple[str, tuple[str, int, int]]] = []
    substitutions: list[tuple[str, int, int]] = []  # (opener, start, end) in the current command's words
    heredocs: list[tuple[str, bool]] = []  # delimiters of `<<EOF` whose data follows the next newline
    pending_redirect: str | None = None
    depth = 0
    before: str | None = None
    index, length = 0, len(text)
    # `case WORD in PATTERN) ... ;; esac`: "subject" before `in`, "pattern" up to `)`,
    # "body" for the commands; the `|` between patterns is not a pipe.
    cases: list[str] = []

    def flush(after: str | None) -> None:
        nonlocal words, redirects, substitutions, before
        if words or redirects:
            command = _command(words, redirects, before, after, depth, locate, _level)
            if command.words:  # a bare assignment or `fi` runs no program
                commands.append(command)
            if substitutions and _level < MAX_NESTING:
                commands.extend(_nested(text, substitutions, depth, locate, _level))
        words, redirects, substitutions = [], [], []
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
        if char in "<>" and text.startswith("(", index + 1):
            pass  # a process substitution: a word, read below
        elif char in ";&|()\n":
            operator = OPERATOR_RE.match(text, index).group(0)
            if operator == "&" and text.startswith("&>", index):
                pass  # a redirection, handled below
            elif cases and cases[-1] != "body":
                index += len(operator)
                if operator == ")" and cases[-1] == "pattern":
                    cases[-1] = "body"
                continue
            else:
                if operator == "(":
                    skipped = _not_a_subshell(text, index, words, redirects)
                    if skipped is not None:
                        index, words = skipped, []
                        continue
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
                    if operator == "\n" and heredocs:
                        index = _after_heredocs(text, index, heredocs)
                        heredocs = []
                continue
        redirect = REDIRECT_RE.match(text, index) if char in "<>&0123456789" and not text.startswith("(", index + 1) else None
        if redirect:
            # keep the descriptor (`2>` is not stdout); `1>` and `0<` are the defaults
            pending_redirect = redirect.group(0)
            if pending_redirect[:1] in "01" and pending_redirect[1:2] in "<>" and pending_redirect[0] == ("1" if pending_redirect[1] == ">" else "0"):
                pending_redirect = pending_redirect[1:]
            index = redirect.end()
            if pending_redirect.lstrip("0123456789") in (">&", "<&"):  # `2>&1`: the target is a descriptor
                target = DESCRIPTOR_RE.match(text, index)
                if target:
                    redirects.append((pending_redirect, (target.group(1), target.start(1), target.end())))
                    index, pending_redirect = target.end(), None
            continue
        if char in "<>":
            end = expansion_end(text, index)
            value = text[index:end]
            substitutions.append((char + "(", index + 2, end - 1 if text.startswith(")", end - 1) else end))
        else:
            value, end = _word(text, index, substitutions)
            if text.startswith("(", end) and ASSIGNMENT_RE.fullmatch(value):
                close = expansion_end(text, end - 1)  # `A=(x y z)`: an array, one word
                value, end = value + text[end:close], close
        if (cases or value == "case") and pending_redirect is None and not redirects and _at_start(words) and _case_word(cases, value):
            index, words = end, []  # (`then case ...`: the keyword before it starts nothing)
            continue
        if pending_redirect is not None:
            redirects.append((pending_redirect, (value, index, end)))
            if pending_redirect.lstrip("0123456789") in ("<<", "<<-") and value:
                heredocs.append((value, pending_redirect.endswith("-")))
            pending_redirect = None
        else:
            words.append((value, index, end))
        index = end
    flush(None)
    return commands


def _at_start(words) -> bool:
    """Whether a word read now starts a command: nothing but keywords (`then`, `do`) before it."""
    return not words or all(word[0] in LEADING_KEYWORDS for word in words)


def _not_a_subshell(text: str, index: int, words, redirects) -> int | None:
    """Where to go on at a `(` that opens no subshell, else None: the `()` of a function
    definition (`f() {`, `function f() {`: the name is no command), or an arithmetic
    command (`(( i++ ))`, `for ((i=0; i<3; i++))`)."""
    names = [word[0] for word in words]
    if not redirects and (len(names) == 1 or (len(names) == 2 and names[0] == "function")):
        parens = FUNCTION_PARENS_RE.match(text, index)
        if parens and names[-1] not in LEADING_KEYWORDS:
            return parens.end()
    if text.startswith("((", index) and (not names or names == ["for"]) and not redirects:
        end = expansion_end(text, index - 1)  # from the outer `(`
        if text[end - 2 : end] == "))" and _matching_close(text, index + 1) == end - 2:
            return end
    return None


def _matching_close(text: str, index: int) -> int:
    """The position of the `)` that closes the `(` at `index`."""
    return expansion_end(text, index - 1) - 1


def _after_heredocs(text: str, index: int, heredocs: list[tuple[str, bool]]) -> int:
    """Past the data of the heredocs a line opened (`cat <<EOF > f` in a script): their
    lines up to each delimiter line; where a delimiter never comes, nothing is skipped."""
    position = index
    for delimiter, strip_tabs in heredocs:
        while True:
            newline = text.find("\n", position)
            line = text[position : len(text) if newline < 0 else newline].rstrip("\r")
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                position = len(text) if newline < 0 else newline + 1
                break
            if newline < 0:
                return index
            position = newline + 1
    return position


def _nested(text: str, substitutions, depth: int, locate, level: int) -> list[Command]:
    """The commands of the substitutions in one command's words, one level deeper."""
    found: list[Command] = []
    for opener, start, end in substitutions:
        if text.startswith("(", start):
            continue  # `$((...))`: arithmetic
        inner = tokenize(text[start:end], to_source=lambda i, at=start: locate(at + i), _level=level + 1)
        if not inner:
            continue
        mine = [position for position, command in enumerate(inner) if command.nested == level + 1]
        if mine:
            first, last = mine[0], mine[-1]
            if inner[first].before is None:
                inner[first] = inner[first]._replace(before=opener)
            if inner[last].after is None:
                inner[last] = inner[last]._replace(after=CLOSERS[opener])
        found += [command._replace(depth=command.depth + depth + 1) for command in inner]
    return found


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


def _command(words, redirects, before, after, depth, locate, level=0) -> Command:
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
    if first < len(made) and made[first].text == "function":  # `function f { ...`: the body follows
        first += 2
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
        nested=level,
    )


def _word(text: str, index: int, substitutions: list | None = None) -> tuple[str, int]:
    """Read one word from `index`; returns its unquoted value and its end, and adds the
    command substitutions in it to `substitutions` as (opener, start, end)."""
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
            index = _double_quoted(text, index + 1, out, substitutions)
        elif char == "\\":
            if index + 1 < length and text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
        elif char == "$":
            end = expansion_end(text, index)
            _note(substitutions, text, index, end)
            out.append(text[index:end])
            index = end
        elif char == "`":
            close = text.find("`", index + 1)
            close = length if close < 0 else close
            if substitutions is not None and close > index + 1:
                substitutions.append(("`", index + 1, close))
            out.append(text[index : close + 1])
            index = close + 1
        else:
            out.append(char)
            index += 1
    return "".join(out), min(index, length)


def _note(substitutions, text: str, index: int, end: int) -> None:
    """Record the `$(...)` (not `${...}` nor `$((...))`) that spans `[index, end)`."""
    if substitutions is not None and text.startswith("$(", index) and not text.startswith("$((", index):
        substitutions.append(("$(", index + 2, end - 1 if text.startswith(")", end - 1) else end))


def _double_quoted(text: str, index: int, out: list[str], substitutions=None) -> int:
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
            _note(substitutions, text, index, end)
            out.append(text[index:end])
            index = end
        elif char == "`":
            close = text.find("`", index + 1)
            close = length if close < 0 else close
            if substitutions is not None and close > index + 1:
                substitutions.append(("`", index + 1, close))
            out.append(text[index : close + 1])
            index = close + 1
        else:
            out.append(char)
            index += 1
    return length


def expansion_end(text: str, index: int) -> int:
    """The end of a `$...` expansion starting at `index` (also of `<(...)`, `>(...)` and,
    from the character before it, of any `(...)`). Inside `(...)`, quotes and the `)` of
    case patterns (`$(case $a in x) echo;; esac)`) do not close it."""
    following = text[index + 1 : index + 2]
    if following in ("(", "{"):
        opening, closing = following, ")" if following == "(" else "}"
        depth, position, length = 0, index + 1, len(text)
        cases: list[str] = []  # as in `tokenize`: "subject", "pattern", "body"
        while position < length:
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if opening == "(":
                if char == "'":
                    close = text.find("'", position + 1)
                    position = length if close < 0 else close + 1
                    continue
                if char == '"':
                    position = _quoted_end(text, position + 1)
                    continue
                if char in "cie":
                    keyword = _case_keyword(text, position, cases)
                    if keyword:
                        position += keyword
                        continue
                if char == ")" and cases and cases[-1] == "pattern":
                    cases[-1] = "body"
                    position += 1
                    continue
                if char == ";" and cases and text.startswith(";;", position):
                    cases[-1] = "pattern"
                    position += 2
                    continue
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        return length
    if following == "'":
        close = text.find("'", index + 2)
        return len(text) if close < 0 else close + 1
    match = re.match(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]", text[index + 1 : index + 64])
    return index + 1 + (match.end() if match else 0)


def _quoted_end(text: str, index: int) -> int:
    """Past the `"` that closes a double-quoted string whose text starts at `index`."""
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        index += 1
    return length


def _case_keyword(text: str, position: int, cases: list[str]) -> int:
    """At `case`, `in` or `esac` standing alone at `position`: follow the case state and
    give the keyword's length, else 0."""
    if position and (text[position - 1].isalnum() or text[position - 1] in "_-$/.{"):
        return 0
    for keyword in ("case", "in", "esac"):
        if text.startswith(keyword, position):
            after = text[position + len(keyword) : position + len(keyword) + 1]
            if after and not (after.isspace() or after in ";)"):
                return 0
            if keyword == "case" and (not cases or cases[-1] == "body"):
                cases.append("subject")
            elif keyword == "in" and cases and cases[-1] == "subject":
                cases[-1] = "pattern"
            elif keyword == "esac" and cases:
                cases.pop()
            else:
                return 0
            return len(keyword)
    return 0
