"""The benchmark's generator, the same for the shell flow and etask: for a module path such as
src/click/core.py it writes tests/test_etask_core.py, one passing test that imports the module."""
import os
import sys

path = sys.argv[1]
parts = path[:-3].split("/")
if parts[0] == "src":
    parts = parts[1:]
module = ".".join(parts)
stem = parts[-1].lstrip("_")
os.makedirs("tests", exist_ok=True)
with open(os.path.join("tests", "test_etask_%s.py" % stem), "w", encoding="utf-8") as f:
    f.write(
        "import importlib\n\n\n"
        "def test_%s_imports():\n"
        "    module = importlib.import_module(%r)\n"
        "    assert module.__name__ == %r\n" % (stem, module, module)
    )
