evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
new File(basedir, "outside-victim.txt").text = "a file outside the clone\n"
return true
