"""A line that is not a Dockerfile instruction, or an instruction before the first FROM.

## What it does
Flags lines that the builder rejects: an unknown instruction keyword (a typo, a template
tag such as `{% if %}` or `<%`, a leftover merge-conflict marker, a comment that lost its
`#`), and any instruction other than `ARG` before the first `FROM`.

## Why is this bad?
`docker build` stops at such a line ("unknown instruction"), so the image cannot be
built at all. dfslim reports it here and goes on linting the rest of the file.

## Example
    FROM python:3.12-slim
    RUNN pip install flask

## Use instead
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask

A template (Jinja, ERB, Nickel) is not a Dockerfile: lint the file it renders to.
"""

from dfslim.api import KNOWN_INSTRUCTIONS, Meta, Severity, Violation

META = Meta(
    id="DFS300",
    name="invalid-instruction",
    category="correctness",
    severity=Severity.ERROR,
)


def check(dockerfile):
    unknown = [i for i in dockerfile.instructions if i.keyword not in KNOWN_INSTRUCTIONS]
    if unknown:  # the build stops at the first one: report it alone
        more = f" ({len(unknown) - 1} more such lines follow)" if len(unknown) > 1 else ""
        yield Violation(
            unknown[0],
            f"`{unknown[0].keyword}` is not a Dockerfile instruction; the build stops here{more}",
            _unknown_advice(unknown[0].keyword),
        )
    for instruction in dockerfile.instructions:
        if instruction.stage < 0 and instruction.keyword in KNOWN_INSTRUCTIONS and instruction.keyword != "ARG":
            yield Violation(
                instruction,
                f"`{instruction.keyword}` before the first FROM; only ARG may come before it",
                "move this instruction after the first `FROM`",
            )


def _unknown_advice(keyword: str) -> str:
    """What most likely put the line there: a merge conflict, a template, else a typo."""
    if keyword.startswith(("<<<<<<<", "=======", ">>>>>>>", "|||||||")):
        return "resolve the merge conflict: keep one side and delete the marker lines"
    if keyword.startswith(("{%", "{{", "<%", "{#")):
        return "this is a template: lint the file it renders to"
    return "fix the keyword (a typo?), add the missing `#` of a comment, or lint the rendered file rather than a template"
