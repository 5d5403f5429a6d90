"""The shell splitter behind every RUN rule."""

from __future__ import annotations

import pytest

from dfslim.shell import has_option, subcommand, tokenize, unwrap


def argvs(text):
    return [c.argv for c in tokenize(text)]


@pytest.mark.parametrize(
    "script, expected",
    [
        ("a && b || c; d | e & f", [("a",), ("b",), ("c",), ("d",), ("e",), ("f",)]),
        ("echo 'a && b' \"c; d\"", [("echo", "a && b", "c; d")]),
        ("echo a\\ b \\&\\& c", [("echo", "a b", "&&", "c")]),
        ("x=$(cat f | wc -l) && echo `date` ${HOME}", [("echo", "`date`", "${HOME}")]),
        ("(cd /src && make) && rm -rf /src", [("cd", "/src"), ("make",), ("rm", "-rf", "/src")]),
        ("if [ -f x ]; then pip install x; fi", [("[", "-f", "x", "]"), ("pip", "install", "x")]),
        ("for f in a b; do echo $f; done", [("echo", "$f")]),
        ("curl -o x https://a 2>&1 >/dev/null", [("curl", "-o", "x", "https://a")]),
        ("echo hi # && rm -rf /", [("echo", "hi")]),
        ("a\nb\n\nc", [("a",), ("b",), ("c",)]),
        ("echo \"unterminated", [("echo", "unterminated")]),
    ],
)
def test_split(script, expected):
    assert argvs(script) == expected


def test_operators_and_depth():
    first, second, third = tokenize("(cd x && make) | tee log")
    assert (first.depth, first.after) == (1, "&&")
    assert (second.depth, second.after) == (1, ")")
    assert third.before == ")" or third.piped_from or third.before == "|"


def test_assignments_and_redirects():
    (command,) = tokenize("DEBIAN_FRONTEND=noninteractive apt-get install -y x > /tmp/log 2>&1")
    assert [w.text for w in command.assignments] == ["DEBIAN_FRONTEND=noninteractive"]
    assert command.argv == ("apt-get", "install", "-y", "x")
    assert [(op, w.text) for op, w in command.redirects] == [(">", "/tmp/log"), ("2>&", "1")]


def test_word_offsets():
    text = "apt-get install -y 'curl'"
    (command,) = tokenize(text, base=100)
    word = command.words[3]
    assert (word.text, word.start, word.end) == ("curl", 119, 125)


def test_unwrap_and_options():
    (command,) = tokenize("sudo -E -u root env A=1 apt-get -qq -o Dpkg::Options::=x install -yq curl")
    words = unwrap(command)
    assert words[0].text == "apt-get"
    assert subcommand(words, ("-o",))[1] == "install"
    assert has_option(words, "-y") and has_option(words, "--quiet", "-q")
    assert not has_option(words, "--yes")
    assert has_option(["pip", "install", "--no-cache-dir=1"], "--no-cache-dir")


def test_pathological_input_is_linear():
    import time

    for text in ("'" * 200_000, "$(" * 100_000, "a && " * 50_000, "\\" * 200_000, '"' + "\\x" * 100_000):
        started = time.perf_counter()
        tokenize(text)
        assert time.perf_counter() - started < 2.0


def test_case_patterns_are_not_pipes():
    commands = tokenize('case "$a" in amd64 | i386 | x32) x=1; echo one ;; arm*) echo two | tee log ;; esac && make')
    assert [c.argv for c in commands] == [("echo", "one"), ("echo", "two"), ("tee", "log"), ("make",)]
    assert [c.piped_to for c in commands] == [False, True, False, False]
    nested = tokenize("case $x in a) case $y in b|c) echo in ;; esac ;; *) echo out ;; esac")
    assert [c.argv for c in nested] == [("echo", "in"), ("echo", "out")]


def test_redirections_keep_their_descriptor():
    (command,) = tokenize("curl -sSL https://x 2> /tmp/err.log 1>out 0<in >&2")
    assert [op for op, _ in command.redirects] == ["2>", ">", "<", ">&"]


def test_inline_shell_scripts_are_split_with_exact_positions():
    from dfslim.parser import parse

    text = 'FROM x:1\nRUN su app -c "pip install flask" && \\\n    bash -ec \'apt-get update && apt-get install -y curl\'\n'
    run = parse(text).instructions[1]
    argvs = [c.argv for c in run.script]
    assert ("pip", "install", "flask") in argvs and ("apt-get", "install", "-y", "curl") in argvs
    inner = [c for c in run.script if c.argv[:1] == ("pip",)][0]
    assert inner.depth == 1
    assert text[inner.words[2].start : inner.words[2].end] == "flask"
    curl = [c for c in run.script if c.argv[-1:] == ("curl",)][0]
    assert text[curl.words[-1].start : curl.words[-1].end] == "curl"
    escaped = parse('FROM x:1\nRUN sh -c "echo \\"pip install x\\""\n').instructions[1]
    assert [c.argv[0] for c in escaped.script] == ["sh"]  # escapes: not split


def test_assignments_after_a_group_brace():
    (command,) = tokenize("{ X=1 pip install y; }")
    assert command.argv == ("pip", "install", "y")
    assert [w.text for w in command.assignments] == ["X=1"]
