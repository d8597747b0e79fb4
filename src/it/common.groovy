// Shared by the ITs' setup and verify scripts: real git, never the user's git configuration.
import groovy.json.JsonSlurper

gitEnv = { File home ->
    home.mkdirs()
    ["HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "PATH=" + System.getenv("PATH"),
     "GIT_AUTHOR_NAME=it", "GIT_AUTHOR_EMAIL=it@example.com", "GIT_COMMITTER_NAME=it", "GIT_COMMITTER_EMAIL=it@example.com"]
}

git = { File dir, List<String> args ->
    def out = new StringBuilder()
    def err = new StringBuilder()
    def p = (["git"] + args).execute(gitEnv(new File(dir, ".it-home")), dir)
    p.waitForProcessOutput(out, err)
    if (p.exitValue() != 0) {
        throw new IllegalStateException("git " + args.join(" ") + " failed in " + dir + ": " + err)
    }
    return out.toString().trim()
}

// The same, for a command whose failing exit status is an answer (git grep finding nothing): its output.
gitAnswer = { File dir, List<String> args ->
    def out = new StringBuilder()
    def err = new StringBuilder()
    def p = (["git"] + args).execute(gitEnv(new File(dir, ".it-home")), dir)
    p.waitForProcessOutput(out, err)
    return out.toString().trim()
}

copyTree = { File from, File to ->
    def src = from.toPath()
    java.nio.file.Files.walk(src).each { p ->
        def rel = src.relativize(p).toString()
        if (rel.contains("__pycache__")) {
            return
        }
        def target = to.toPath().resolve(rel)
        if (java.nio.file.Files.isDirectory(p)) {
            java.nio.file.Files.createDirectories(target)
        } else {
            java.nio.file.Files.copy(p, target)
        }
    }
}

// A bare origin at <basedir>/origin.git holding the fixture on main, and the generator beside the spec.
makeOrigin = { File basedir, File tasksDir ->
    def seed = new File(basedir, "seed")
    copyTree(new File(tasksDir, "demo/sample-service"), seed)
    git(basedir, ["init", "-q", "-b", "main", seed.path])
    git(seed, ["add", "-A"])
    git(seed, ["commit", "-q", "-m", "Initial import"])
    git(basedir, ["clone", "-q", "--bare", seed.path, "origin.git"])
    java.nio.file.Files.copy(new File(tasksDir, "generators/characterize.py").toPath(),
        new File(basedir, "characterize.py").toPath())
    java.nio.file.Files.copy(new File(itSources, "generators/behave.py").toPath(), new File(basedir, "behave.py").toPath())
}

// A bare origin at <basedir>/origin.git holding src/it/fixtures/<name> on main (a git checkout of it stays in seed/).
makeOriginFrom = { File basedir, String fixture ->
    def seed = new File(basedir, "seed")
    copyTree(new File(itSources, "fixtures/" + fixture), seed)
    git(basedir, ["init", "-q", "-b", "main", seed.path])
    git(seed, ["add", "-A"])
    git(seed, ["commit", "-q", "-m", "Initial import"])
    git(basedir, ["clone", "-q", "--bare", seed.path, "origin.git"])
    java.nio.file.Files.copy(new File(itSources, "generators/behave.py").toPath(), new File(basedir, "behave.py").toPath())
}

// Runs a command of the task's own virtualenv in a folder; returns its output.
venvRun = { File basedir, String id, File dir, List<String> args ->
    def python = new File(basedir, "target/etask/" + id + "/venv/bin/python").path
    def out = new StringBuilder()
    def p = ([python] + args).execute(["PATH=" + System.getenv("PATH"), "HOME=" + new File(basedir, ".it-home")], dir)
    p.waitForProcessOutput(out, out)
    return out.toString()
}

artifacts = { File basedir, String id -> new File(basedir, "target/etask/artifacts/" + id) }

batchDecisions = { s -> s.batches.collect { it.files[0] + "=" + it.decision } }

branchFiles = { File basedir, String branch ->
    git(new File(basedir, "origin.git"), ["ls-tree", "-r", "--name-only", branch]).readLines()
}

status = { File basedir, String id ->
    new JsonSlurper().parse(new File(basedir, "target/etask/artifacts/" + id + "/status.json"))
}

check = { boolean ok, String what ->
    if (!ok) {
        throw new AssertionError(what)
    }
}

// Scenario A on the origin: the branch holds the etask commit and the new tests, main does not.
verifyScenarioA = { File basedir ->
    def origin = new File(basedir, "origin.git")
    def branchFiles = git(origin, ["ls-tree", "-r", "--name-only", "auto/add-payment-tests"]).readLines()
    check(branchFiles.contains("tests/test_payment.py"), "the branch holds tests/test_payment.py: " + branchFiles)
    def mainFiles = git(origin, ["ls-tree", "-r", "--name-only", "main"]).readLines()
    check(!mainFiles.contains("tests/test_payment.py"), "main is untouched")
    def log = git(origin, ["log", "--format=%B%x00", "main..auto/add-payment-tests"]).split("\u0000").findAll { it.trim() }
    check(log.size() == 1, "exactly one etask commit on the branch, got " + log.size())
    check(log[0].contains("Etask-Task: add-payment-tests"), "the commit carries the trailer: " + log[0])
    check(log[0].startsWith("feat(test): add unit tests for the payment module"), "conventional subject: " + log[0])
    def test = git(origin, ["show", "auto/add-payment-tests:tests/test_payment.py"])
    check(test.contains("def test_calculate_fee") && test.contains("assert payment."), "real tests were committed")

    def s = status(basedir, "add-payment-tests")
    check(s.exit_code == 0, "exit_code 0, got " + s.exit_code + " (" + s.summary + ")")
    check(s.partial == false, "not partial")
    check(s.commits == 1, "one commit")
    check(s.tests_passed > 9, "tests_passed grew beyond the 9 existing tests: " + s.tests_passed)
    check(s.tests_failed == 0, "no failures")
    check(s.coverage_after > s.coverage_before, "coverage went up: " + s.coverage_before + " -> " + s.coverage_after)
    check(s.schema_version == 1 && s.risk_level == "low" && s.risk_labels == [], "schema, risk low, no risk labels")
    check(s.branch == "auto/add-payment-tests" && s.pr_url != null, "branch and pr_url")
    check(s.tool_versions.pytest != null && s.tool_versions.mypy != null, "tool versions recorded")
    check(s.batches.size() == 1 && s.batches[0].decision == "accept" && s.batches[0].first_try_pass == true, "batch accepted")

    def artifacts = new File(basedir, "target/etask/artifacts/add-payment-tests")
    def pr = new JsonSlurper().parse(new File(artifacts, "pr.json"))
    check(pr.head == "auto/add-payment-tests" && pr.base == "main" && pr.labels.contains("automated"), "PR record: " + pr)
    def body = new File(artifacts, "pr.md").text
    check(body.contains("| coverage % |") && body.contains("**Decisions:** 1 of 1 batches accepted"), "PR body summary")
    check(body.indexOf("| metric |") < body.indexOf("**Labels:**") && body.indexOf("**Labels:**") < body.indexOf("<details>"),
        "PR body order: table, decisions and labels, then folded details")
    check(!new File(basedir, "target/etask/add-payment-tests/repo/.coverage").exists(), "no tool by-products in the clone")
}
