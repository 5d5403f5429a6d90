"""What `dfslim measure` shows while it builds: on a terminal one status line rewritten in
place (what it does, the builder's current step, the time taken); otherwise a plain line
per phase and per step, for CI logs. It writes to standard error: standard output
carries the report."""

from __future__ import annotations

import time
from typing import TextIO

from dfslim.regex import lazy_compile

# `[2/2] STEP 3/12: RUN ...` (buildah, podman), `#7 [build 2/4] RUN ...` (BuildKit plain),
# `Step 3/12 : RUN ...` (classic docker)
STEP_RES = (
    lazy_compile(r"^(?:\[\d+/\d+\]\s+)?STEP\s+(\d+/\d+):\s*(.*)$"),
    lazy_compile(r"^#\d+\s+\[(?:[^\]\s]+\s+)?(\d+/\d+)\]\s+(.*)$"),
    lazy_compile(r"^Step\s+(\d+/\d+)\s*:\s*(.*)$"),
)
CLEAR_LINE = "\r\x1b[2K"
STATUS_WIDTH = 100


def step_of(line: str) -> str | None:
    """`3/12 RUN apt-get update ...` when the builder's line starts a step, else None."""
    for pattern in STEP_RES:
        match = pattern.match(line.strip())
        if match:
            return f"{match.group(1)} {' '.join(match.group(2).split())}"
    return None


def elapsed(seconds: float) -> str:
    """`42 s`, `3 min 05 s`."""
    seconds = int(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


class Progress:
    def __init__(self, stream: TextIO, live: bool, width: int = STATUS_WIDTH, clock=time.monotonic):
        self.stream = stream
        self.live = live  # a terminal: one line, rewritten
        self.width = width
        self.clock = clock
        self.phase_text = ""
        self.step_text = ""
        self.started = clock()
        self.phase_started = self.started
        self.shown = ""

    def phase(self, text: str) -> None:
        self.phase_text, self.step_text = text, ""
        self.phase_started = self.clock()
        if self.live:
            self.tick()
        else:
            self._line(text)

    def step(self, line: str) -> None:
        """A line of the builder's output: shown when it starts a step."""
        step = step_of(line)
        if step is None or step == self.step_text:
            return
        self.step_text = step
        if self.live:
            self.tick()
        else:
            self._line(f"  step {step}"[: self.width * 2])

    def tick(self) -> None:
        """Rewrite the status line (the time moves on even when the builder is quiet)."""
        if not self.live:
            return
        text = f"{self.phase_text} ({elapsed(self.clock() - self.phase_started)})"
        if self.step_text:
            text += f": {self.step_text}"
        text = text[: self.width - 1]
        if text != self.shown:
            self.stream.write(CLEAR_LINE + text)
            self.stream.flush()
            self.shown = text

    def clear(self) -> None:
        if self.live and self.shown:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.shown = ""

    def _line(self, text: str) -> None:
        self.stream.write(f"dfslim: {text}\n")
        self.stream.flush()
