"""The generator of the five tasks: task N adds a test of its own to tests/test_order.py, before the
file's N-th test (task 5 at its end), so every task changes the same file in its own place. Task N
starts N-1 times three seconds later than task 1, so that they reach their push one after another
and the later ones find main moved."""
import sys
import time

n = int(sys.argv[1])
time.sleep(3 * (n - 1))
path = "tests/test_order.py"
text = open(path, encoding="utf-8").read()
test = f'''def test_task{n}_buys_{n}_pens() -> None:
    order = Order(1, 1)
    order.add("pen", 2.0, {n})
    assert order.subtotal() == {2.0 * n}


'''
parts = text.split("\ndef test_")
if n < len(parts):
    head = "\ndef test_".join(parts[:n])
    tail = "\ndef test_".join(parts[n:])
    text = head + "\n" + test + "def test_" + tail
else:
    text = text.rstrip("\n") + "\n\n\n" + test.rstrip("\n") + "\n"
open(path, "w", encoding="utf-8").write(text)
