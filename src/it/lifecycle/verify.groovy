evaluate(new File(itSources, "common.groovy"))
verifyScenarioA(basedir)
def log = new File(basedir, "build.log").text
["prepare", "analyze", "generate", "validate", "commit", "aggregate", "pr"].each { goal ->
    check(log.contains(":" + goal + " (default-" + goal + ") @ lifecycle"), "lifecycle ran " + goal)
}
return true
