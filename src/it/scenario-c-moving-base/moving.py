"""The generators of scenario C: 'first' appends a test to tests/test_order.py; 'second' changes the
tax rate's line in batch 1, and in batch 2 moves main first (merges auto/first, changes that same
line), then appends its own test to tests/test_order.py."""
import os
import subprocess
import sys
import tempfile

TEST = '''

def test_{name}() -> None:
    order = Order(1, 1)
    order.add("pen", {price})
    assert order.subtotal() == {price}
'''


def append(name, price):
    with open("tests/test_order.py", "a", encoding="utf-8") as f:
        f.write(TEST.format(name=name, price=price))


def move_main(origin):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="reviewer",
               GIT_AUTHOR_EMAIL="reviewer@example.com", GIT_COMMITTER_NAME="reviewer",
               GIT_COMMITTER_EMAIL="reviewer@example.com")
    work = os.path.join(tempfile.mkdtemp(), "main")
    run = lambda *a, cwd=work: subprocess.run(a, cwd=cwd, env=env, check=True, capture_output=True)
    run("git", "clone", "-q", "-b", "main", origin, work, cwd=None)
    run("git", "merge", "--no-ff", "-q", "-m", "Merge the first task's tests", "origin/auto/first")
    path = os.path.join(work, "src/service/order.py")
    text = open(path, encoding="utf-8").read().replace("TAX_RATE = 0.08\n", "TAX_RATE = 0.08  # sales tax\n")
    open(path, "w", encoding="utf-8").write(text)
    run("git", "commit", "-q", "-am", "Say which tax the rate is")
    run("git", "push", "-q", "origin", "main")


batch = os.environ["ETASK_BATCH_FILES"].split("\n")[0]
if sys.argv[1] == "first":
    append("first_pen_costs_three", "3.0")
elif batch == "src/service/order.py":
    path = "src/service/order.py"
    text = open(path, encoding="utf-8").read().replace("TAX_RATE = 0.08\n", "TAX_RATE = 0.08  # VAT\n")
    open(path, "w", encoding="utf-8").write(text)
else:
    move_main(sys.argv[2])
    append("second_pen_costs_two", "2.0")
