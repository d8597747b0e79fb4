"""A reviewer who merges every delivered branch into main as it arrives: watches the bare origin's
auto/* branches and merges each new tip into main (a merge commit, as a PR's merge button makes).
A tip that conflicts with main is left unmerged and logged. Stops after one more pass when the stop
file exists. Usage: python merger.py ORIGIN.git STOPFILE LOG"""
import os
import subprocess
import sys
import tempfile
import time

origin, stop, log = sys.argv[1:4]
env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
env.update(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="reviewer",
           GIT_AUTHOR_EMAIL="reviewer@example.com", GIT_COMMITTER_NAME="reviewer",
           GIT_COMMITTER_EMAIL="reviewer@example.com")
work = os.path.join(tempfile.mkdtemp(), "main")


def git(*args, cwd=None, check=True):
    return subprocess.run(("git",) + args, cwd=cwd or work, env=env, check=check,
                          capture_output=True, text=True)


def say(line):
    with open(log, "a", encoding="utf-8") as f:
        f.write(line + "\n")


git("clone", "-q", "-b", "main", origin, work, cwd=os.getcwd())
seen = {}
deadline = time.time() + 20 * 60
while True:
    last = os.path.exists(stop) or time.time() > deadline
    refs = git("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/auto/",
               cwd=origin).stdout.split("\n")
    for ref in filter(None, refs):
        branch, tip = ref.split(" ")
        if seen.get(branch) == tip:
            continue
        seen[branch] = tip
        git("fetch", "-q", "origin")
        git("checkout", "-q", "-B", "main", "origin/main")
        if git("merge-base", "--is-ancestor", tip, "main", check=False).returncode == 0:
            continue
        merged = git("merge", "--no-ff", "-q", "-m", "Merge " + branch, tip, check=False)
        if merged.returncode != 0:
            git("merge", "--abort", check=False)
            say("conflict " + branch + " " + tip)
            continue
        git("push", "-q", "origin", "main")
        say("merged " + branch + " " + tip)
    if last:
        say("done")
        break
    time.sleep(0.2)
