"""A downloaded archive, package or program is used without checking what arrived.

## What it does
Flags a `RUN` in which `curl` or `wget` downloads a file that the same `RUN` then
unpacks (`tar -x`, `unzip`, `7z`, `gunzip`, `xz -d`...), installs (`dpkg -i`, `rpm -i`,
`apt-get install ./x.deb`, `apk add x.apk`, `yum localinstall`, `pip install x.whl`),
runs (`sh x.sh`, `python x.py`, `java -jar x.jar`, `. x.sh`, `./x`, `/opt/x/bin/x`, or its
bare name once it lies in a `bin` folder) or makes executable (`chmod +x`, `install -m
755`, saved or moved into a `bin`/`sbin` folder), when nothing verifies the file before
that use. Also flagged: a download piped straight into an unpacker (`curl -fsSL URL | tar
-xz`, `wget -qO- URL | tar x`, `curl -o- URL | gunzip`), which nothing can check before
it is unpacked.

## Why is this bad?
`https` proves which server answered, not that the file is the one its authors
published: a compromised release page, CDN or mirror, a hijacked domain, a replaced
GitHub asset or a truncated transfer is unpacked or run as root in your build and
shipped in your image, and the build still succeeds. A checksum pinned in the
Dockerfile (or a signature checked against a pinned key) turns any of those into a
failed build.

## Example
    RUN curl -fsSL -o /tmp/tool.tar.gz https://example.com/tool-1.4.2-linux-amd64.tar.gz \\
        && tar -xzf /tmp/tool.tar.gz -C /usr/local/bin \\
        && rm /tmp/tool.tar.gz
    RUN curl -fsSL https://example.com/node-v20.tar.xz | tar -xJ -C /usr/local

## Use instead
Check the file right after the download, against a checksum you pinned (an `ARG` keeps
it next to the version):

    ARG TOOL_SHA256=4f6c...e1a9
    RUN curl -fsSL -o /tmp/tool.tar.gz https://example.com/tool-1.4.2-linux-amd64.tar.gz \\
        && echo "${TOOL_SHA256}  /tmp/tool.tar.gz" | sha256sum -c - \\
        && tar -xzf /tmp/tool.tar.gz -C /usr/local/bin \\
        && rm /tmp/tool.tar.gz

or let the builder fetch and check it, then use it in the `RUN`:

    ADD --checksum=sha256:4f6c...e1a9 https://example.com/tool-1.4.2-linux-amd64.tar.gz /tmp/tool.tar.gz

## What counts as a verification
Between the download and the use, in the same `RUN`:

- a checksum check, whatever list it reads: `sha256sum -c`/`--check`, `sha512sum -c`,
  `shasum -a 256 -c`, `echo "$SHA  file" | sha256sum -c -` (also `sha1sum`, `md5sum`,
  `b2sum`, `cksum -c`: weaker hashes, but a check; the hash may come from an `ARG`);
- a hash of the file that is compared, not just printed: `sha256sum file | grep -q
  "$SHA"`, `[ "$(sha256sum file | cut -d' ' -f1)" = "$SHA" ]`, `openssl dgst -sha256
  file | ...`, `cat file | openssl sha512 -r` inside a test, and an interpreter one-liner
  that hashes it (Composer's `php -r "if (hash_file('sha384', 'composer-setup.php') ...`);
- a signature check that names the file (or its `.asc`/`.sig` beside it): `gpg --verify
  file.asc file`, `gpgv`, `cosign verify-blob ... file`, `minisign -Vm file`, `gh
  attestation verify file`, `slsa-verifier verify-artifact file`, `rpm -K file.rpm`.

A download decompressed into a file as it arrives (`curl URL | gunzip > /usr/local/bin/tool`)
is followed as that file: a check of it before it is run or made executable counts.
A check whose failure is swallowed (`sha256sum -c x.sha256 || true`) does not count.
dfslim does not judge whether a failed check stops the `RUN` (`;` without `set -e`):
`&&` and `;` chains are read alike. A file that is only made executable (or saved into a
`bin` folder) and not run in the `RUN` counts as verified by a check anywhere after its
download in the same `RUN`.

## Where the catalog is silent
- A file the `RUN` unpacks or installs is an archive or a package whatever its name; a
  file saved into a `bin` folder is a program unless its name says data (`.json`,
  `.yaml`, `.txt`, `.conf`...).
- Weak hashes (`md5sum -c`, `sha1sum -c`) count as a check: the file was checked, and
  flagging it as unverified would mislead; choosing the hash is another question.
- One finding per `RUN`, about its first download used unverified; the others follow
  once it is fixed.

## Not flagged
The checksum, signature or key files themselves (`*.sha256`, `SHA256SUMS`, `*.asc`,
`*.sig`, `*.pub`...); data files the `RUN` neither unpacks, installs nor runs (a
`config.json`, a key piped into `gpg --dearmor`, a `.list` for apt); downloads to standard
output that feed anything but an unpacker (`| sh` is DFS205's, `| gpg --dearmor`, `|
jq`, `VERSION=$(curl ...)`); `ADD --checksum=` (DFS203 covers `ADD` without it);
downloads from the machine itself (`localhost`, `127.0.0.1`); file names dfslim cannot
tell (`curl -J`, `wget --content-disposition`).

## Scope
Every stage: a tampered compiler or archive in a builder poisons what it builds.
`ONBUILD RUN` triggers are read as the `RUN`s they hold. The commands inside `$(...)`
and backquotes count where dfslim reads them (`[ "$(sha256sum f | cut -c1-64)" = ...
]`); a download fed through a process substitution (`tar -xzf <(curl ...)`) is not
followed.
"""

