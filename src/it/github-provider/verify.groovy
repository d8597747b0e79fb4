import groovy.json.JsonSlurper
evaluate(new File(itSources, "common.groovy"))
def port = new File(basedir, "api.port").text.trim()
def admin = "http://localhost:" + port + "/__admin/"
def requests = new JsonSlurper().parse(new URL(admin + "requests?limit=1000")).requests.collect { it.request }
new URL(admin + "shutdown").openConnection().with { requestMethod = "POST"; doOutput = true; outputStream.close(); inputStream.text }
def count = { String method, String path -> requests.count { it.method == method && it.url.startsWith(path) } }

// 1 + 2: one PR for acme/shop, opened once and updated on the second run
check(count("POST", "/repos/acme/shop/pulls") == 1, "one PR opened: " + count("POST", "/repos/acme/shop/pulls"))
def create = requests.find { it.method == "POST" && it.url == "/repos/acme/shop/pulls" }
def body = new JsonSlurper().parseText(create.body)
check(body.head == "auto/gh-shop" && body.base == "main", "head and base: " + body.head + " " + body.base)
check(body.body.contains("| metric | before | after |"), "the PR body has the summary table")
def auth = create.headers.find { k, v -> k.equalsIgnoreCase("Authorization") }?.value
check(auth == "Bearer ghp_itCanaryToken0123456789abcdef", "the token goes as a header: " + create.headers.keySet())
check(requests.any { it.method == "POST" && it.url == "/repos/acme/shop/issues/1/labels" && it.body.contains("automated") },
    "labels set")
check(requests.any { it.method == "POST" && it.url == "/repos/acme/shop/labels" }, "missing labels created")
check(count("GET", "/repos/acme/shop/pulls/1") >= 1, "the second run reads the PR it knows")
check(!requests.any { it.url == "/user" }, "never GET /user")
def shop = status(basedir, "gh-shop")
check(shop.pr_url == "https://github.example/acme/shop/pull/1", "pr_url is the web URL: " + shop.pr_url)
check(shop.exit_code == 0 || shop.exit_code == 2, "shop delivered: " + shop.exit_code)
check(git(new File(basedir, "origin.git"), ["branch", "--list", "auto/gh-shop"]).contains("auto/gh-shop"), "shop pushed")

// 3: the token is refused before anything is pushed
check(!git(new File(basedir, "origin.git"), ["branch", "--list", "auto/gh-locked"]).contains("auto/gh-locked"),
    "a refused token pushes nothing")
def locked = status(basedir, "gh-locked")
check(locked.exit_code == 1 && locked.failure.code == "TOKEN_REJECTED", "locked: " + locked.failure)
check(!new File(basedir, "target/etask/gh-locked/repo").exists(), "nothing cloned before the token was checked")

// 4: the 502 after create ends with exactly one PR
check(count("POST", "/repos/acme/flaky/pulls") == 1, "one create for flaky: " + count("POST", "/repos/acme/flaky/pulls"))
def flaky = status(basedir, "gh-flaky")
check(flaky.pr_url == "https://github.example/acme/flaky/pull/1", "flaky pr_url: " + flaky.pr_url)

// the token is in no file etask wrote and in no log line
def canary = "ghp_itCanaryToken0123456789abcdef"
def leaks = []
new File(basedir, "target/etask").eachFileRecurse { f ->
    if (f.isFile() && !f.path.contains("/venv/") && f.length() < 5_000_000 && f.getText("ISO-8859-1").contains(canary)) {
        leaks << f.path
    }
}
new File(basedir, "build.log").with { if (it.exists() && it.text.contains(canary)) leaks << it.path }
check(leaks.isEmpty(), "the token leaked into " + leaks)
return true
