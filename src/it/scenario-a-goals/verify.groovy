evaluate(new File(itSources, "common.groovy"))
verifyScenarioA(basedir)
def log = new File(basedir, "build.log").text
check(log.contains("── VALIDATE") && log.contains("decision: ACCEPT"), "validate printed the gate table and decision")
def pr = new groovy.json.JsonSlurper().parse(new File(basedir, "target/etask/artifacts/add-payment-tests/pr.json"))
check(pr.number == 1 && pr.updates == 1, "the second pr goal updated the one PR: " + pr)
return true
