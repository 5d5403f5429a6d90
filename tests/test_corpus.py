"""Every real Dockerfile of the shared corpus lints without a file error or an exception."""

from __future__ import annotations

import pytest

from conftest import SHARED
from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse_bytes
from dfslim.registry import all_rules

CORPUS = SHARED / "corpus" / "files"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside this checkout")
def test_every_corpus_file_lints():
    rules = Settings(select=("all",)).rules()
    assert len(rules) == len(all_rules())
    files = sorted(CORPUS.glob("*.Dockerfile"))
    assert len(files) >= 3000
    failures = []
    for path in files:
        try:
            lint(parse_bytes(path.read_bytes(), str(path)), rules)
        except Exception as error:  # noqa: BLE001 - any exception is a failure to report
            failures.append(f"{path.name}: {type(error).__name__}: {error}")
    assert failures == []
