"""What a RUN does with the files it downloads (`dfslim.fetched`), and the system
packages it installs and keeps (`dfslim.effects.packages_kept`)."""

from __future__ import annotations

from dfslim.effects import packages_kept
from dfslim.fetched import file_use, follow_downloads, stream_use
from dfslim.parser import parse


def run_of(text: str):
    df = parse("FROM debian\n" + text)
    return next(df.of("RUN"))


def walk(text: str, workdir: str | None = "/build"):
    """(command index, argv, [(file as written, path) of the downloads before it], use of each)."""
    instruction = run_of(text)
    commands = instruction.script.commands
    steps = []
    for index, command, cwd, fetched in follow_downloads(instruction, workdir):
        files = [(item.written, item.path) for item in fetched]
        uses = [file_use(instruction, commands, index, cwd, item) for item in fetched]
        steps.append((index, command.argv[0], files, [(u.kind, u.how) if u else None for u in uses]))
    return steps


def test_downloads_are_followed_through_moves_into_the_path():
    steps = walk("RUN curl -fsSLO https://x/helm && mv helm /usr/local/bin && chmod +x /usr/local/bin/helm && helm version")
    assert steps[1][2] == [("helm", "/build/helm")]  # before the mv
    assert steps[2] == (2, "chmod", [("/usr/local/bin/helm", "/usr/local/bin/helm")], [("mark", "chmod +x")])
    assert steps[3][3] == [("run", "")]  # run by its bare name, now in the PATH


def test_printed_output_redirected_or_decompressed_into_a_file_is_a_download():
    steps = walk("RUN curl -fsSL https://x/tool > /usr/local/bin/tool && sh /usr/local/bin/tool")
    assert steps[1][2:] == ([("/usr/local/bin/tool", "/usr/local/bin/tool")], [("run", "sh")])
    steps = walk("RUN wget -qO- https://x/dasel.gz | gzip -d > /usr/local/bin/dasel && chmod 755 /usr/local/bin/dasel")
    assert steps[2][2:] == ([("/usr/local/bin/dasel", "/usr/local/bin/dasel")], [("mark", "chmod 755")])


def test_what_counts_as_a_use():
    uses = {
        "tar -C /opt -xzf a": ("unpack", "tar"),
        "unzip -q a -d /opt": ("unpack", "unzip"),
        "gunzip a": ("unpack", "gunzip"),
        "dpkg -i a": ("install", "dpkg -i"),
        "apt-get install -y ./a": ("install", "apt-get"),
        "pip install --no-cache-dir a": ("install", "pip install"),
        "java -jar a --help": ("run", "java -jar"),
        ". ./a": ("run", "."),
        "./a --silent": ("run", ""),
        "install -m 0755 a /usr/local/bin/a": ("mark", "install -m 0755"),
        "chmod u+x a": ("mark", "chmod u+x"),
        "chmod 644 a": None,
        "tar -tzf a": None,
        "rpm -qp a": None,
        "cat a": None,
    }
    for command, expected in uses.items():
        steps = walk(f"RUN curl -fsSLo a https://x/a && {command}")
        assert steps[1][3] == [expected], command


def test_an_unpacker_fed_on_standard_input():
    instruction = run_of("RUN curl -fsSL https://x/a | tar -xz; curl https://x/b | gpg --dearmor; curl https://x/c | busybox tar x")
    commands = instruction.script.commands
    assert [stream_use(command) for command in commands] == ["", "tar", "", "", "", "tar"]


def test_packages_kept_are_those_no_later_command_removes():
    instruction = run_of(
        "RUN apt-get install -y vim gdb curl && apt-get purge -y gdb"
        " && apk add --virtual .dbg strace && apk del .dbg"
        " && apt-mark auto htop && apt-get install -y htop && apt-get autoremove -y"
    )
    wanted = {"vim", "gdb", "strace", "htop"}.__contains__
    assert packages_kept(instruction, wanted) == {"vim": ("apt", 0), "htop": ("apt", 5)}
