evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "crashes")
check(s.exit_code == 1 && s.commits == 0 && s.aborted != null, "fatal abort: " + s.summary)
check(s.failure.code == "GENERATOR_FAILED" && s.failure.phase == "GENERATE" && s.failure.next_step.contains("generator.mounts") && s.risk_labels.contains("aborted"),
    "failure recorded in the phase it happened: " + s.failure)
check(s.batches[0].reason.contains("is there, but the sandbox shows the generator only the clone, the spec's folder and generator.mounts"),
    "the reason says where the script must be: " + s.batches[0].reason)
check(s.batches.count { it.decision != null } == 2 && s.batches[2].decision == null, "stopped after 2 crashes in a row")
def dir = artifacts(basedir, "crashes")
def failure = new File(dir, "FAILURE.md").text
check(failure.contains("`GENERATOR_FAILED`") && failure.contains("## Next steps"), "FAILURE.md")
check(new File(dir, "trace.txt").text.contains("can't open file"), "trace has the generator's output")
def pr = new groovy.json.JsonSlurper().parse(new File(dir, "pr-fail.json"))
check(pr.draft == true && pr.labels == ["automated", "failure"] && pr.head == "auto/crashes-fail", "draft failure PR: " + pr)
def files = branchFiles(basedir, "auto/crashes-fail")
check(files.contains(".etask/failures/crashes/FAILURE.md") && files.contains(".etask/failures/crashes/trace.txt"), "fail branch")
def log = git(new File(basedir, "origin.git"), ["log", "--format=%s%n%b", "main..auto/crashes-fail"])
check(log.contains("fail: crashes (GENERATOR_FAILED)") && log.contains("Etask-Task: crashes"), "one etask commit: " + log)
check(!branchFiles(basedir, "main").any { it.startsWith(".etask") }, "main untouched")
def build = new File(basedir, "build.log").text
check(build.contains("FAILURE.md"), "the build failure points at FAILURE.md")
return true
