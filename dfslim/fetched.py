"""The files a RUN downloads, followed through the commands after the download.

`follow_downloads(instruction, workdir)` walks the commands of a RUN together with the
files `curl`/`wget` saved before each of them (`-o FILE`, `-O`, `-P DIR`, `wget URL`, a
`> FILE` redirection of what they print), each a `Fetched` that knows where it is, `mv`
included. `names_file` tells whether a word of a command names such a file, `file_use`
how a command uses it (unpacks, installs, runs, makes executable), `stream_use` what
unpacks a download piped straight into it.
"""


import posixpath
import re
from typing import NamedTuple

from dfslim.effects import SYSTEM_DIRS, command_dirs, expanded, resolve_path
from dfslim.model import Command, Instruction
from dfslim.regex import lazy_compile
from dfslim.shell import SHELLS, has_option, next_in_line, unwrap
from dfslim.tools import installed_packages, tool_call
from dfslim.tools.download import Download, download

MAX_TRACKED = 200  # downloads followed per RUN: real ones have a handful; keeps a walk linear
INTERPRETERS_RE = lazy_compile(r"(python|pypy)[0-9.]*|perl|ruby|php[0-9.]*|node")
# programs that unpack or install the file they name: the name in messages
UNPACKERS = {"unzip": "unzip", "7z": "7z", "7za": "7z", "7zr": "7z", "bsdtar": "bsdtar", "jar": "jar"}
PACKAGE_INSTALLERS = {"dpkg": "dpkg -i", "rpm": "rpm -i", "gdebi": "gdebi", "msiexec": "msiexec"}
# the options with which they install (or unpack) it: `rpm -qp x.rpm` only reads it
INSTALL_OPTIONS = {"dpkg": ("-i", "--install", "-x", "--extract", "-X", "--vextract"), "rpm": ("-i", "-U", "-F", "--install", "--upgrade", "--freshen")}
# decompressors: they unpack the file named, and (but zstd) replace it with its content
DECOMPRESSORS = {"gunzip": "gunzip", "unxz": "unxz", "bunzip2": "bunzip2", "unzstd": "unzstd", "unlzma": "unlzma", "uncompress": "uncompress"}
DECOMPRESS_FLAGS = {"gzip": "gzip -d", "xz": "xz -d", "bzip2": "bzip2 -d", "zstd": "zstd -d", "lzma": "lzma -d", "pigz": "pigz -d"}
# what reads an archive on standard input and unpacks it
STREAM_UNPACKERS = frozenset({"tar", "bsdtar", "gunzip", "zcat", "unxz", "xzcat", "bunzip2", "bzcat", "unzstd", "zstdcat", "cpio", "funzip", "busybox"})
ARCHIVE_STREAMS = frozenset({"tar", "bsdtar", "cpio"})  # unpack into many files, not into one
EXECUTABLE_MODE_RE = lazy_compile(r"(?:[ugoa]*[+=][rwxXst]*x[rwxXst]*)(?:,.*)?|[0-7]*[1357][0-7]{0,2}")
FILE_INSTALLERS = frozenset({"pip", "uv pip", "npm", "gem"})  # language package tools that install a file they are given
BIN_FOLDERS = frozenset({"bin", "sbin"})
REDIRECTIONS = frozenset({">", ">>", ">|", "&>", "&>>"})
_BRACED_RE = lazy_compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Fetched:
    """A downloaded file, followed through the commands after the download (compared by
    identity: rules keep what they learn about it keyed by the object)."""

    __slots__ = ("written", "text", "path", "index", "got")

    def __init__(self, written: str, text: str, path: str | None, index: int, got: Download):
        self.written = written  # the file as written (`-o` value, URL basename), updated by `mv`
        self.text = text  # the same, with the variables dfslim knows substituted
        self.path = path  # absolute and normalised, when the directory is known
        self.index = index  # the command that downloaded it
        self.got = got  # that command's `Download`

    @property
    def name(self) -> str:
        return posixpath.basename(self.text)

    @property
    def in_bin(self) -> bool:
        """Whether it lies in a `bin`/`sbin` folder (`/usr/local/bin/tool`): a program."""
        return posixpath.basename(posixpath.dirname(self.path or self.text)) in BIN_FOLDERS


class Use(NamedTuple):
    """How one command uses a downloaded file."""

    kind: str  # "unpack", "install", "run" or "mark" (makes it executable)
    how: str  # the program, as messages name it (`tar`, `dpkg -i`, `sh`, `chmod +x`); "" when run by its path


def downloads_anything(instruction: Instruction) -> bool:
    """Whether a command of the RUN is a `curl`/`wget` download (a walk is then worth it)."""
    return any(download(command) is not None for command in instruction.script.commands)


