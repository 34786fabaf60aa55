"""Fixtures: a fresh site folder per test (see sitekit.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.sitekit import SiteMaker


@pytest.fixture
def site(tmp_path: Path) -> SiteMaker:
    return SiteMaker(tmp_path / "site")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[[str], SiteMaker]:
    return lambda name: SiteMaker(tmp_path / name)
