// A checkout whose package has a compiled part built in place (pip install -e . puts the .so beside
// the sources, ignored by git), as markupsafe's speedups. Validated by hand, unchanged: it must pass.
evaluate(new File(itSources, "common.groovy"))
makeOriginFrom(basedir, "cext")
new File(basedir, "seed/pom.xml").text = new File(basedir, "pom.xml").text
return true
