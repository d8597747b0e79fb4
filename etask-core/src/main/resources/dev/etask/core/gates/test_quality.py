"""Finds tests that cannot fail: test functions with no assertion, or only tautological ones.

Usage: python test_quality.py FILE...   Prints JSON: {"weak": ["path::test_name: reason", ...]}.
An assertion is an `assert` statement, `pytest.raises`/`pytest.warns`/`pytest.fail`, a
`self.assert*`/`self.fail` call, or a mock's `assert_*` method. An assert is tautological when its
test is a constant (`assert True`, `assert 1`) or compares an expression with itself."""
import ast
import json
import sys

ASSERTING_CALLS = {"raises", "warns", "fail", "approx_equal", "deprecated_call"}


def is_constant(node):
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return is_constant(node.operand)
    return False


def tautological(test):
    if is_constant(test):
        return True
    if isinstance(test, ast.Compare) and len(test.comparators) == 1:
        left, right = test.left, test.comparators[0]
        if ast.dump(left) == ast.dump(right):
            return True
        if is_constant(left) and is_constant(right):
            return True
    return False


def verdict(func):
    asserts = 0
    real = 0
    for node in ast.walk(func):
        if isinstance(node, ast.Assert):
            asserts += 1
            if not tautological(node.test):
                real += 1
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in ASSERTING_CALLS or name.startswith("assert"):
                asserts += 1
                real += 1
    if asserts == 0:
        return "no assertion"
    if real == 0:
        return "only tautological assertions"
    return None


def tests_in(tree):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"):
                    yield node.name + "::" + item.name, item


def main(paths):
    weak = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read(), path)
        except (OSError, SyntaxError, ValueError):
            continue  # the test run reports files that do not parse
        for name, func in tests_in(tree):
            reason = verdict(func)
            if reason:
                weak.append(path + "::" + name + ": " + reason)
    print(json.dumps({"weak": weak}))


if __name__ == "__main__":
    main(sys.argv[1:])
