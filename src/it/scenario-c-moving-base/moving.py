"""The generators of scenario C: 'first' appends a test to tests/test_order.py; 'second' changes the
tax rate's line in batch 1, and in batch 2 moves main first (merges auto/first, changes that same
line), then appends its own test to tests/test_order.py. 'third' rewords user.py's docstring and appends a
test of user names to tests/test_user.py in batch 1; in batch 2 main moves (a test appended to tests/test_user.py too,
and names title-cased, which the third task's test does not expect), then it adds a test file of
its own."""
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


def move_main(origin, change):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="reviewer",
               GIT_AUTHOR_EMAIL="reviewer@example.com", GIT_COMMITTER_NAME="reviewer",
               GIT_COMMITTER_EMAIL="reviewer@example.com")
    work = os.path.join(tempfile.mkdtemp(), "main")
    run = lambda *a, cwd=work: subprocess.run(a, cwd=cwd, env=env, check=True, capture_output=True)
    run("git", "clone", "-q", "-b", "main", origin, work, cwd=None)
    change(work, run)
    run("git", "push", "-q", "origin", "main")


def merge_first_and_comment_the_rate(work, run):
    run("git", "merge", "--no-ff", "-q", "-m", "Merge the first task's tests", "origin/auto/first")
    path = os.path.join(work, "src/service/order.py")
    text = open(path, encoding="utf-8").read().replace("TAX_RATE = 0.08\n", "TAX_RATE = 0.08  # sales tax\n")
    open(path, "w", encoding="utf-8").write(text)
    run("git", "commit", "-q", "-am", "Say which tax the rate is")


def title_case_names(work, run):
    path = os.path.join(work, "src/service/user.py")
    text = open(path, encoding="utf-8").read().replace(
        "User(self._next_id, email, name.strip())", "User(self._next_id, email, name.strip().title())")
    open(path, "w", encoding="utf-8").write(text)
    with open(os.path.join(work, "tests/test_user.py"), "a", encoding="utf-8") as f:
        f.write("\n\ndef test_len_counts_users() -> None:\n    registry = UserRegistry()\n"
                "    registry.register(\"c@example.com\", \"Cy\")\n    assert len(registry) == 1\n")
    run("git", "commit", "-q", "-am", "Title-case user names")


batch = os.environ["ETASK_BATCH_FILES"].split("\n")[0]
if sys.argv[1] == "first":
    append("first_pen_costs_three", "3.0")
elif sys.argv[1] == "third" and batch == "src/service/user.py":
    path = "src/service/user.py"
    text = open(path, encoding="utf-8").read().replace(
        '"""Users: registration and validation."""', '"""Users: registration, validation, a registry."""')
    open(path, "w", encoding="utf-8").write(text)
    with open("tests/test_user.py", "a", encoding="utf-8") as f:
        f.write("\n\ndef test_third_names_are_kept_as_given() -> None:\n"
                "    assert UserRegistry().register(\"b@example.com\", \"bob\").name == \"bob\"\n")
elif sys.argv[1] == "third":
    move_main(sys.argv[2], title_case_names)
    with open("tests/test_third_registry.py", "w", encoding="utf-8") as f:
        f.write("from src.service.user import UserRegistry\n\n\n"
                "def test_a_new_registry_is_empty() -> None:\n    assert len(UserRegistry()) == 0\n")
elif batch == "src/service/order.py":
    path = "src/service/order.py"
    text = open(path, encoding="utf-8").read().replace("TAX_RATE = 0.08\n", "TAX_RATE = 0.08  # VAT\n")
    open(path, "w", encoding="utf-8").write(text)
else:
    move_main(sys.argv[2], merge_first_and_comment_the_rate)
    append("second_pen_costs_two", "2.0")
