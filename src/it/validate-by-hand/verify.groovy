evaluate(new File(itSources, "common.groovy"))
def log = new File(basedir, "seed/build.log").exists() ? new File(basedir, "seed/build.log").text : new File(basedir, "build.log").text
check(log.contains("gate ") && log.contains("before") && log.contains("verdict"), "gate table printed")
check((log =~ /types \(mypy\)\s+0\s+1\s+1 new\s+FAIL/).find(), "type gate fails")
check(log.contains("new type error: src/utils/retry.py"), "names the new error")
check(log.contains("the gates fail on"), "build fails with the reason")
def seed = new File(basedir, "seed")
check(git(seed, ["status", "--porcelain"]).readLines().collect { it.trim() }.findAll { !it.endsWith("pom.xml") && !it.endsWith("build.log") } == ["M src/utils/retry.py"], "checkout untouched but for the change: " + git(seed, ["status", "--porcelain"]))
return true
