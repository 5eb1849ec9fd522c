"""Byte-identical results: each case's output files and contact records match the pinned hashes.

``hashes.json`` was written by ``golden.py`` before the package was restructured. PNG bytes
depend on matplotlib's version, so figures are compared only under the version that pinned them.
"""

from __future__ import annotations

import json

import matplotlib
import pytest

from .golden import CASES, HASHES, case_hashes

PINNED = json.loads(HASHES.read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_outputs_and_records_are_unchanged(name, tmp_path):
    expected = dict(PINNED["cases"][name])
    got = case_hashes(name, tmp_path / name)
    if matplotlib.__version__ != PINNED["matplotlib"]:
        expected = {k: v for k, v in expected.items() if not k.endswith(".png")}
        got = {k: v for k, v in got.items() if not k.endswith(".png")}
    assert got == expected


def test_every_case_is_pinned():
    assert sorted(PINNED["cases"]) == sorted(CASES)
