"""The shell splitter behind every RUN rule."""

from __future__ import annotations

import pytest

from dfslim.shell import has_option, subcommand, tokenize, unwrap


def argvs(text, nested=False):
    """The argv of each command; without `nested`, the commands of the script itself."""
    return [c.argv for c in tokenize(text) if nested or not c.nested]


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


@pytest.mark.parametrize(
    "script, expected",
    [
        ("x=$(cat f | wc -l) && echo `date` ${HOME}", [("cat", "f"), ("wc", "-l"), ("echo", "`date`", "${HOME}"), ("date",)]),
        ('VERSION="$(curl -s http://x/v | tr -d .)"', [("curl", "-s", "http://x/v"), ("tr", "-d", ".")]),
        ("bash <(curl -fsSL https://y)", [("bash", "<(curl -fsSL https://y)"), ("curl", "-fsSL", "https://y")]),
        ("cat <(ls /)", [("cat", "<(ls /)"), ("ls", "/")]),  # no command named `/`
        ("diff <(a) <(b)", [("diff", "<(a)", "<(b)"), ("a",), ("b",)]),
        ("bash < <(curl -s u)", [("bash",), ("curl", "-s", "u")]),
        ("for f in $(ls /x); do rm $f; done", [("ls", "/x"), ("rm", "$f")]),
        ('case "$a" in "x") echo 1;; *) echo 2;; esac', [("echo", "1"), ("echo", "2")]),  # no `*` command
        ('if [ -n "$v" ]; then case "$v" in "21") o=1 ;; *) echo no && exit 1 ;; esac; fi', [("[", "-n", "$v", "]"), ("echo", "no"), ("exit", "1")]),
        ("for a in x y; do case $a in x) echo x;; esac; done", [("echo", "x")]),
        ("case $e in core|ingest|ingest-core) A=1 ;; esac", []),  # patterns are no commands
        ("f() { rm -rf /x; }; f", [("rm", "-rf", "/x"), ("f",)]),  # the definition's name is no call
        ("function g { echo hi; }", [("echo", "hi")]),
        ("function h() { echo ho; }", [("echo", "ho")]),
        ("declare -A P=([a]=1 [b]=2); free", [("declare", "-A", "P=([a]=1 [b]=2)"), ("free",)]),
        ("X=(a b c) && make", [("make",)]),  # an array value is no subshell
        ("(( i++ )) && make", [("make",)]),  # arithmetic is no command
        ("for ((i=0; i<3; i++)); do echo $i; done", [("echo", "$i")]),
        ("((cat x) && apk add y)", [("cat", "x"), ("apk", "add", "y")]),  # subshells, not arithmetic
        ("X=$(case $(uname -m) in x86_64) echo amd64 ;; esac) && make", [("echo", "amd64"), ("uname", "-m"), ("make",)]),
        ("cat > /etc/motd <<-'EOM'\n\tpackage main\n\timport x\n\tEOM\necho done\n", [("cat",), ("echo", "done")]),
        ("cat <<EOF > f\nnever closed\n", [("cat",), ("never", "closed")]),  # no delimiter: nothing skipped
    ],
)
def test_what_a_script_runs(script, expected):
    assert argvs(script, nested=True) == expected


def test_commands_in_substitutions_follow_their_holder_one_level_deeper():
    echo, first, second, last = tokenize('echo "$(a | b)" | c')
    assert (echo.nested, echo.after) == (0, "|")
    assert (first.nested, first.depth, first.before, first.after) == (1, 1, "$(", "|")
    assert (second.nested, second.before, second.after) == (1, "|", ")")
    assert (last.nested, last.before) == (0, "|")
    text = 'A=$(curl -s "$(cat /url)")'
    curl, cat = tokenize(text)
    assert (curl.nested, cat.nested) == (1, 2)
    assert text[curl.words[0].start : curl.words[-1].end] == 'curl -s "$(cat /url)"'
    assert text[cat.words[1].start : cat.words[1].end] == "/url"


def test_substitutions_stop_at_the_nesting_limit():
    text = "echo " + "$(" * 20 + "x" + ")" * 20
    assert max(command.nested for command in tokenize(text)) == 8


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


def test_exec_form_scripts_are_split_whatever_the_shell_options():
    from dfslim.parser import parse

    dockerfile = parse(
        'FROM debian:bookworm-slim\n'
        'RUN ["/bin/bash", "-o", "pipefail", "-c", "apt-get install -y curl && curl -fsSL http://x | bash"]\n'
        'RUN ["sh", "-euxc", "echo $(id -u)"]\n'
        'RUN ["python3", "-c", "print(1)"]\n'
    )
    first, second, third = (run.script.commands for run in dockerfile.of("RUN"))
    assert [c.argv for c in first] == [("apt-get", "install", "-y", "curl"), ("curl", "-fsSL", "http://x"), ("bash",)]
    assert [c.argv for c in second] == [("echo", "$(id -u)"), ("id", "-u")]
    assert [c.argv for c in third] == [("python3", "-c", "print(1)")]
