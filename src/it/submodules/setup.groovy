evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
// a library repository beside the origin: ../lib.git from it
def libSeed = new File(basedir, "lib-seed")
libSeed.mkdirs()
new File(libSeed, "data.py").text = "data = 1\n"
git(basedir, ["init", "-q", "-b", "main", libSeed.path])
git(libSeed, ["add", "-A"])
git(libSeed, ["commit", "-q", "-m", "lib"])
git(basedir, ["clone", "-q", "--bare", libSeed.path, "lib.git"])
def libCommit = git(libSeed, ["rev-parse", "HEAD"])
def seed = new File(basedir, "seed")
new File(seed, ".gitmodules").text = """[submodule "vendor/lib"]
\tpath = vendor/lib
\turl = ../lib.git
[submodule "tests/toml-test"]
\tpath = tests/toml-test
\turl = https://github.invalid/toml-lang/toml-test
"""
new File(seed, "tests/test_vendor.py").text = '''import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_vendored_library_is_there() -> None:
    assert (ROOT / "vendor" / "lib" / "data.py").read_text() == "data = 1\\n"


def test_toml_suite_is_there() -> None:
    assert (ROOT / "tests" / "toml-test" / "data.py").exists(), "tests/toml-test is empty"
'''
git(seed, ["update-index", "--add", "--cacheinfo", "160000," + libCommit + ",vendor/lib"])
git(seed, ["update-index", "--add", "--cacheinfo", "160000," + libCommit + ",tests/toml-test"])
git(seed, ["add", ".gitmodules", "tests/test_vendor.py"])
git(seed, ["commit", "-q", "-m", "Submodules"])
git(new File(basedir, "origin.git"), ["fetch", "-q", seed.path, "main:main"])
new File(basedir, "behaviours.txt").text = """src/service/order.py: fill-submodule
src/service/payment.py: edit-submodule
src/service/user.py: smoke
"""
return true
