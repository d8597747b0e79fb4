evaluate(new File(itSources, "common.groovy"))
def log = new File(basedir, "build.log").text
check(log.contains("changed since task 'resumable' started") && log.contains("etask:clean"), "changed spec refused")
check(log.contains("removed the workspace of task 'resumable'"), "clean said what it removed")
check(!new File(basedir, "target/etask/resumable").exists(), "workspace gone")
def s = status(basedir, "resumable")
check(s.exit_code == 0 && s.commits == 1, "artifacts kept: " + s.summary)
def pr = new groovy.json.JsonSlurper().parse(new File(artifacts(basedir, "resumable"), "pr.json"))
check(pr.number == 1 && pr.updates == 1, "one PR, updated once: " + pr)
def commits = git(new File(basedir, "origin.git"), ["rev-list", "--count", "main..auto/resumable"])
check(commits == "1", "exactly one commit after two runs: " + commits)
return true
