"""What a `dfslim measure` run found: the records `command` fills and `report` prints."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from dfslim.measure.archive import Image
from dfslim.measure.builders import Builder
from dfslim.measure.matching import Alignment, Row
from dfslim.measure.waste import Waste
from dfslim.model import Dockerfile


class Built(NamedTuple):
    dockerfile: Dockerfile
    image: Image
    alignment: Alignment


class WasteLine(NamedTuple):
    """A cross-layer waste figure with the instructions behind it."""

    waste: Waste
    writer: str  # "line 3 COPY data /app/data", or "the base image"
    hider: str
    writer_line: int | None  # None: a base image layer
    hider_line: int | None
    explained_by: tuple[str, ...]  # WASTE_RULES with a finding at the hiding instruction


class Measurement(NamedTuple):
    path: str
    context: str
    builder: Builder
    builder_version: str
    unsafe: bool
    applied: Counter  # rule -> fixes applied
    before: Built
    after: Built | None  # None: no fix changed the file
    rows: list[Row]
    rebuilt: int  # bytes the unchanged instructions' layers differ by
    waste_before: list[WasteLine]
    waste_after: list[WasteLine] | None
    seconds: float