import posixpath
import re
from typing import NamedTuple

from dfslim.api import (
    INTERPRETERS_RE,
    at_level,
    Meta,
    Severity,
    Violation,
    decompressed_to_file,
    download,
    downloads_anything,
    file_use,
    follow_downloads,
    has_option,
    is_loopback,
    names_file,
    next_in_line,
    pipe_consumer,
    spell,
    stream_use,
    substitutions,
    trigger_workdirs,
    unwrap,
    url_basename,
    workdirs,
)
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS212",
    name="download-unverified",
    category="security",
    severity=Severity.WARNING,
)

HASH_PROGRAM_RE = lazy_compile(r"sha(1|224|256|384|512)sum|shasum|md5sum|b2sum|b3sum|cksum|sha3sum|sha256|sha512")
# checksum, signature and key files: what verifies, not what is verified
VERIFIER_FILE_RE = lazy_compile(
    r".*\.(sha(1|224|256|384|512)?(sum)?|md5(sum)?|asc|sig|sign|minisig|pub|gpg|pem|crt|key|sum|sums)(\.txt)?"
    r"|.*(sha(1|256|512)?sums?|checksums?|md5sums?)(\.txt)?",
)
DATA_FILE_RE = lazy_compile(r".*\.(txt|json|ya?ml|xml|toml|conf|cfg|ini|md|html?|csv|list|properties|env)")
SIGNATURE_SUFFIXES = (".asc", ".sig", ".sign", ".gpg", ".minisig", ".sigstore", ".bundle")
CONTINUATION_RE = lazy_compile(r"[\\`]\r?\n")
OPENSSL_DIGESTS = frozenset({"dgst", "sha1", "sha256", "sha384", "sha512", "md5"})
HASH_CODE_RE = lazy_compile(r"hash_file|hashlib|Digest::SHA|createHash|sha(256|384|512)|checksum", re.IGNORECASE)
SWALLOWERS = frozenset({"true", ":", "echo", "printf"})
USE_WORDS = {"unpack": "unpacks it", "install": "installs it", "run": "runs it", "mark": "makes it executable"}


