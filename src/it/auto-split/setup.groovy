evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
return true
