evaluate(new File(itSources, "common.groovy"))
verifyScenarioA(basedir)

return true
