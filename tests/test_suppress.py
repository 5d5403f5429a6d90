"""Inline suppression pragmas, ours and hadolint's."""

from __future__ import annotations

INSTALL = "RUN apt-get update && apt-get install -y curl\n"


def lines(findings, rule="DFS103"):
    return [f.line for f in findings if f.rule == rule]


def test_ignore_next_instruction_by_id_or_name(lint_text):
    text = "FROM debian:12\n# dfslim: ignore=DFS103\n" + INSTALL + "# dfslim: ignore=apt-lists-kept\n" + INSTALL + INSTALL
    assert lines(lint_text(text, "DFS103")) == [6]


def test_ignore_everything_and_reason(lint_text):
    text = "FROM debian:12\n# dfslim: ignore  # we clean up in the next stage\n" + INSTALL
    assert lines(lint_text(text, "DFS103")) == []


def test_pragma_must_be_directly_above(lint_text):
    text = "FROM debian:12\n# dfslim: ignore=DFS103\n\n" + INSTALL
    assert lines(lint_text(text, "DFS103")) == [4]
    text = "FROM debian:12\n# dfslim: ignore=DFS103\n# another comment\n" + INSTALL
    assert lines(lint_text(text, "DFS103")) == []


def test_other_rules_are_not_silenced(lint_text):
    text = "FROM debian:12\n# dfslim: ignore=DFS300\n" + INSTALL
    assert lines(lint_text(text, "DFS103")) == [3]


def test_ignore_file(lint_text):
    text = "FROM debian:12\n" + INSTALL + "# dfslim: ignore-file=DFS103\n" + INSTALL
    assert lines(lint_text(text, "DFS103")) == []


def test_hadolint_pragmas(lint_text):
    text = "FROM debian:12\n# hadolint ignore=DL3008,DL3009\n" + INSTALL + INSTALL
    assert lines(lint_text(text, "DFS103")) == [4]
    text = "# hadolint global ignore=DL3009\nFROM debian:12\n" + INSTALL
    assert lines(lint_text(text, "DFS103")) == []
    text = "FROM debian:12\n# hadolint ignore=DL3015\n" + INSTALL
    assert lines(lint_text(text, "DFS103")) == [3]


def test_pragma_inside_a_continuation_is_not_a_pragma_for_the_next(lint_text):
    text = "FROM debian:12\nRUN echo a \\\n  # dfslim: ignore=DFS103\n  && echo b\n" + INSTALL
    assert lines(lint_text(text, "DFS103")) == [5]
