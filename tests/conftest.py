"""Shared fixtures: where ../shared is, and skipping cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder beside the repository; skips the test when it is absent."""
    if not (SHARED / "data" / "snemi3d").is_dir():
        pytest.skip(f"needs the shared SNEMI3D data at {SHARED} (absent in a fresh clone)")
    return SHARED


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and other files a person should look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
