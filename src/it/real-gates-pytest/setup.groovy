evaluate(new File(itSources, "common.groovy"))
makeOriginFrom(basedir, "pycalc")
return true
