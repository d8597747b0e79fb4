"""Writes a good test with its imports in the wrong order and one it does not use."""
from pathlib import Path

Path("tests/test_pricing_messy.py").write_text(
    "from shop.pricing import classify\n"
    "import os\n"
    "import pytest\n\n\n"
    "def test_few_is_below_ten() -> None:\n"
    '    assert classify(3) == "few"\n\n\n'
    "def test_negative_quantity_is_refused() -> None:\n"
    "    with pytest.raises(ValueError):\n"
    "        classify(-1)\n"
)
