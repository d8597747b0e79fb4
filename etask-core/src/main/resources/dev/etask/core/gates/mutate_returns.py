"""Mutation smoke check: rewrites a module so every `return <value>` returns None instead.

Usage: python mutate_returns.py FILE   (rewrites FILE in place; the caller restores it)
Prints JSON {"mutated": N}: how many return statements were changed. Tests that still pass against the
mutant do not check what the module returns."""
import ast
import json
import sys


class Returns(ast.NodeTransformer):
    def __init__(self):
        self.count = 0

    def visit_Return(self, node):
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            self.count += 1
            return ast.copy_location(ast.Return(value=ast.Constant(value=None)), node)
        return node


def main(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    t = Returns()
    tree = ast.fix_missing_locations(t.visit(tree))
    if t.count:
        with open(path, "w", encoding="utf-8") as f:
            f.write(ast.unparse(tree) + "\n")
    print(json.dumps({"mutated": t.count}))


if __name__ == "__main__":
    main(sys.argv[1])