def follow_downloads(instruction: Instruction, workdir: str | None):
    """Walk the commands of a RUN: yields (index, command, cwd, fetched) for each, where
    `fetched` lists the files earlier commands downloaded (their `mv`s applied). The files
    a command downloads join the list after its own step; a name dfslim cannot tell (`curl
    -J`, `wget --content-disposition`) is not followed."""
    commands = instruction.script.commands
    dirs = command_dirs(instruction, workdir)
    fetched: list[Fetched] = []
    written_dir = ""  # the folder as written by the last `cd` (`$TMP`), when it cannot be resolved
    for index, command in enumerate(commands):
        cwd = dirs[index]
        yield index, command, cwd, fetched
        words = unwrap(command)
        if fetched and words and words[0].text.rsplit("/", 1)[-1] == "mv":
            for item in fetched:
                _follow_move(instruction, commands, index, cwd, item)
        written_dir = _cd(command, written_dir)
        tool = words[0].text.rsplit("/", 1)[-1].lower() if words else ""
        got = download(command) if tool.startswith(("curl", "wget")) else None
        if got is None or got.unknown_output:
            continue
        for output in _outputs(commands, index, got):
            text = expanded(instruction, commands, index, output)
            if cwd is None and written_dir and not text.startswith("/"):
                text = posixpath.join(written_dir, text)  # `cd "$TMP" && wget URL`: `$TMP/file`
            path = resolve_path(text, cwd) if "$" not in text and "`" not in text else None
            if len(fetched) < MAX_TRACKED:
                fetched.append(Fetched(output, text, path, index, got))


def _outputs(commands, index: int, got: Download) -> list[str]:
    """The files a download writes: its own outputs, or the file its printed output is
    redirected to (`curl -fsSL URL > /usr/local/bin/tool`), or the file a decompressor it
    is piped into writes (`curl -fsSL URL | gunzip > /usr/local/bin/tool`)."""
    command = commands[index]
    found = [output for output in got.outputs if output != "-" and not output.startswith("/dev/")]
    if got.to_stdout and not command.piped_to:
        found += _written(command)
    elif got.to_stdout:
        consumer = pipe_consumer(commands, index)
        written = decompressed_to_file(consumer) if consumer is not None else ""
        found += [written] if written else []
    return found


def pipe_consumer(commands, index: int) -> Command | None:
    """The command `commands[index]` pipes its output into, else None."""
    if not commands[index].piped_to:
        return None
    later = next_in_line(commands, index)
    return later if later is not None and later.piped_from else None


def _written(command: Command) -> list[str]:
    """The files a command's standard output is redirected to."""
    return [word.text for operator, word in command.redirects if operator in REDIRECTIONS and not word.text.startswith("/dev/")]


def decompressed_to_file(command: Command) -> str:
    """The file a decompressor fed on standard input writes (`| gunzip > /usr/local/bin/tool`),
    else "": such a file is downloaded content, to follow like a download."""
    how = stream_use(command)
    if not how or how in ARCHIVE_STREAMS or command.piped_to:
        return ""
    return next(iter(_written(command)), "")


def _cd(command: Command, written_dir: str) -> str:
    """The folder a top-level `cd` moves to, as written (joined to the previous one)."""
    words = command.words
    if not words or words[0].text != "cd" or command.depth or command.piped_from or command.piped_to:
        return written_dir
    args = [w.text for w in words[1:] if not w.text.startswith("-")]
    if not args:
        return ""
    if not written_dir or args[0].startswith(("/", "$", "~")):
        return args[0]
    return posixpath.join(written_dir, args[0])


def names_file(instruction: Instruction, commands, index: int, cwd: str | None, text: str, item: Fetched) -> bool:
    """Whether `text`, a word of `commands[index]`, names the downloaded file (strictly: the
    same path, or the same words where a variable hides the folder)."""
    text = expanded(instruction, commands, index, text)
    if item.path is not None and "$" not in text:
        path = resolve_path(text, cwd)
        if path is not None:
            return path == item.path
    return normal(text) == normal(item.text)


def normal(text: str) -> str:
    """A path as written, `${NAME}` spelled `$NAME` and `a/./b` as `a/b`, for comparing."""
    text = _BRACED_RE.sub(r"$\1", text)
    return posixpath.normpath(text) if text else text


def _follow_move(instruction: Instruction, commands, index: int, cwd: str | None, item: Fetched) -> None:
    """`mv FILE DEST`: the download now lives at DEST (or DEST/FILE)."""
    args = [w.text for w in unwrap(commands[index])[1:] if not w.text.startswith("-")]
    if len(args) != 2 or not names_file(instruction, commands, index, cwd, args[0], item):
        return
    text = expanded(instruction, commands, index, args[1])
    written = args[1]
    if text.endswith("/") or resolve_path(text, cwd) in SYSTEM_DIRS:  # `mv tool /usr/local/bin`: into the folder
        text = text.rstrip("/") + "/" + posixpath.basename(item.text)
        written = written.rstrip("/") + "/" + posixpath.basename(item.text)
    item.text = text
    item.written = written
    item.path = resolve_path(text, cwd) if "$" not in text else None


