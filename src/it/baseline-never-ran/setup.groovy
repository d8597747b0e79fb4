evaluate(new File(itSources, "common.groovy"))
makeOriginFrom(basedir, "brokentests")
return true
