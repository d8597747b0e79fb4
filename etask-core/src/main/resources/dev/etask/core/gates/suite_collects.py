"""etask's check of which new test files the repository's own test run collects, run with the
task's venv Python in the clone's root:

  suite_collects.py OUT FILE... -- PYTEST_ARGS...
      Writes {"collected": [FILE...]} to OUT: the FILEs that `pytest PYTEST_ARGS` with no paths
      (so the project's testpaths, python_files, norecursedirs and collect_ignore decide) collects
      at least one test from. Only the folders that lead to a FILE are entered, so the rest of the
      suite is neither imported nor collected."""
import json
import os
import sys


def main():
    split = sys.argv.index("--")
    out = sys.argv[1]
    files = sys.argv[2:split]
    wanted = {os.path.realpath(f): f for f in files}
    sys.path[0] = os.getcwd()  # as `python -m pytest` has it
    import pytest

    found = set()

    class Prune:
        @pytest.hookimpl(tryfirst=True)
        def pytest_ignore_collect(self, collection_path):
            where = os.path.realpath(str(collection_path))
            if any(f == where or f.startswith(where + os.sep) for f in wanted):
                return None  # pytest's own rules decide
            return True

        def pytest_collection_modifyitems(self, items):
            for item in items:
                found.add(os.path.realpath(str(item.path)))

    pytest.main(sys.argv[split + 1 :] + ["--collect-only", "-q"], plugins=[Prune()])
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"collected": sorted(wanted[p] for p in wanted if p in found)}, f)


if __name__ == "__main__":
    main()