class _State:
    """What the walk learnt about one download."""

    __slots__ = ("checked", "use", "mark", "late")

    def __init__(self):
        self.checked = False  # a verification came after the download
        self.use = None  # (Use, command index): the first unpack, install or run before any verification
        self.mark = None  # (Use, command index): the first `chmod +x` before any verification
        self.late = False  # a verification came, but after that use


def check(dockerfile):
    dirs, trigger_dirs = workdirs(dockerfile), trigger_workdirs(dockerfile)
    for instruction in dockerfile.of("RUN"):
        if instruction.stage < 0 or not downloads_anything(instruction):
            continue  # before any FROM: not part of an image (DFS300's business); or nothing downloaded
        cwd = (trigger_dirs if instruction.onbuild else dirs).get(instruction.index)
        found = [f for f in (_piped(dockerfile.text, instruction), _unverified(dockerfile.text, instruction, cwd)) if f]
        if found:
            yield min(found, key=lambda pair: pair[0])[1]  # the first download of the RUN


def _piped(text, instruction):
    """`curl URL | tar -xz`: a download unpacked as it streams in, as (download index,
    Violation). A decompressor writing a file (`| gunzip > tool`) is not: the file it
    writes is followed like a download."""
    commands = instruction.script.commands
    for index, command in enumerate(commands):
        consumer = pipe_consumer(commands, index)
        unpacker = stream_use(consumer) if consumer is not None else ""
        if not unpacker or decompressed_to_file(consumer):
            continue
        got = download(command)
        if got is not None and got.outputs == ("-",) and _remote(got):
            return index, _stream_violation(text, instruction, command, consumer, got, unpacker)
    return None


def _remote(got) -> bool:
    """Whether a download crosses a network (not `localhost`, not `file:`)."""
    return any(not is_loopback(url.text) and not url.text.lower().startswith("file:") for url in got.urls)


def _unverified(text, instruction, cwd):
    """The first download this RUN uses (or makes executable) unverified, as (download
    index, Violation)."""
    commands = instruction.script.commands
    states: dict[object, _State] = {}
    fetched = []
    for index, command, here, fetched in follow_downloads(instruction, cwd):
        pending = [item for item in fetched if item.index < index and _artifact_candidate(item)]
        if not pending:
            continue
        checks = _checks(commands, index)
        for item in pending:
            state = states.setdefault(item, _State())
            if state.checked:
                continue
            if _verified(instruction, commands, index, here, item, checks):
                state.checked = True
                state.late = state.use is not None
                continue
            if state.use is not None:
                continue  # used unverified already: only a late check is news
            use = file_use(instruction, commands, index, here, item)
            if use is None:
                continue
            if use.kind != "mark":
                state.use = (use, index)
            elif state.mark is None:
                state.mark = (use, index)
    for item in fetched:
        if not _artifact_candidate(item) or not _remote(item.got):
            continue
        state = states.get(item) or _State()
        if state.use is not None:
            return item.index, _file_violation(text, instruction, item, state.use, state.late)
        if state.checked:
            continue  # made executable at most, and checked before anything ran it
        if state.mark is not None:
            return item.index, _file_violation(text, instruction, item, state.mark, False)
        if item.in_bin and not DATA_FILE_RE.fullmatch(item.name.lower()):
            return item.index, _file_violation(text, instruction, item, None, False)
    return None


def _artifact_candidate(item) -> bool:
    """Not a checksum, signature or key file."""
    return not VERIFIER_FILE_RE.fullmatch(item.name.lower())


class _Checks(NamedTuple):
    """What one command of a RUN verifies."""

    everything: bool = False  # a checksum list check: every earlier download counts as checked
    files: tuple[str, ...] = ()  # words naming the files it hashes (and compares) or checks a signature of
    code: tuple[str, ...] = ()  # inline interpreter code that hashes a file (`php -r "hash_file(...)"`)


