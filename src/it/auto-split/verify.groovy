evaluate(new File(itSources, "common.groovy"))
def origin = new File(basedir, "origin.git")
def s = status(basedir, "split")
check(s.exit_code == 0, "the task: " + s.summary + " " + s.labels)
check(s.parts.size() == 2, "two parts: " + s.parts)
def whole = branchFiles(basedir, "auto/split") - branchFiles(basedir, "main")
def added = []
s.parts.eachWithIndex { p, i ->
    check(p.branch == "auto/split-part-" + (i + 1) && p.batches == [i + 1] && p.diff_lines > 0, "part " + p)
    // main plus this part's batch alone
    check(git(origin, ["rev-parse", p.branch + "~1"]) == git(origin, ["rev-parse", "main"]), p.branch + " is one commit on main")
    def mine = branchFiles(basedir, p.branch) - branchFiles(basedir, "main")
    check(mine.size() == 1 && mine[0] + " (added)" == s.batches[i].changed_files[0], p.branch + " holds its batch's file: " + mine)
    added += mine
    // it passes on its own: its tests, in a checkout of it
    def checkout = new File(basedir, "check-" + (i + 1))
    git(basedir, ["clone", "-q", "-b", p.branch, origin.path, checkout.path])
    def ran = venvRun(basedir, "split", checkout, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"])
    check(ran =~ /\d+ passed/ && !ran.contains("failed") && !ran.contains("error"), p.branch + " passes on its own:\n" + ran)
    def body = new File(artifacts(basedir, "split"), "pr-part-" + (i + 1) + ".md").text
    check(body.contains("(part " + (i + 1) + " of 2)") && body.contains("| " + (i + 1) + " | " + (i + 1) + " | " + p.diff_lines + " | this one |"), "its body:\n" + body)
}
check(added.sort() == whole.sort(), "together the parts are the task's branch: " + added + " vs " + whole)
check(!new File(artifacts(basedir, "split"), "pr.json").exists(), "no PR of the whole")
def log = new File(basedir, "build.log").text
check(log.contains("more than pr.max_lines (20): splitting the 2 batches into 2"), "said")
return true
