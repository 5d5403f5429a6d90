"""A downloaded script is piped straight into a shell or an interpreter.

## What it does
Flags a `RUN` that runs what `curl` or `wget` downloads without looking at it first:
`curl ... | sh` (also `bash`, `zsh`, `dash`, `ksh`, `python`, `python3`, `perl`, `node`,
`ruby`, `php`), with `sudo` or `env` in front, with arguments (`| bash -s -- --yes`,
`| sh -`), through other pipes (`curl ... | tee log | sh`), and the command
substitution forms `sh -c "$(curl ...)"`, `bash -c "$(wget -qO- ...)"` and `eval
"$(curl ...)"`. `ruby` and `php` are not in the catalog's list but are the same risk
(`curl ... | php` is the classic Composer installer).

## Why is this bad?
The script is executed as it arrives, as root, with nothing checking that it is the
script its author published: a compromised server or CDN, a hijacked domain or a
truncated download runs in your build and ends up in your image. It also changes from
one build to the next, so two builds of the same Dockerfile can differ.

## Example
    RUN curl -fsSL https://get.example.com/install.sh | sh -s -- --yes

## Use instead
Download to a file, check it against a checksum you pinned, then run it:

    RUN curl -fsSLo /tmp/install.sh https://get.example.com/install.sh \\
        && echo "<sha256>  /tmp/install.sh" | sha256sum -c - \\
        && sh /tmp/install.sh --yes \\
        && rm /tmp/install.sh

Better still, install a released, signed artifact (a package, or a tarball with its
published checksum).

## Not flagged
A download saved to a file (`curl -o`, `wget` without `-O -`) and run later: checking it
is then possible, and DFS113 watches what is left behind; downloads piped into other
programs (`| tar xz`, `| gpg --dearmor`, `| apt-key add -`); words inside quoted strings.
"""


from dfslim.api import SHELLS, Meta, Severity, Violation, at_level, download, substitutions, unwrap
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS205",
    name="pipe-to-shell",
    category="security",
    severity=Severity.WARNING,
)

EXTENSIONS = (("python", "py"), ("pypy", "py"), ("perl", "pl"), ("node", "js"), ("ruby", "rb"), ("php", "php"))
INTERPRETER_RE = lazy_compile(r"(python|pypy)[0-9.]*|perl|node|ruby|php[0-9.]*")


def runs_code(words) -> bool:
    """Whether argv `words` (wrappers removed) is a shell or an interpreter reading a script."""
    if not words:
        return False
    name = words[0].text.rsplit("/", 1)[-1]
    return name in SHELLS or bool(INTERPRETER_RE.fullmatch(name))


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        commands = instruction.script.commands
        found = _piped(commands) or _substituted(commands) or _process_substituted(commands)
        if found:
            fetched, runner, (first, last) = found
            yield _violation(fetched, runner, instruction)._replace(focus=instruction.script.span(first, last))


def _piped(commands):
    """(download, runner words, (first, last) command of the pipeline) for `curl ... | [other |] sh`, in
    one pass per substitution level (a pipeline's commands stand at one level)."""
    for level in sorted({command.nested for command in commands}):
        found = _piped_at(at_level(commands, level))
        if found:
            return found
    return None


def _piped_at(commands):
    fetched = start = None  # a download to stdout earlier in the current pipeline
    for command in commands:
        if not command.piped_from:
            fetched = None
        elif fetched is not None:
            words = unwrap(command)
            if runs_code(words):
                return fetched, words, (start, command)
        if command.piped_to:
            got = download(command)
            if got is not None and got.to_stdout:
                fetched, start = got, command
    return None


def _substituted(commands):
    """(download, runner words, (command, command)) for `sh -c "$(curl ...)"` and
    `eval "$(curl ...)"`."""
    for command in commands:
        words = unwrap(command)
        if not words:
            continue
        name = words[0].text.rsplit("/", 1)[-1]
        if name == "eval":
            script_words, runner = words[1:], words[:1]
        elif runs_code(words):
            flags = [i for i, w in enumerate(words) if w.text.startswith("-") and "c" in w.text.lstrip("-") and not w.text.startswith("--")]
            script_words = words[flags[0] + 1 : flags[0] + 2] if flags else ()
            runner = words[:1] + words[flags[0] + 3 :] if flags else words  # `sh -c SCRIPT $0 ARGS...`
        else:
            continue
        for word in script_words:
            if not word.text.startswith(("$(", "`")):
                continue
            holder = type(command)((word,), (), (), None, None, 0, word.start, word.end)
            for inner in substitutions(holder):
                fetched = download(inner)
                if fetched is not None and fetched.to_stdout:
                    return fetched, runner, (command, command)
    return None


def _process_substituted(commands):
    """(download, runner words, (runner, download)) for `bash <(curl ...)` and
    `bash < <(curl ...)`: the shell reads the download through a process substitution."""
    for index, command in enumerate(commands):
        words = unwrap(command)
        if not runs_code(words):
            continue
        opened = [w for w in words[1:] if w.text.startswith("<(")] + [w for op, w in command.redirects if op == "<" and w.text.startswith("<(")]
        if not opened:
            continue
        for inner in commands[index + 1 :]:
            if inner.nested <= command.nested:
                break
            fetched = download(inner)
            if inner.nested == command.nested + 1 and inner.before == "<(" and fetched is not None and fetched.to_stdout:
                return fetched, words, (command, inner)
    return None


def _violation(fetched, runner, instruction):
    url = fetched.urls[0].text if fetched.urls else "URL"
    program = runner[0].text.rsplit("/", 1)[-1]
    extension = next((ext for prefix, ext in EXTENSIONS if program.startswith(prefix)), "sh")
    name = f"install.{extension}"
    args = [w.text for w in runner[1:]]
    if "--" in args:
        args = args[args.index("--") + 1 :]
    else:
        args = [a for a in args if a and a not in ("-", "-s", "-e", "-x", "-ex", "-xe", "-c", "/dev/stdin") and not a.startswith("$(")]
    run = " ".join([program if program != "eval" else ".", f"/tmp/{name}"] + args)
    return Violation(
        instruction,
        f"`{fetched.tool} {url}` is piped into `{program}`: the downloaded script runs unverified",
        f"download it to a file, check it, then run it: `{fetched.tool} {'-fsSLo' if fetched.tool == 'curl' else '-qO'} "
        f"/tmp/{name} {url} && echo \"<sha256>  /tmp/{name}\" | sha256sum -c - && {run} && rm /tmp/{name}`",
    )
