"""Several `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in one stage: only the last one counts.

## What it does
Flags every `CMD`, `ENTRYPOINT` and `HEALTHCHECK` of a stage that a later instruction of
the same kind in the same stage overrides, and names the line that wins.

## Why is this bad?
An image has one command, one entrypoint and one health check: each of these
instructions replaces the previous one. The earlier ones do nothing, yet read as if they
did (a reader may think both commands run), and are often leftovers of an edit.

## Example
    FROM python:3.12-slim
    CMD ["python", "migrate.py"]
    CMD ["gunicorn", "app:app"]

## Use instead
    FROM python:3.12-slim
    CMD ["sh", "-c", "python migrate.py && exec gunicorn app:app"]

or keep only the command that should run (run one-off steps in an entrypoint script).

## Not flagged
- One of each per stage; a stage built `FROM` another stage overriding its parent's `CMD`
  (that is how a derived image changes the command).
- `ONBUILD CMD ...`: it runs in the images built from this one.
- `HEALTHCHECK NONE` counts as a health check: a `HEALTHCHECK CMD` before it in the same
  stage is overridden (and a `HEALTHCHECK NONE` followed by another `HEALTHCHECK` does
  nothing).
"""

from dfslim.api import Meta, Severity, Violation

META = Meta(
    id="DFS307",
    name="duplicate-entrypoint",
    category="correctness",
    severity=Severity.WARNING,
    scope="all",
    fix=None,
    others=("hadolint DL4003/DL4004/DL3012",),
)

KEYWORDS = ("CMD", "ENTRYPOINT", "HEALTHCHECK")


def check(dockerfile):
    for stage in dockerfile.stages:
        for keyword in KEYWORDS:
            found = [i for i in stage.instructions if i.keyword == keyword]
            if len(found) < 2:
                continue
            last = found[-1]
            for instruction in found[:-1]:
                yield Violation(
                    instruction,
                    f"this `{keyword}` has no effect: the `{keyword}` on line {last.line} of the same stage replaces it",
                    f"delete this `{keyword}`, or merge what it does into the one on line {last.line}",
                )
