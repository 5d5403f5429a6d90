"""The shell front end: a RUN's script as simple commands with exact source offsets.

`tokenizer` splits shell text into `Command`s of `Word`s; `script` builds a RUN's commands
from its shell form, exec form, heredoc bodies and `sh -c` strings; `commands` answers
questions about one command's argv (the program behind `sudo`/`env`, options, the commands
nested in its words). Nothing here knows a package manager: that is `dfslim.tools`.
"""

from dfslim.shell.commands import (
    SHELLS,
    WRAPPERS,
    at_level,
    command_memo,
    find_exec,
    has_option,
    next_in_line,
    option_value,
    subcommand,
    substitutions,
    unwrap,
)
from dfslim.shell.script import inline_script, script_of
from dfslim.shell.tokenizer import ASSIGNMENT_RE, LEADING_KEYWORDS, SKIPPED_COMMANDS, tokenize

__all__ = [
    "ASSIGNMENT_RE", "LEADING_KEYWORDS", "SHELLS", "SKIPPED_COMMANDS", "WRAPPERS", "at_level", "command_memo",
    "find_exec", "has_option", "inline_script", "next_in_line", "option_value", "script_of", "subcommand", "substitutions", "tokenize",
    "unwrap",
]
