"""What a `curl` or `wget` command fetches and where it puts it."""


from typing import NamedTuple

from dfslim.model import Command, Word
from dfslim.shell import command_memo, unwrap
from dfslim.tools import curl, wget


class Download(NamedTuple):
    """What a `curl` or `wget` command fetches and where it puts it."""

    tool: str  # "curl" or "wget"
    urls: tuple[Word, ...]  # the URL arguments
    outputs: tuple[str, ...]  # the files written, as written (`-o`, `-O`, `-P`, `--output-dir` applied); "-" is stdout
    options: tuple[str, ...]  # the options given, one name each: `-fsSLk` -> "-f", "-s", "-S", "-L", "-k"
    values: tuple[tuple[str, str], ...]  # (option, value) for the options that take one
    unknown_output: bool = False  # saved under a name that cannot be told (`-J`, `--content-disposition`, `-r`, `-i`)

    @property
    def to_stdout(self) -> bool:
        return "-" in self.outputs


@command_memo
def download(command: Command) -> Download | None:
    """The `Download` of a `curl`/`wget` command (wrappers such as `sudo` skipped), else None."""
    words = unwrap(command)
    if not words:
        return None
    tool = words[0].text.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower().removesuffix(".exe")  # `curl.exe` on Windows
    if tool not in ("curl", "wget"):
        return None
    short_values, long_values = (curl.SHORT_VALUES, curl.LONG_VALUES) if tool == "curl" else (wget.SHORT_VALUES, wget.LONG_VALUES)
    urls: list[Word] = []
    options: list[str] = []
    values: list[tuple[str, str]] = []
    index, only_args = 1, False
    while index < len(words):
        text = words[index].text
        index += 1
        if text == "-" and not only_args:
            continue
        if only_args or not text.startswith("-"):
            urls.append(words[index - 1])
            continue
        if text == "--":
            only_args = True
        elif text.startswith("--"):
            name, equals, value = text.partition("=")
            options.append(name)
            if equals:
                values.append((name, value))
            elif name in long_values and index < len(words):
                values.append((name, words[index].text))
                index += 1
        else:
            for position in range(1, len(text)):
                name = "-" + text[position]
                options.append(name)
                if text[position] in short_values:
                    value = text[position + 1 :]
                    if not value and index < len(words):
                        value = words[index].text
                        index += 1
                    values.append((name, value))
                    break
    for name, value in values:
        if name == "--url":
            urls.append(Word(value, command.start, command.end))
    outputs, unknown = (curl.outputs if tool == "curl" else wget.outputs)(urls, options, dict(values))
    return Download(tool, tuple(urls), tuple(outputs), tuple(options), tuple(values), unknown)

