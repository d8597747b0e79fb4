evaluate(new File(itSources, "common.groovy"))
makeOriginFrom(basedir, "unipkg")
return true
