"""Fixtures: a fresh site folder per test (see sitekit.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sitekit import SiteMaker

# Every build in the tests also works out each page's context the slow way, and fails where the
# plan's shortcut (reusing the last build's contexts when the site's shape is the same) would differ.
os.environ["ARSHIF_CHECK_PLAN"] = "1"


@pytest.fixture
def site(tmp_path: Path) -> SiteMaker:
    return SiteMaker(tmp_path / "site")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[[str], SiteMaker]:
    return lambda name: SiteMaker(tmp_path / name)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright; a missing browser fails the run instead of skipping."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `apt-get install chromium` (CI's .ci/run does)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()
