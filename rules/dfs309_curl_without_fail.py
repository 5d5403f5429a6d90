"""`curl` saves or pipes a download without `-f`: an HTTP error page is used as the file.

## What it does
Flags a `curl` in a `RUN` that writes what it downloads to a file (`-o FILE`, `-O`,
`--output`, `--remote-name`, `--output-dir`, `> FILE`) or pipes it into another command
(`curl -sSL URL | tar -xz`), without `-f`/`--fail`/`--fail-with-body` (also inside
combined short flags: `-fsSL`, `-sSfL`).

## Why is this bad?
Without `-f`, curl treats an HTTP error (404, 403, 500) as a success: it saves the error
page under the expected name, or pipes it into `tar`, `sh` or `gpg`, and exits 0. The
build goes on with an HTML page where a binary, a key or a script should be, and fails
later with a confusing error, or not at all.

## Example
    RUN curl -sSL -o /usr/local/bin/tool https://example.com/tool-1.2.3 \
        && curl -sSL https://example.com/app.tar.gz | tar -xz -C /opt

## Use instead
    RUN curl -f -sSL -o /usr/local/bin/tool https://example.com/tool-1.2.3 \
        && curl -fsSL https://example.com/app.tar.gz | tar -xz -C /opt

## Fix
Safe: inserts ` -f` right after the word `curl` (one edit per `curl` of the `RUN`). An
HTTP error then fails the build where it happens; a successful download is unchanged.

## Not flagged
- `curl` printing to the terminal only (`curl -s http://localhost/health`), `-o /dev/null`,
  `--head`/`-I`.
- `curl -w '%{http_code}' ...`: the script checks the status itself.
- `wget`, which fails on HTTP errors by default.
- A `RUN` under `SHELL ["powershell", ...]`: there `curl` may be an alias of
  `Invoke-WebRequest`, which fails on HTTP errors and has no `-f`.
- `curl` inside a quoted string (`echo "curl ..."`). A `curl` inside `$(...)` is a command
  like any other: `VERSION="$(curl -sSL .../latest)"` takes an error page for the version.
"""

from dfslim.api import (
    Edit,
    Fix,
    Meta,
    Severity,
    Violation,
    download,
    expand,
    shell_in_effect,
    shell_program,
    spell,
    unwrap,
)

META = Meta(
    id="DFS309",
    name="curl-without-fail",
    category="correctness",
    severity=Severity.INFO,
    scope="all",
    fix="safe",
    others=("Binnacle curlUseFlagF",),
)

FAIL = ("-f", "--fail", "--fail-with-body")
DISCARD = ("/dev/null", "-")
STDOUT_REDIRECTS = (">", ">>", ">|", "&>", "&>>")


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        if shell_program(shell_in_effect(dockerfile, instruction)).startswith(("powershell", "pwsh")):
            continue  # `curl` may be PowerShell's alias of Invoke-WebRequest there
        script = instruction.script
        edits, shown, kinds, focus = [], [], [], None
        for command in script.commands:
            fetched = download(command)
            if fetched is None or fetched.tool != "curl":
                continue
            if any(option in FAIL for option in fetched.options) or _fails_through_variable(instruction, command):
                continue
            if any(option in ("-I", "--head") for option in fetched.options):
                continue
            if any(name in ("-w", "--write-out") and ("http_code" in value or "response_code" in value) for name, value in fetched.values):
                continue
            kind = _use(command, fetched)
            if kind is None:
                continue
            words = unwrap(command)
            edits.append(Edit(words[0].end, words[0].end, " -f"))
            shown.append(spell(dockerfile.text, script, words, after=0, option="-f", limit=100))
            kinds.append(kind)
            focus = focus or script.span(command)
        if not edits:
            continue
        fix = Fix("Insert `-f` after `curl`", tuple(edits)) if script.shell_form and instruction.exec_form is None else None
        what = "pipes its download" if kinds[0] == "pipe" else "saves its download"
        message = (
            f"`curl` {what} without `-f`: an HTTP error page would be used as the file"
            if len(edits) == 1
            else f"{len(edits)} `curl`s save or pipe downloads without `-f`: an HTTP error page would be used as the file"
        )
        yield Violation(instruction, message, f"add `-f` so an HTTP error fails the build: `{shown[0]}`", fix=fix, focus=focus)


def _fails_through_variable(instruction, command) -> bool:
    """`curl $CURL_OPTIONS URL` with `ENV CURL_OPTIONS="-fSL --retry 5"`: a variable whose
    known value holds `-f` (alone or among short options) or `--fail`."""
    for word in unwrap(command)[1:]:
        if not word.text.startswith("$"):
            continue
        value = expand(word.text, instruction.scope)
        if "$" in value:
            continue
        for token in value.split():
            if token in FAIL or (token.startswith("-") and not token.startswith("--") and "f" in token[1:]):
                return True
    return False


def _use(command, fetched) -> str | None:
    """"save" or "pipe" when the download lands somewhere, else None."""
    if fetched.unknown_output or any(output not in DISCARD for output in fetched.outputs):
        return "save"
    if not fetched.to_stdout:
        return None
    stdout = [word.text for op, word in command.redirects if op in STDOUT_REDIRECTS]
    if stdout:
        return "save" if stdout[-1] not in DISCARD else None
    if command.piped_to:
        return "pipe"
    return None