NO_CHECKS = _Checks()


def _checks(commands, index) -> _Checks:
    """What `commands[index]` (and the commands inside its `$(...)`) verify; nothing when
    its failure is swallowed (`|| true`)."""
    if _swallowed(commands, index):
        return NO_CHECKS
    command = commands[index]
    everything, files, code = False, [], []
    inner = substitutions(command)
    for sequence, position, inside in [(commands, index, False)] + [(inner, i, True) for i in range(len(inner))]:
        current = sequence[position]
        words = unwrap(current)
        if not words:
            continue
        program = words[0].text.rsplit("/", 1)[-1].lower()
        args = words[1:]
        if program == "openssl" and args and args[0].text in OPENSSL_DIGESTS:
            program, args = "sha256sum", args[1:]
        if HASH_PROGRAM_RE.fullmatch(program):
            if has_option(args, "-c", "--check"):
                everything = True
            elif inside or _consumed(current):
                files += _hashed(sequence, position, args)
        elif _signature_check(program, words):
            files += [text for word in args for text in _file_words(word.text)]
        elif INTERPRETERS_RE.fullmatch(program):
            code += [word.text for word in args if HASH_CODE_RE.search(word.text)]
        elif any(word.text.lower() in ("get-filehash", "-hashfile") for word in words):
            files += [word.text for word in args]
    return _Checks(everything, tuple(files), tuple(code))


def _verified(instruction, commands, index, cwd, item, checks: _Checks) -> bool:
    if checks.everything:
        return True
    if any(names_file(instruction, commands, index, cwd, text, item) for text in checks.files):
        return True
    return any(item.name in code for code in checks.code)


def _hashed(sequence, position, args) -> list[str]:
    """The files a hash command reads: its arguments, a `< FILE`, or what `cat FILE |`
    feeds it."""
    found = [word.text for word in args if not word.text.startswith("-")]
    current = sequence[position]
    found += [word.text for operator, word in current.redirects if operator == "<"]
    if not found and current.piped_from and position > 0 and sequence[position - 1].name == "cat":
        found += [word.text for word in sequence[position - 1].words[1:] if not word.text.startswith("-")]
    return found


def _swallowed(commands, index) -> bool:
    """`check || true`: its failure does not stop the RUN."""
    if commands[index].after != "||":
        return False
    fallback = next_in_line(commands, index)
    return fallback is not None and fallback.name in SWALLOWERS


def _consumed(command) -> bool:
    """Whether a command's output is read by something: piped on, or it is inside a
    command substitution (`$(sha256sum x)`, as the shell tokenizer marks the commands it
    reads from inside one)."""
    return command.piped_to or command.before in ("$(", "`") or command.after in (")", "`")


def _signature_check(program: str, words) -> bool:
    texts = [word.text for word in words[1:]]
    if program in ("gpg", "gpg2"):
        return "--verify" in texts or "--verify-files" in texts
    if program in ("gpgv", "gpgv2", "slsa-verifier"):
        return True
    if program == "cosign":
        return any(text.startswith("verify-blob") for text in texts)
    if program in ("minisign", "signify"):
        return has_option(words[1:], "-V")
    if program == "gh":
        return texts[:2] == ["attestation", "verify"]
    if program == "rpm":
        return has_option(words[1:], "-K", "--checksig")
    return False


def _file_words(text: str):
    """The files a word of a signature check may name: itself (`--signature=x.sig` its
    value), and the file a detached signature beside it signs (`x.tar.gz.asc` ->
    `x.tar.gz`)."""
    text = text.partition("=")[2] if text.startswith("--") else text
    yield text
    for suffix in SIGNATURE_SUFFIXES:
        if text.endswith(suffix):
            yield text[: -len(suffix)]


