"""etask's rewrite of logging calls into one style, for what ruff's G and LOG rules find and do not
fix themselves; run after `ruff check --fix --select G,LOG`, in the clone's root:

  logging_normalize.py FILE...
      In each logging call (logger.info(...), logging.warning(...), log.log(level, ...)) the
      message becomes a constant %-style format with its values as arguments, so they are only
      formatted when the record is emitted: an f-string (G004), str.format() (G001) and a
      %-formatted string (G002) are rewritten, and a call on the root logger inside a function
      (LOG015) goes to the module's logger. Only where the result prints exactly what the call
      printed before: a format spec %-style cannot say the same way, a value that could be a tuple,
      an argument that would be evaluated twice, a module that logs with loguru or structlog are
      left for ruff's check to report. Only the call's own source text changes; the rest of the file
      keeps its bytes (its line endings too)."""
import ast
import re
import string
import sys

LEVELS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal"}
LOGGERS = {"logger", "log", "_logger", "_log", "logging"}
# specs that mean the same in str.format and in %-formatting
SAME_SPEC = re.compile(r"^(\.\d+)?[feEgG]$|^[dxXo]$")
PERCENT = re.compile(r"%(\([^)]*\))?[#0\- +]*(\*|\d+)?(\.(\*|\d+))?([diouxXeEfFgGcrsa%])")


def logger_name(name):
    name = name or ""
    return name.lower() in LOGGERS or name.lower().endswith(("_logger", "_log"))


def receiver(call):
    f = call.func
    if not isinstance(f, ast.Attribute) or f.attr not in LEVELS | {"log"}:
        return False
    owner = f.value.attr if isinstance(f.value, ast.Attribute) else getattr(f.value, "id", "")
    return logger_name(owner)


def escape(text):
    return text.replace("%", "%%")


def placeholder(conversion, spec):
    """The %-specifier that prints what {value!conversion:spec} prints, or None."""
    if spec:
        return "%" + spec if conversion in (-1, None, "") and SAME_SPEC.match(spec) else None
    return "%" + {-1: "s", None: "s", "": "s", 115: "s", "s": "s", 114: "r", "r": "r",
                  97: "a", "a": "a"}[conversion]


def from_fstring(node):
    fmt, args = [], []
    for part in node.values:
        if isinstance(part, ast.Constant):
            fmt.append(escape(part.value))
        elif isinstance(part, ast.FormattedValue):
            spec = ""
            if part.format_spec is not None:
                if not all(isinstance(v, ast.Constant) for v in part.format_spec.values):
                    return None
                spec = "".join(v.value for v in part.format_spec.values)
            p = placeholder(part.conversion, spec)
            if p is None:
                return None
            fmt.append(p)
            args.append(ast.unparse(part.value))
    return "".join(fmt), args


def simple(node):
    return isinstance(node, (ast.Name, ast.Constant))


def from_format(call):
    """'a {} {name}'.format(x, name=y) -> ('a %s %s', ['x', 'y'])."""
    template = call.func.value.value
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    positional = list(call.args)
    named = {k.arg: k.value for k in call.keywords}
    fmt, args, auto, seen = [], [], 0, {}
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for literal, field, spec, conversion in fields:
        fmt.append(escape(literal))
        if field is None:
            continue
        if field == "":
            field, auto = str(auto), auto + 1
        if field.isdigit() and int(field) < len(positional):
            value = positional[int(field)]
        elif field in named:
            value = named[field]
        else:
            return None  # attribute or index lookups, or a missing argument
        p = placeholder(conversion or "", spec or "")
        if p is None:
            return None
        seen[field] = seen.get(field, 0) + 1
        if seen[field] > 1 and not simple(value):
            return None  # it would be evaluated twice
        fmt.append(p)
        args.append(ast.unparse(value))
    return "".join(fmt), args


def from_percent(msg):
    """'a %s %d' % (x, y) -> ('a %s %d', ['x', 'y']): only with a tuple written out, or one value
    that cannot be a tuple (a value in a variable might be one, and prints differently then)."""
    specifiers = [m for m in PERCENT.finditer(msg.left.value) if m.group(5) != "%"]
    if any(m.group(1) or m.group(2) == "*" or m.group(4) == "*" for m in specifiers):
        return None
    if isinstance(msg.right, ast.Tuple):
        values = msg.right.elts
    elif isinstance(msg.right, ast.Constant) and not isinstance(msg.right.value, tuple):
        values = [msg.right]
    else:
        return None
    if len(values) != len(specifiers) or any(isinstance(v, ast.Starred) for v in values):
        return None
    return msg.left.value, [ast.unparse(v) for v in values]


