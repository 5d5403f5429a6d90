"""The small core helpers rules use to point at a word (`arg_words`, `arg_span`,
`Script.span`) and to know where an ONBUILD trigger runs (`trigger_workdirs`)."""

from __future__ import annotations

from dfslim.effects import trigger_workdirs, workdirs
from dfslim.parser import parse
from dfslim.values import arg_span, arg_words


def test_arg_words_have_the_source_spans_of_the_raw_words():
    text = 'FROM alpine:3.20\nCOPY --chown=1:1 \\\n    # a comment\n    "my file" \\\n    b.txt /dst/\n'
    copy = parse(text).instructions[1]
    words = arg_words(copy)
    assert [w.text for w in words] == ["my file", "b.txt", "/dst/"]
    assert [text[w.start : w.end] for w in words] == ['"my file"', "b.txt", "/dst/"]
    assert arg_words(parse('FROM alpine:3.20\nCOPY ["a", "/b"]\n').instructions[1]) == ()


def test_arg_words_with_the_backtick_escape():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nADD a.ps1 `\n    C:/app/\n"
    add = parse(text).instructions[1]
    assert [text[w.start : w.end] for w in arg_words(add, "`")] == ["a.ps1", "C:/app/"]


def test_arg_span_reads_variables():
    text = "FROM alpine:3.20\nARG KEY=server.key\nCOPY \\\n    ${KEY} /etc/ssl/\n"
    copy = parse(text).instructions[2]
    start, end = arg_span(copy, "server.key")
    assert text[start:end] == "${KEY}"
    assert arg_span(copy, "other.key") is None


def test_script_span_is_none_in_exec_form():
    shell = parse("FROM alpine:3.20\nRUN echo a && \\\n    echo b\n").instructions[1]
    first, second = shell.script.commands
    assert shell.script.span(second) == (second.start, second.end)
    assert shell.script.span(first, second) == (first.start, second.end)
    exec_form = parse('FROM alpine:3.20\nRUN ["sh", "-c", "echo a && echo b"]\n').instructions[1]
    assert exec_form.script.span(exec_form.script.commands[0]) is None


def test_triggers_run_in_the_directory_the_stage_ends_in():
    text = (
        "FROM alpine:3.20 AS base\nWORKDIR /app\nONBUILD WORKDIR src\nONBUILD RUN make\n"
        "WORKDIR /srv\nONBUILD COPY . .\nFROM scratch\nONBUILD RUN ls\n"
    )
    dockerfile = parse(text)
    assert workdirs(dockerfile)[3] == "/app"  # the ONBUILD line itself, in the parent build
    # in a child image: after the stage's last WORKDIR, then the ONBUILD WORKDIR
    assert trigger_workdirs(dockerfile) == {3: "/srv/src", 5: "/srv/src", 7: "/"}
    assert trigger_workdirs(parse("FROM alpine:3.20\nRUN ls\n")) == {}


def test_script_span_starts_at_the_command_not_at_then():
    text = 'FROM alpine:3.20\nRUN if [ -n "$X" ]; then \\\n      curl -o /x https://y; \\\n    fi\n'
    run = parse(text).instructions[1]
    start, end = run.script.span(run.script.commands[1])
    assert text[start:end] == "curl -o /x https://y"