def _stream_violation(text, instruction, command, unpack, got, unpacker):
    url = got.urls[0].text
    target = "/tmp/" + (url_basename(url) or "download")
    script = instruction.script
    fetch = f"curl -fsSL -o {target} {url}" if got.tool == "curl" else f"wget -q -O {target} {url}"
    steps = [fetch, _check(target), _from_file(text, script, unpack, target), f"rm {target}"]
    return Violation(
        instruction,
        f"`{got.tool} {url}` is piped straight into `{unpacker}`: the archive is unpacked before anything can check it",
        "download to a file and check it against a pinned checksum before unpacking it:\n"
        + _run_lines(steps)
        + f"\nor fetch it with `ADD --checksum=sha256:<hash> {url} {target}` before this RUN",
        focus=script.span(command),
    )


def _file_violation(text, instruction, item, found, late):
    got = item.got
    url = got.urls[0].text if got.urls else "URL"
    script = instruction.script
    target = item.written
    steps = [_as_written(text, script, script.commands[item.index]), _check(target)]
    if found is None:
        what = f"saves it as a program in `{posixpath.dirname(item.written) or '.'}`"
        steps += _rest(text, script, item.index, None)
    else:
        use, index = found
        what = USE_WORDS[use.kind] + (f" with `{use.how}`" if use.how else "")
        steps += _rest(text, script, item.index, index)
    when = "before checking it" if late else "without verifying it"
    executable = found is None or found[0].kind in ("run", "mark")
    add = f"`ADD --checksum=sha256:<hash>{' --chmod=755' if executable else ''} {url} {target}`"
    return Violation(
        instruction,
        f"`{got.tool} {url}` downloads `{item.written}`, and this RUN {what} {when}",
        "check it against a pinned checksum right after the download:\n" + _run_lines(steps) + f"\nor fetch it with {add} before this RUN",
        focus=script.span(script.commands[item.index]),
    )


# commands of the RUN shown between the download and its use before the rest becomes `...`
SHOWN_BETWEEN = 3


def _rest(text, script, download, use) -> list[str]:
    """The RUN's other commands after the checked download, as written: those up to the use
    (`mkdir -p /usr/src/app` before `tar -C /usr/src/app`), then `...` for any after it,
    so that the verified form keeps every step."""
    top = at_level(script.commands)
    later = [command for command in top if command.start > script.commands[download].start]
    if use is None:
        return ["..."] if later else []
    used = script.commands[use]
    if used not in top:
        used = next((command for command in later if command.start <= used.start < command.end), used)
    between = [command for command in later if command.start < used.start]
    shown = [_as_written(text, script, command) for command in between]
    if len(shown) > SHOWN_BETWEEN:
        shown = ["..."]
    after = [command for command in later if command.start > used.start and command is not used]
    return shown + [_as_written(text, script, used)] + (["..."] if after else [])


def _run_lines(steps) -> str:
    """`RUN first \\` then `    && next \\` lines: the verified form as it would be written."""
    return "RUN " + " \\\n    && ".join(steps)


def _check(target: str) -> str:
    return f'echo "<sha256>  {target}" | sha256sum -c -'


def _as_written(text, script, command) -> str:
    """A command as the user wrote it, redirections included, on one line."""
    span = script.span(command)
    line = CONTINUATION_RE.sub(" ", text[span[0] : span[1]]) if span else " ".join(command.argv)
    line = " ".join(line.split())
    return line if len(line) <= 120 else line[:117] + "..."


def _from_file(text, script, command, target) -> str:
    """The unpacker that read the stream, reading the file instead (`tar -xJ -C /usr/local
    -f /tmp/node.tar.xz`)."""
    words = unwrap(command)
    parts = [target if w.text == "-" else spell(text, script, (w,)) for w in words]
    if target not in parts:
        program = words[0].text.rsplit("/", 1)[-1] if words else ""
        parts += ["-f", target] if program in ("tar", "bsdtar") else [target]
    line = " ".join(parts)
    return line if len(line) <= 120 else line[:117] + "..."
