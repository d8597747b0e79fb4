"""etask's rewrite of logging calls into one style, for what ruff's G and LOG rules find and do not
fix themselves; run after `ruff check --fix --select G,LOG`, in the clone's root:

  logging_normalize.py FILE...
      In each logging call (logger.info(...), logging.warning(...), log.log(level, ...)) the
      message becomes a constant %-style format with its values as arguments, so they are only
      formatted when the record is emitted: an f-string (G004), str.format() (G001) and a
      %-formatted string (G002) are rewritten; anything it cannot rewrite exactly (format specs
      it does not know, a message built with +) is left for ruff's check to report. Only the
      call's own source text changes; the rest of the file keeps its bytes."""
import ast
import re
import string
import sys

LEVELS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal"}
LOGGER = re.compile(r"(?i)(^|_)(log|logger|logging)$|^_?log(ger)?_?\w*$")
SPEC = re.compile(r"^\.?\d*[dfsegxr%]?$|^$")


def receiver(call):
    f = call.func
    if not isinstance(f, ast.Attribute) or f.attr not in LEVELS | {"log"}:
        return False
    name = f.value.attr if isinstance(f.value, ast.Attribute) else getattr(f.value, "id", "")
    return bool(LOGGER.search(name or ""))


def root_logger(call):
    """logging.info(...) and its kin: a call on the root logger (LOG015)."""
    f = call.func
    return (isinstance(f, ast.Attribute) and f.attr in LEVELS | {"log"}
            and isinstance(f.value, ast.Name) and f.value.id == "logging")


def escape(text):
    return text.replace("%", "%%")


def from_fstring(node):
    fmt, args = [], []
    for part in node.values:
        if isinstance(part, ast.Constant):
            fmt.append(escape(part.value))
        elif isinstance(part, ast.FormattedValue):
            spec = ast.unparse(part.format_spec)[2:-1] if part.format_spec else ""
            if part.format_spec and not SPEC.match(spec):
                return None
            kind = {-1: "s", 115: "s", 114: "r", 97: "a"}[part.conversion]
            if spec:
                kind = spec if spec[-1] in "dfsegxr" else spec + "s"
            fmt.append("%" + kind)
            args.append(ast.unparse(part.value))
    return "".join(fmt), args


def from_format(call):
    """'a {} {name}'.format(x, name=y) -> ('a %s %s', ['x', 'y'])."""
    template = call.func.value.value
    positional = [ast.unparse(a) for a in call.args]
    named = {k.arg: ast.unparse(k.value) for k in call.keywords if k.arg}
    if any(isinstance(a, ast.Starred) for a in call.args) or len(named) != len(call.keywords):
        return None
    fmt, args, auto = [], [], 0
    for literal, field, spec, conversion in string.Formatter().parse(template):
        fmt.append(escape(literal))
        if field is None:
            continue
        if spec and not SPEC.match(spec):
            return None
        if field == "":
            field, auto = str(auto), auto + 1
        if field.isdigit() and int(field) < len(positional):
            args.append(positional[int(field)])
        elif field in named:
            args.append(named[field])
        else:
            return None
        kind = spec if spec and spec[-1] in "dfsegxr" else (spec or "") + ("r" if conversion == "r" else "s")
        fmt.append("%" + kind)
    return "".join(fmt), args


def rewrite(call, source):
    """The new source of a logging call, or None when it stays."""
    at = 1 if call.func.attr == "log" else 0
    if len(call.args) <= at:
        return None
    msg = call.args[at]
    result = None
    if isinstance(msg, ast.JoinedStr):
        result = from_fstring(msg)
    elif (isinstance(msg, ast.Call) and isinstance(msg.func, ast.Attribute)
          and msg.func.attr == "format" and isinstance(msg.func.value, ast.Constant)
          and isinstance(msg.func.value.value, str)):
        result = from_format(msg)
    elif (isinstance(msg, ast.BinOp) and isinstance(msg.op, ast.Mod)
          and isinstance(msg.left, ast.Constant) and isinstance(msg.left.value, str)
          and not isinstance(msg.right, ast.Dict)):
        values = msg.right.elts if isinstance(msg.right, ast.Tuple) else [msg.right]
        result = msg.left.value, [ast.unparse(v) for v in values]
    if result is None or len(call.args) > at + 1:
        return None
    fmt, args = result
    head = [ast.get_source_segment(source, a) for a in call.args[:at]]
    rest = [ast.get_source_segment(source, k) for k in call.keywords]
    inner = ", ".join(head + [literal(fmt, ast.get_source_segment(source, msg))] + args + rest)
    return "%s(%s)" % (ast.get_source_segment(source, call.func), inner)


def literal(text, original):
    """text as a string literal in the quotes the original message used."""
    quote = next((ch for ch in original if ch in "'\""), '"')
    if quote == '"' and '"' not in text and "\\" not in text and text.isprintable():
        return '"' + text + '"'
    return repr(text)


def module_logger(tree):
    """The name of the module's own logger (NAME = logging.getLogger(...)), or None."""
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call)
                and ast.unparse(node.value.func).endswith("getLogger")):
            return node.targets[0].id
    return None


def normalise(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        print("%s: not Python (%s); left as it is" % (path, e))
        return 0
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    edits = []
    own = module_logger(tree)
    root_calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and root_logger(n)]
    if root_calls and own is None:
        own = "logger"
        last = max((n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))),
                   key=lambda n: n.end_lineno, default=None)
        at = offsets[last.end_lineno] if last is not None else 0
        edits.append((at, at, "\n%s = logging.getLogger(__name__)\n" % own))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and receiver(node):
            new = rewrite(node, source)
            if new is None and node in root_calls:
                new = ast.get_source_segment(source, node)
            if new is not None and node in root_calls:
                new = own + new[len("logging"):]
            if new is not None:
                start = offsets[node.lineno - 1] + len(
                    source.splitlines(keepends=True)[node.lineno - 1].encode()[: node.col_offset].decode())
                end = offsets[node.end_lineno - 1] + len(
                    source.splitlines(keepends=True)[node.end_lineno - 1].encode()[: node.end_col_offset].decode())
                edits.append((start, end, new))
    done = None
    for start, end, new in sorted(edits, reverse=True):
        if done is not None and end > done:
            continue  # inside a call already rewritten
        source, done = source[:start] + new + source[end:], start
    if edits:
        ast.parse(source)  # never write what does not parse
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        print("%s: %d logging call(s) rewritten" % (path, len(edits)))
    return len(edits)


def main():
    for path in sys.argv[1:]:
        if path.endswith(".py"):
            normalise(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
