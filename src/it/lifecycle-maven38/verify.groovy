evaluate(new File(itSources, "common.groovy"))
verifyScenarioA(basedir)
def log = new File(basedir, "build.log").text
check(log.contains("--- etask-maven-plugin:0"), "ran on Maven 3.8 (its mojo banner names the artifactId; 3.9 prints the prefix)")
["prepare", "analyze", "generate", "validate", "commit", "aggregate", "pr"].each { goal ->
    check(log.contains(":" + goal + " (default-" + goal + ") @ lifecycle-maven38"), "lifecycle ran " + goal)
}
return true
