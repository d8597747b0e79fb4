evaluate(new File(itSources, "common.groovy"))
makeOriginFrom(basedir, "textkit")
return true