def message(call):
    at = 1 if call.func.attr == "log" else 0
    if len(call.args) != at + 1:
        return None, at
    msg = call.args[at]
    if isinstance(msg, ast.JoinedStr):
        return from_fstring(msg), at
    if (isinstance(msg, ast.Call) and isinstance(msg.func, ast.Attribute)
            and msg.func.attr == "format" and isinstance(msg.func.value, ast.Constant)
            and isinstance(msg.func.value.value, str)):
        return from_format(msg), at
    if (isinstance(msg, ast.BinOp) and isinstance(msg.op, ast.Mod)
            and isinstance(msg.left, ast.Constant) and isinstance(msg.left.value, str)):
        return from_percent(msg), at
    return None, at


def rewrite(call, source, owner):
    """The new source of a logging call (on {owner} instead of the root logger when given), or
    None when it stays."""
    result, at = message(call)
    func = ast.get_source_segment(source, call.func)
    if owner is not None:
        func = owner + func[len("logging"):]
    if result is None:
        return func + source_args(call, source) if owner is not None else None
    fmt, args = result
    head = [ast.get_source_segment(source, a) for a in call.args[:at]]
    rest = [ast.get_source_segment(source, k) for k in call.keywords]
    msg = call.args[at]
    inner = ", ".join(head + [literal(fmt, ast.get_source_segment(source, msg))] + args + rest)
    return "%s(%s)" % (func, inner)


def source_args(call, source):
    whole = ast.get_source_segment(source, call)
    return whole[len(ast.get_source_segment(source, call.func)):]


def literal(text, original):
    """text as a string literal in the quotes the original message used."""
    quote = next((ch for ch in original if ch in "'\""), '"')
    if quote == '"' and '"' not in text and "\\" not in text and text.isprintable():
        return '"' + text + '"'
    return repr(text)


def root_logger(call):
    """logging.info(...) and its kin: a call on the root logger (LOG015)."""
    f = call.func
    return (isinstance(f, ast.Attribute) and f.attr in LEVELS | {"log"}
            and isinstance(f.value, ast.Name) and f.value.id == "logging")


def module_logger(tree):
    """(name, needs adding): the module's logger made by logging.getLogger(__name__); a new
    'logger' when there is none and the name is free; (None, False) when neither is safe."""
    taken = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    if ast.unparse(node.value) == "logging.getLogger(__name__)":
                        return t.id, False
                    taken.add(t.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            taken.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            taken |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return (None, False) if "logger" in taken else ("logger", True)


def in_functions(tree):
    """The calls made inside a function or method body (never at import time)."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside |= {n for n in ast.walk(node) if isinstance(n, ast.Call)}
    return inside


def line_starts(source):
    """Offsets of each line's first character: lines end where Python's tokenizer ends them."""
    starts = [0]
    for m in re.finditer(r"\r\n|\r|\n", source):
        starts.append(m.end())
    return starts


def offset(source, starts, line, col):
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(source)
    return start + len(source[start:end].encode("utf-8")[:col].decode("utf-8"))


def plan(tree, source):
    """The edits: (start, end, new text), none overlapping."""
    if re.search(r"^\s*(import|from)\s+(loguru|structlog)\b", source, re.M):
        return []  # their loggers format with braces or keywords, not with %
    imports_logging = any(isinstance(n, ast.Import) and any(a.name == "logging" for a in n.names)
                          for n in tree.body)
    owner, add = module_logger(tree) if imports_logging else (None, False)
    inside = in_functions(tree)
    starts = line_starts(source)
    edits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not receiver(node):
            continue
        to = owner if (root_logger(node) and node in inside and owner) else None
        new = rewrite(node, source, to)
        if new is not None:
            edits.append((offset(source, starts, node.lineno, node.col_offset),
                          offset(source, starts, node.end_lineno, node.end_col_offset), new,
                          to is not None))
    edits.sort(key=lambda e: e[0])
    kept, end = [], -1
    for e in edits:
        if e[0] >= end:  # a call inside one already rewritten stays as it is
            kept.append(e)
            end = e[1]
    if add and any(e[3] for e in kept):
        last = max((n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))),
                   key=lambda n: n.end_lineno)
        at = starts[last.end_lineno] if last.end_lineno < len(starts) else len(source)
        newline = re.search(r"\r\n|\r|\n", source)
        nl = newline.group(0) if newline else "\n"
        kept.append((at, at, nl + owner + " = logging.getLogger(__name__)" + nl, False))
    return [(s, e, t) for s, e, t, _ in kept]


def normalise(path):
    with open(path, encoding="utf-8", newline="") as f:
        source = f.read()
    tree = ast.parse(source)
    edits = plan(tree, source)
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    if edits:
        ast.parse(source)  # never write what does not parse
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(source)
        print("%s: %d change(s) to logging calls" % (path, len(edits)))


def main():
    for path in sys.argv[1:]:
        if path.endswith(".py"):
            try:
                normalise(path)
            except (SyntaxError, UnicodeDecodeError, ValueError) as e:
                print("%s: left as it is (%s)" % (path, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
