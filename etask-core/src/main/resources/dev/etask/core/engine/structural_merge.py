"""etask's structural merge of a Python test file that both a task and its moving base changed, run
with the task's venv Python (it only parses; nothing of the files runs):

  structural_merge.py BASE UPSTREAM TASK OUT
      BASE is the file where the task started, UPSTREAM the base's version now, TASK the task's.
      Writes to OUT the upstream file plus what the task added at the top level (functions,
      classes, fixtures, with their decorators and the comments right above them) and the imports
      those need, before an `if __name__ == "__main__":` block at its end; a definition the task
      added under a name upstream uses too is kept under a new name (test_x -> test_x_2). Prints
      one JSON line: {"added": [...], "renamed": {old: new}, "imports": [...]}.
      Exits 1, saying why, when the task changed or removed what BASE had (that is not a union),
      when a file does not parse, or when the result would not parse: the caller then drops the
      task's change to the file. A union of lines is never written."""
import ast
import json
import re
import sys


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def key(node, source):
    """What identifies a top-level statement: a definition's name, else its source."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return ("def", node.name)
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        return ("assign", tuple(t.id for t in node.targets))
    return ("stmt", ast.get_source_segment(source, node))


def segment(node, source, lines):
    """The statement's source with its decorators and the comment lines right above it."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    while first > 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return "".join(lines[first - 1:node.end_lineno])


def is_main_block(node):
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test))


def fail(why):
    print(why)
    sys.exit(1)


def main():
    base_path, upstream_path, task_path, out = sys.argv[1:5]
    texts = [read(p) for p in (base_path, upstream_path, task_path)]
    try:
        base, upstream, task = (ast.parse(t) for t in texts)
    except SyntaxError as e:
        fail("a version does not parse: %s" % e)
    base_src, up_src, task_src = texts
    base_keys = {key(n, base_src): ast.get_source_segment(base_src, n) for n in base.body}
    task_keys = {key(n, task_src): n for n in task.body}
    for k, src in base_keys.items():
        node = task_keys.get(k)
        if node is None and k[0] != "stmt":
            fail("the task removed %s" % k[1])
        if node is not None and ast.get_source_segment(task_src, node) != src and k[0] == "def":
            fail("the task changed %s, which it did not add" % k[1])
    up_names = {n.name for n in ast.walk(upstream)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    up_names |= {t.id for n in upstream.body if isinstance(n, ast.Assign)
                 for t in n.targets if isinstance(t, ast.Name)}
    up_imports = {ast.unparse(n) for n in upstream.body if isinstance(n, (ast.Import, ast.ImportFrom))}
    task_lines = task_src.splitlines(keepends=True)
    imports, added, renamed, names = [], [], {}, []
    for node in task.body:
        k = key(node, task_src)
        if k in base_keys:
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if ast.unparse(node) not in up_imports:
                imports.append(segment(node, task_src, task_lines))
            continue
        if is_main_block(node):
            continue  # upstream's own, or none: never two
        text = segment(node, task_src, task_lines)
        if k[0] == "def" and k[1] in up_names:
            new, n = k[1], 2
            while new in up_names or new in renamed.values():
                new, n = "%s_%d" % (k[1], n), n + 1
            text = re.sub(r"((?:async\s+)?(?:def|class)\s+)%s\b" % re.escape(k[1]), r"\g<1>" + new,
                          text, count=1)
            renamed[k[1]] = new
        elif k in {key(n, up_src) for n in upstream.body}:
            continue  # the same statement upstream has
        added.append(text)
        if k[0] == "def":
            names.append(renamed.get(k[1], k[1]))
    newline = "\r\n" if "\r\n" in up_src else "\n"
    body = up_src if up_src.endswith(("\n", "\r")) or not up_src else up_src + newline
    up_lines = body.splitlines(keepends=True)
    if imports:
        last = max((n.end_lineno for n in upstream.body if isinstance(n, (ast.Import, ast.ImportFrom))),
                   default=0)
        if last == 0 and upstream.body and isinstance(upstream.body[0], ast.Expr) \
                and isinstance(getattr(upstream.body[0], "value", None), ast.Constant):
            last = upstream.body[0].end_lineno  # after the module's docstring
        up_lines[last:last] = [i if i.endswith(("\n", "\r")) else i + newline for i in imports]
    tail = []
    main_block = upstream.body[-1] if upstream.body and is_main_block(upstream.body[-1]) else None
    if main_block is not None:
        start = main_block.lineno - 1 + len(imports)
        tail = up_lines[start:]
        up_lines = up_lines[:start]
        while up_lines and not up_lines[-1].strip():
            up_lines.pop()
    merged = "".join(up_lines)
    for text in added:
        merged = merged.rstrip("\r\n") + newline * 3 + text.rstrip("\r\n") + newline
    if tail:
        merged = merged.rstrip("\r\n") + newline * 3 + "".join(tail)
    try:
        ast.parse(merged)
    except SyntaxError as e:
        fail("the union does not parse: %s" % e)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(merged)
    print(json.dumps({"added": names, "renamed": renamed, "imports": [i.strip() for i in imports]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