def file_use(instruction: Instruction, commands, index: int, cwd: str | None, item: Fetched) -> Use | None:
    """How `commands[index]` uses the downloaded file, or None: unpacks it (`tar -x`,
    `unzip`, `7z`, `gunzip`, `xz -d`...), installs it (`dpkg -i`, `rpm -i`, `apt-get
    install ./x.deb`, `apk add x.apk`, `pip install x.whl`), runs it (`sh x.sh`, `python
    x.py`, `java -jar x.jar`, `. x.sh`, `./x`, `/path/x`, or its bare name once it lies in
    a `bin` folder) or makes it executable (`chmod +x`, `install -m 755`)."""
    words = unwrap(commands[index])
    if not words:
        return None
    program = words[0].text.rsplit("/", 1)[-1]
    args = [w.text for w in words[1:]]

    def same(text: str) -> bool:
        return names_file(instruction, commands, index, cwd, text, item)

    if program == "tar" or program == "bsdtar":
        return Use("unpack", program) if extracts(args) and any(same(a) or same(a.partition("=")[2]) for a in args) else None
    if program in UNPACKERS:
        return Use("unpack", UNPACKERS[program]) if any(same(a) for a in args) else None
    if program in PACKAGE_INSTALLERS:
        options = INSTALL_OPTIONS.get(program)
        if options is not None and not has_option(words[1:], *options):
            return None
        return Use("install", PACKAGE_INSTALLERS[program]) if any(same(a) for a in args) else None
    if program in DECOMPRESSORS or (program in DECOMPRESS_FLAGS and _decompresses(args)):
        how = DECOMPRESSORS.get(program) or DECOMPRESS_FLAGS[program]
        return Use("unpack", how) if any(same(a) for a in args if not a.startswith("-")) else None
    if program in ("chmod", "install"):
        how = f"chmod {_mode(program, args)}" if program == "chmod" else f"install -m {_mode(program, args)}"
        return Use("mark", how) if _marks_executable(program, args) and any(same(a) for a in args) else None
    if program in ("java", "javaw"):
        jar = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "-jar"), None)
        return Use("run", "java -jar") if jar is not None and same(jar) else None
    if program in (".", "source"):
        return Use("run", program) if args and same(args[0]) else None
    installed = _installed(commands[index])
    if installed and any(same(word.text) for word in installed):
        return Use("install", program if installed_packages(commands[index]) else f"{program} install")
    if program in SHELLS or INTERPRETERS_RE.fullmatch(program):
        script = next((a for a in args if not a.startswith("-")), None)
        if script is not None and "-c" not in args[: args.index(script)] and same(script):
            return Use("run", program)
        return None
    if "/" in words[0].text and same(words[0].text):
        return Use("run", "")
    if "/" not in words[0].text and item.in_bin and program == item.name:
        return Use("run", "")  # moved into the PATH, then run by name
    return None


def stream_use(command: Command) -> str:
    """What `command`, fed a download on standard input, unpacks it with (`tar`, `gunzip`,
    `xz -d`...), else ""."""
    words = unwrap(command)
    if not words:
        return ""
    program = words[0].text.rsplit("/", 1)[-1]
    args = [w.text for w in words[1:]]
    if program == "busybox" and args:
        program, args = args[0], args[1:]
    if program in ("tar", "bsdtar"):
        return program if extracts(args) else ""
    if program in STREAM_UNPACKERS and program != "busybox":
        return program
    if program in DECOMPRESS_FLAGS and _decompresses(args):
        return DECOMPRESS_FLAGS[program]
    return ""


def extracts(args) -> bool:
    """Whether `tar` arguments extract (`-x`, `--extract`, `xzf`, `-xzf`)."""
    if not args:
        return False
    first = args[0]
    if not first.startswith("-") and re.fullmatch(r"[A-Za-z]+", first):
        return "x" in first  # old style: `tar xzf file`
    return any(a in ("-x", "--extract", "--get") or (re.fullmatch(r"-[A-Za-z]+", a) and "x" in a) for a in args)


def _decompresses(args) -> bool:
    return any(a in ("-d", "--decompress", "--uncompress") or (re.fullmatch(r"-[A-Za-z0-9]+", a) and "d" in a) for a in args)


def _marks_executable(program: str, args) -> bool:
    mode = _mode(program, args)
    return bool(mode) and EXECUTABLE_MODE_RE.fullmatch(mode) is not None


def _mode(program: str, args) -> str:
    """The mode `chmod MODE` or `install -m MODE` sets ("" when none)."""
    if program == "chmod":
        return next((a for a in args if not a.startswith("-")), "")  # `chmod -x` takes it away: not a mode here
    for position, a in enumerate(args):
        if a in ("-m", "--mode") and position + 1 < len(args):
            return args[position + 1]
        if a.startswith("--mode="):
            return a[len("--mode=") :]
        if a.startswith("-m") and len(a) > 2:
            return a[2:]
    return ""


def _installed(command: Command):
    """The packages a system package manager, pip, npm or gem installs (a downloaded
    `x.deb`, `x.whl`, `x.tgz`, `x.gem` among them)."""
    found = installed_packages(command)
    if found:
        return found
    call = tool_call(command)
    if call is not None and call.name in FILE_INSTALLERS and call.action == "install":
        return call.packages
    return ()
