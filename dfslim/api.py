"""What rule modules import: the model, the helpers of every layer below, and the types
a rule yields. This module only gathers them; nothing it imports imports it.

A rule module has a docstring (its documentation, with the headings `What it does`,
`Why is this bad?`, `Example` and `Use instead`), a `META = Meta(...)` and a
`check(dockerfile)` generator of `Violation`s. It does no I/O and keeps no global state.

The layers, bottom up: `dfslim.model` (instructions, stages, words, commands, edits) and
`dfslim.values`; `dfslim.shell` (a RUN's commands) and `dfslim.parser`; `dfslim.tools`
(what each package tool is, and `tool_call`); `dfslim.graph` (stages, targets, what a
stage inherits); `dfslim.effects` (what a RUN or COPY does to files and variables);
`dfslim.edits` (fixes and suggestions); `dfslim.sizes` (what a size finding's fix saves,
from the package tables and the build context).
"""


import enum
from typing import NamedTuple

from dfslim.edits import append_at_end, cleanup_commands, insert_option, spell, spell_call
from dfslim.effects import (
    UNKNOWN_WORKDIR,
    Caches,
    CopyWrites,
    Removals,
    apt_lists_reused,
    apt_recommends,
    build_context,
    cache_mounted,
    caches_kept,
    clears_apt_lists,
    command_dirs,
    copy_paths,
    copy_writes,
    created_paths,
    env_selects,
    env_value,
    expanded,
    fetches_apt_lists,
    home_paths,
    is_rm,
    last_index,
    mounts,
    package_names,
    packages_kept,
    path_below,
    piped_into_shell,
    recommends_off,
    removes,
    resolve_path,
    tool_paths,
    trigger_workdirs,
    workdirs,
)
from dfslim.fetched import INTERPRETERS_RE, Fetched, Use, decompressed_to_file, downloads_anything, file_use, follow_downloads, names_file, normal, pipe_consumer, stream_use
from dfslim.graph import (
    BuildGraph,
    build_graph,
    earlier_in_lineage,
    non_shipping,
    posix_shell,
    posix_shells,
    runs_as_root,
    shell_in_effect,
    shell_program,
    ships,
    user_in_effect,
)
from dfslim.purpose import build_environment, dev_dockerfile, dev_image, dev_target, image_command
from dfslim.model import KNOWN_INSTRUCTIONS, Command, Comment, Dockerfile, Edit, Fix, Flag, Heredoc, Instruction, ParseError, Script, Stage, Word
from dfslim.shell import (
    LEADING_KEYWORDS,
    SHELLS,
    SKIPPED_COMMANDS,
    at_level,
    find_exec,
    has_option,
    inline_script,
    next_in_line,
    option_value,
    subcommand,
    substitutions,
    tokenize,
    unwrap,
)
from dfslim.sizes import (
    base_image_packages,
    copied_bytes,
    context_path,
    debian_release,
    dev_dependencies_bytes,
    kept_saving,
    lastlog_writes,
    pip_cache_saving,
    recommends_saving,
)
from dfslim.tools import (
    INSTALLING,
    Tool,
    ToolCall,
    declared_tools,
    dev_name,
    family_tools,
    installed_packages,
    package_name,
    program_names,
    removed_packages,
    setting_matches,
    tool_action,
    tool_call,
)
from dfslim.tools.download import Download, download
from dfslim.tools.urls import is_loopback, url_basename, url_host
from dfslim.values import arg_span, arg_words, assignments, expand, split_words, unquote

__all__ = [
    "CATEGORIES", "INSTALLING", "INTERPRETERS_RE", "KNOWN_INSTRUCTIONS", "LEADING_KEYWORDS",
    "SHELLS", "SKIPPED_COMMANDS", "UNKNOWN_WORKDIR", "BuildGraph", "Caches", "Command", "Comment",
    "CopyWrites", "Dockerfile", "Download", "Edit", "Fetched", "Fix", "Flag", "Heredoc",
    "Instruction", "Meta", "ParseError", "Removals", "Script", "Severity", "Stage", "Tool",
    "ToolCall", "Use", "Violation", "Word", "append_at_end", "apt_lists_reused", "apt_recommends", "arg_span",
    "arg_words", "assignments", "at_level", "base_image_packages", "build_environment", "build_graph", "cache_mounted",
    "build_context", "caches_kept", "cleanup_commands", "clears_apt_lists", "command_dirs", "context_path", "copied_bytes", "copy_paths",
    "copy_writes", "created_paths", "debian_release", "declared_tools", "decompressed_to_file", "dev_dependencies_bytes", "dev_dockerfile",
    "dev_image", "dev_name", "dev_target", "download", "downloads_anything", "earlier_in_lineage",
    "env_selects", "env_value", "expand", "expanded", "family_tools", "fetches_apt_lists",
    "file_use", "find_exec", "follow_downloads", "has_option", "home_paths", "inline_script", "image_command",
    "insert_option", "installed_packages", "is_loopback", "is_rm", "kept_saving", "last_index", "lastlog_writes", "mounts",
    "names_file", "next_in_line", "non_shipping", "normal", "option_value", "package_name",
    "package_names", "packages_kept", "path_below", "pipe_consumer", "pip_cache_saving", "piped_into_shell",
    "posix_shell", "posix_shells", "program_names", "recommends_off", "recommends_saving", "removed_packages", "removes", "resolve_path",
    "runs_as_root", "setting_matches", "shell_in_effect", "shell_program", "ships", "spell", "spell_call",
    "split_words", "stream_use", "subcommand", "substitutions", "tokenize", "tool_action",
    "tool_call", "tool_paths", "trigger_workdirs", "unquote", "unwrap", "url_basename", "url_host",
    "user_in_effect", "workdirs",
]

CATEGORIES = ("size", "security", "correctness")


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


class Violation(NamedTuple):
    """What a rule yields; the engine adds the rule, severity, path and position."""

    instruction: Instruction  # the instruction the finding points at
    message: str  # what is wrong
    suggestion: str  # what to do, concretely
    fix: Fix | None = None
    savings_bytes: int | None = None
    severity: Severity | None = None  # overrides the rule's default for this finding
    mask: tuple[tuple[int, int], ...] = ()  # source ranges (secrets) outputs must not show
    focus: tuple[int, int] | None = None  # source range of the command or word that triggered it
    # the build targets the finding is about, when fewer than all those whose image holds
    # the instruction's stage (a root USER in a stage that two targets build FROM, one of
    # which sets its own user); None: all of them
    targets: tuple[Stage, ...] | None = None


class Meta(NamedTuple):
    id: str  # "DFS103": stable forever
    name: str  # "apt-lists-kept"
    category: str  # size | security | correctness
    severity: Severity
    scope: str = "all"  # "final": only stages that ship; "all": every stage
    fix: str | None = None  # "safe", "unsafe" or None
    enabled: bool = True  # False: off unless selected by id or name
    others: tuple[str, ...] = ()  # the same rule in other linters, e.g. ("hadolint DL3009",)

    @property
    def buildkit_checks(self) -> tuple[str, ...]:
        """The BuildKit checks this rule stands for (`JSONArgsRecommended`)."""
        return tuple(other.split(None, 1)[1] for other in self.others if other.startswith("BuildKit ") and " " in other)

    @property
    def hadolint_codes(self) -> tuple[str, ...]:
        codes = []
        for other in self.others:
            if other.startswith("hadolint "):
                for code in other[len("hadolint ") :].replace("/", " ").split():
                    codes.append(code if code.startswith("DL") else "DL" + code)
        return tuple(codes)
