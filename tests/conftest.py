"Shared helpers for the integration tests."
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bin_dir() -> Path:
    "The folder of the running Python's console scripts (where `video2lora` is installed)."
    return Path(sys.executable).parent
