"""The RFC 7643 and RFC 7644 example documents, for tests."""

from __future__ import annotations

import json
import pathlib

from typing import Any


SAMPLES = pathlib.Path(__file__).parent / "rfc_samples"


def load_sample(name: str) -> Any:
    """Return an RFC example document by its file name, without ``.json``."""
    return json.loads((SAMPLES / f"{name}.json").read_text())
