package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in Debian's headless chromium against a real kiln-api and real kiln-hosts, page by page as an operator
 * uses it: sign in, submit a recipe with an archive and watch it live, a recipe error on its line, cancel from the
 * build page, register and drain a host, a golden build and a session, a sandbox's charts, fleet stats, a template's
 * versions and tags, and a team key that sees no admin page. Every page is saved under
 * {@code api/target/console-screenshots/}; after each test the browser's console must hold no error (network failures
 * of the API's deliberate 4xx answers aside, which the page shows).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS =
            Path.of(System.getProperty("basedir", "."), "..", "target", "console-screenshots").normalize();
    private static final Duration UI_WAIT = Duration.ofSeconds(30);
    private static final Duration BUILD_WAIT = Duration.ofMinutes(3);
    private static final String PROJECT = "console-" + UUID.randomUUID().toString().substring(0, 8);
    /**
     * A golden big enough to take a few seconds to copy (800 MB in one layer, 60,000 small files in another), so the
     * session's unpacking bar is on screen long enough to be seen; written in steps so the write rate has a shape.
     */
    private static final String WARM_UP = """
            set -e
            ctx=$(mktemp -d)
            trap 'rm -rf "$ctx"' EXIT
            cd "$ctx"
            cat > Dockerfile <<'DOCKERFILE'
            FROM kiln/minimal:latest
            RUN i=0; while [ $i -lt 8 ]; do dd if=/dev/zero of=/fill$i bs=1M count=100 2>/dev/null; sleep 1; i=$((i+1)); done
            RUN mkdir /many && cd /many && i=0; while [ $i -lt 60000 ]; do echo $i > f$i; i=$((i+1)); done
            DOCKERFILE
            docker build -q -t console-warm:1 .
            """;

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    /** The builds' template images, found at clean-up. */
    private static final List<String> IMAGES = new ArrayList<>();
    private static final List<String> BUILDS = new ArrayList<>();
    private static final List<String> SANDBOXES = new ArrayList<>();
    private static final List<Path> TEMP_DIRS = new ArrayList<>();
    private static HostProcess host;
    private static HostProcess registeredInTheBrowser;
    private static String teamKey;
    private static WebDriver browser;

    @BeforeAll
    static void startHostTeamAndChromium() throws Exception {
        host = HostProcess.registerAndStart(STACK);
        ApiTestClient api = STACK.client();
        String teamId = api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", "console team")).body().path("id").asText();
        teamKey = api.post("/v1/admin/teams/" + teamId + "/api-keys", STACK.adminKey, Map.of("name", "console")).body()
                .path("key").asText();

        assertThat(CHROMIUM).as("Debian's chromium (bash .ci/setup.sh installs it)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver (bash .ci/setup.sh installs it)").isExecutable();
        Files.createDirectories(SHOTS);
        // Explicit driver and browser paths: Selenium Manager then has nothing to look up or download.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(SHOTS.resolve("chromedriver.log").toFile())
                .build();
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1280,900", "--lang=en-US");
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(UI_WAIT);
    }

    /**
     * In stages that each run whatever the one before did: a session that is slow to stop must not leave a host
     * process, an image or a temp dir behind.
     */
    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            try {
                stopWhatRunsThroughTheApi(STACK.client());
            } finally {
                stopHostsAndRemoveImagesAndFiles();
            }
        }
    }

    private static void stopWhatRunsThroughTheApi(ApiTestClient api) throws InterruptedException {
        for (String sandbox : SANDBOXES) {
            api.delete("/v1/sandboxes/" + sandbox, STACK.adminKey);
        }
        for (String build : BUILDS) {
            // 409 build_finished for those that ended, as most did.
            api.post("/v1/admin/builds/" + build + "/cancel", STACK.adminKey, Map.of());
            // The image of every build that made a template, whether or not its test got as far as its end.
            String templateId = api.get("/v1/admin/builds/" + build, STACK.adminKey).body().path("template_id").asText("");
            if (!templateId.isEmpty()) {
                IMAGES.add("kiln/" + templateId.toLowerCase(Locale.ROOT) + ":latest");
            }
        }
        stopSessionsAndClearTheGolden(api);
    }

    private static void stopHostsAndRemoveImagesAndFiles() throws InterruptedException, IOException {
        for (String build : BUILDS) {
            DockerCommands.removeContainersLabelled(DOCKER, "kiln.build=" + build);
        }
        if (registeredInTheBrowser != null) {
            registeredInTheBrowser.close();
        }
        if (host != null) {
            host.close();
        }
        DockerCommands.removeImages(DOCKER, IMAGES);
        for (Path dir : TEMP_DIRS) {
            deleteTree(dir);
        }
    }

    /** Session daemons outlive their host process by design, so they are stopped through the API. */
    private static void stopSessionsAndClearTheGolden(ApiTestClient api) throws InterruptedException {
        JsonNode sessions = api.get("/v1/projects/" + PROJECT + "/sessions", STACK.adminKey).body();
        if (!sessions.isArray()) {
            return;
        }
        for (JsonNode session : sessions) {
            api.delete("/v1/sessions/" + session.path("id").asText(), STACK.adminKey);
        }
        for (JsonNode session : sessions) {
            String id = session.path("id").asText();
            Await.until(BUILD_WAIT, () -> api.get("/v1/sessions/" + id, STACK.adminKey).body().path("status").asText(),
                    status -> !status.equals("starting") && !status.equals("running"), "session " + id + " to stop");
        }
        if (api.get("/v1/projects/" + PROJECT + "/golden", STACK.adminKey).body().path("status").asText().equals("building")) {
            api.post("/v1/projects/" + PROJECT + "/golden/cancel", STACK.adminKey, Map.of());
            Await.until(Duration.ofMinutes(2),
                    () -> api.get("/v1/projects/" + PROJECT + "/golden", STACK.adminKey).body().path("status").asText(),
                    status -> !status.equals("building"), "the golden build to stop");
        }
        api.delete("/v1/projects/" + PROJECT + "/golden", STACK.adminKey);
    }

    /** The page as it was when a test failed, and its source, beside the screenshots. */
    @RegisterExtension
    final TestWatcher failures = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            try {
                String name = "failure-" + context.getRequiredTestMethod().getName();
                screenshot(name);
                Files.writeString(SHOTS.resolve(name + ".html"), browser.getCurrentUrl() + "\n" + browser.getPageSource());
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    };

    @AfterEach
    void theBrowserConsoleHasNoErrors(TestInfo test) throws IOException {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            // A 4xx the test provoked on purpose (an invalid recipe) is logged by Chrome as a failed resource load;
            // the page shows it as the API's code and message. Anything else is a console error.
            boolean deliberate = entry.getMessage().matches(".*Failed to load resource: the server responded with a status of 4\\d\\d.*");
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue() && !deliberate) {
                errors.add(entry.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            screenshot("failure-" + test.getTestMethod().map(method -> method.getName()).orElse("test"));
        }
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    @Test
    @Order(1)
    void aDeepLinkWithoutAKeyGoesToSignInAndTheAdminKeyOpensTheAdminPages() throws IOException {
        browser.get(url("/console/builds?status=running"));
        WebElement key = waitFor(By.name("api-key"));
        assertThat(browser.getCurrentUrl()).contains("/console/sign-in");
        screenshot("01-sign-in");

        key.sendKeys(STACK.adminKey);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();

        waitFor(By.cssSelector("[data-testid=builds]"));
        assertThat(browser.getCurrentUrl()).as("back to the deep link, filter kept").endsWith("/console/builds?status=running");
        assertThat(navLabels()).containsExactly("Builds", "Templates", "Hosts", "Sandboxes", "Fleet stats", "Projects");
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains("admin");
        screenshot("02-builds-empty");
    }

    @Test
    @Order(2)
    void anInvalidRecipeLineIsMarkedWhereTheApiSaysItIs() throws IOException {
        openNewBuildDialog();
        browser.findElement(By.name("name")).sendKeys(uniqueName("broken"));
        typeRecipe("# a comment line\nRUN echo fine\nFROB the widget\n");
        screenshot("03-new-build-dialog");
        submitBuild();

        WebElement error = waitFor(By.cssSelector("[data-testid=recipe-error]"));
        assertThat(error.getText()).startsWith("Line 3:").contains("FROB");
        assertThat(browser.findElement(By.cssSelector(".layer .line.error")).getAttribute("data-line")).isEqualTo("3");
        screenshot("04-recipe-error-on-its-line");
        browser.findElement(By.cssSelector("dialog[open] button[aria-label=Close]")).click();
    }

    @Test
    @Order(3)
    void aRecipeWithAnArchiveRunsToSuccessWithItsStepOutputLive() throws Exception {
        Path archive = tarGz("index.html", "<h1>hello from the archive</h1>\n");
        openNewBuildDialog();
        browser.findElement(By.name("name")).sendKeys(uniqueName("site"));
        typeRecipe("WORKDIR /srv\n"
                + "COPY index.html /srv/index.html\n"
                + "RUN i=1; while [ $i -le 12 ]; do echo tick $i; sleep 1; i=$((i+1)); done\n"
                + "RUN cat /srv/index.html\n");
        browser.findElement(By.name("skip")).click();
        browser.findElement(By.name("archive")).sendKeys(archive.toString());
        assertThat(browser.findElement(By.cssSelector("dialog[open]")).getText()).contains("at most 100 MiB");
        submitBuild();

        String buildId = buildIdFromUrl();
        BUILDS.add(buildId);
        // Output of the running step, before it ends: live from the event stream, not from the finished record.
        WebElement live = new WebDriverWait(browser, BUILD_WAIT, Duration.ofMillis(200)).until(driver -> {
            List<WebElement> running = driver.findElements(By.cssSelector("details.step.running[data-step='3'] [data-testid=stdout]"));
            return !running.isEmpty() && running.get(0).getText().contains("tick 2") ? running.get(0) : null;
        });
        assertThat(live.getText()).doesNotContain("tick 12");
        screenshot("05-build-running-live-output");

        waitFor(By.cssSelector("[data-testid=status] [data-status=success]"), BUILD_WAIT);
        List<String> ticks = List.of(text(By.cssSelector("details[data-step='3'] [data-testid=stdout]")).split("\n"));
        assertThat(ticks).as("every tick once, in order, none repeated")
                .isEqualTo(IntStream.rangeClosed(1, 12).mapToObj(i -> "tick " + i).toList());
        expand(4);
        assertThat(text(By.cssSelector("details[data-step='4'] [data-testid=stdout]"))).contains("hello from the archive");
        assertThat(browser.findElement(By.linkText("Temporal UI ↗")).getAttribute("href"))
                .isEqualTo("http://127.0.0.1:8233/namespaces/default/workflows/build-" + buildId);
        screenshot("06-build-success");

        browser.findElement(By.xpath("//button[normalize-space()='Rerun']")).click();
        WebElement recipe = waitFor(By.cssSelector("dialog[open] textarea#recipe"));
        assertThat(recipe.getAttribute("value")).startsWith("WORKDIR /srv\nCOPY index.html /srv/index.html\n");
        screenshot("07-rerun-dialog-filled-in");
        browser.findElement(By.cssSelector("dialog[open] button[aria-label=Close]")).click();

        browser.get(url("/console/builds"));
        WebElement row = waitFor(By.cssSelector("tr[data-build='" + buildId + "']"));
        assertThat(row.getText()).contains("success");
        screenshot("08-builds-list");
    }

    @Test
    @Order(4)
    void cancelFromTheBuildPageShowsCancelRequestedThenWhoCancelledAndLeavesNoContainer() throws Exception {
        ApiTestClient.Reply submitted = STACK.client().post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", uniqueName("sleepy"), "skip_pre_post", true, "recipe", List.of("RUN sleep 600")));
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(202);
        String buildId = submitted.body().path("id").asText();
        BUILDS.add(buildId);
        browser.get(url("/console/builds/" + buildId));
        waitFor(By.cssSelector("details.step.running[data-step='1']"), BUILD_WAIT);

        browser.findElement(By.cssSelector("[data-testid=cancel]")).click();
        waitFor(By.cssSelector("[data-testid=status] [data-status='cancel requested']"));
        screenshot("09-cancel-requested");

        waitFor(By.cssSelector("[data-testid=status] [data-status=cancelled]"), BUILD_WAIT,
                () -> STACK.client().get("/v1/admin/builds/" + buildId, STACK.adminKey).body().toString());
        assertThat(text(By.cssSelector("[data-testid=cancelled-by]"))).isEqualTo("cancelled by " + STACK.adminKeyId());
        screenshot("10-cancelled-by");
        Await.until(Duration.ofSeconds(60), () -> DOCKER.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("kiln.build", buildId)).exec(), List::isEmpty, "no container of " + buildId);
    }

    @Test
    @Order(5)
    void aHostRegisteredInTheDialogComesOnlineWithTheTokenShownAndDrains() throws Exception {
        browser.get(url("/console/hosts"));
        waitFor(By.cssSelector("article[data-host='" + host.hostId() + "'][data-status=online]"));
        browser.findElement(By.xpath("//button[normalize-space()='Register host']")).click();
        waitFor(By.xpath("//dialog[@open]//button[normalize-space()='Create host and token']")).click();

        WebElement revealed = waitFor(By.cssSelector("[data-testid=registration]"));
        String token = text(By.cssSelector("[data-testid=token]"));
        String command = text(By.cssSelector("[data-testid=start-command]"));
        assertThat(revealed.getText()).contains("You can only view this token once");
        assertThat(command).isEqualTo("KILN_API_URL=http://127.0.0.1:" + STACK.port() + " KILN_REGISTRATION_TOKEN=" + token
                + " java -jar worker-host/target/kiln-host.jar server worker-host/config.yml");
        String hostId = text(By.cssSelector("[data-testid=registration] p code"));
        screenshot("11-register-host-token-shown-once");
        browser.findElement(By.xpath("//dialog[@open]//button[normalize-space()='Done']")).click();

        Path stateDir = Files.createTempDirectory("kiln-console-host-");
        TEMP_DIRS.add(stateDir);
        registeredInTheBrowser = HostProcess.start(STACK, hostId, token, stateDir);
        By card = By.cssSelector("article[data-host='" + hostId + "']");
        waitFor(By.cssSelector("article[data-host='" + hostId + "'][data-status=online]"), Duration.ofMinutes(2));
        screenshot("12-hosts-new-host-online");

        browser.findElement(card).findElement(By.cssSelector("[data-testid=drain]")).click();
        waitFor(By.cssSelector("article[data-host='" + hostId + "'][data-status=draining]"));
        assertThat(STACK.client().get("/v1/hosts/" + hostId, STACK.adminKey).body().path("draining").asBoolean()).isTrue();
        screenshot("13-hosts-draining");

        browser.findElement(card).findElement(By.xpath(".//button[normalize-space()='Delete…']")).click();
        WebElement dialog = waitFor(By.cssSelector("dialog[open]"));
        assertThat(dialog.getText()).contains("No active sandboxes run there");
        dialog.findElement(By.xpath(".//button[normalize-space()='Delete host']")).click();
        new WebDriverWait(browser, UI_WAIT).until(ExpectedConditions.numberOfElementsToBe(card, 0));
        // A deleted host hears 404 at its next heartbeat, forgets its credentials and exits.
        registeredInTheBrowser.awaitExit(Duration.ofSeconds(90));
    }

    @Test
    @Order(6)
    void aGoldenBuildShowsItsWriteRateAndASessionShowsItsUnpackingBar() throws Exception {
        ApiTestClient api = STACK.client();
        assertThat(api.put("/v1/projects/" + PROJECT, STACK.adminKey, Map.of("name", "Console web app", "warmup_script", WARM_UP))
                .status()).isEqualTo(200);
        browser.get(url("/console/projects"));
        WebElement project = waitFor(By.cssSelector("article[data-project='" + PROJECT + "']"));
        project.findElement(By.xpath(".//button[normalize-space()='Build golden']")).click();

        // The sparkline beside "Building...", drawn from at least two write samples of the running build.
        new WebDriverWait(browser, BUILD_WAIT, Duration.ofMillis(250)).until(driver -> {
            List<WebElement> lines = driver.findElements(By.cssSelector("[data-testid=building] svg.sparkline"));
            return !lines.isEmpty() && Integer.parseInt(lines.get(0).getAttribute("data-points")) >= 2;
        });
        assertThat(text(By.cssSelector("[data-testid=building]"))).contains("Building...");
        assertThat(text(By.cssSelector("[data-testid=write-rate]"))).matches("\\d+\\.\\d MB/s");
        screenshot("14-projects-golden-building-sparkline");
        waitFor(By.xpath("//article[@data-project='" + PROJECT + "']//tr[@data-host='" + host.hostId()
                + "']//span[@data-status='ready']"), BUILD_WAIT);

        browser.findElement(By.xpath("//article[@data-project='" + PROJECT + "']//button[normalize-space()='Start session']"))
                .click();
        WebElement unpacking = new WebDriverWait(browser, BUILD_WAIT, Duration.ofMillis(100)).until(driver -> {
            List<WebElement> bars = driver.findElements(By.cssSelector("[data-testid=unpacking]"));
            return !bars.isEmpty() && bars.get(0).getText().startsWith("Unpacking build cache (") ? bars.get(0) : null;
        });
        assertThat(unpacking.getText()).matches("Unpacking build cache \\(\\d+\\.\\d/\\d+\\.\\d GB\\)");
        screenshot("15-projects-session-unpacking");

        WebElement dockerHost = waitFor(By.cssSelector("[data-testid=docker-host]"), BUILD_WAIT);
        assertThat(dockerHost.getText()).isNotBlank();
        screenshot("16-projects-session-running");
    }

    @Test
    @Order(7)
    void aSandboxPageChartsItsMetricsAndFleetStatsCountIt() throws Exception {
        ApiTestClient.Reply created = STACK.client().post("/v1/sandboxes", STACK.adminKey, Map.of("template", "minimal"));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        String sandbox = created.body().path("id").asText();
        SANDBOXES.add(sandbox);

        browser.get(url("/console/sandboxes"));
        waitFor(By.cssSelector("tr[data-sandbox='" + sandbox + "']"));
        screenshot("17-sandboxes");

        browser.findElement(By.linkText(sandbox)).click();
        new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(500)).until(driver -> {
            List<WebElement> plots = driver.findElements(By.cssSelector(".plot[data-points]"));
            return plots.size() == 3 && plots.stream().allMatch(plot -> Integer.parseInt(plot.getAttribute("data-points")) > 0);
        });
        assertThat(browser.findElements(By.cssSelector(".plot canvas"))).hasSize(3);
        screenshot("18-sandbox-charts");

        browser.findElement(By.xpath("//button[normalize-space()='2h']")).click();
        new WebDriverWait(browser, UI_WAIT).until(ExpectedConditions.urlContains("range=2h"));
        browser.navigate().refresh();
        waitFor(By.cssSelector("button.selected[aria-pressed=true]"));
        assertThat(text(By.cssSelector("button.selected[aria-pressed=true]"))).isEqualTo("2h");

        browser.get(url("/console/stats?range=5m"));
        new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofSeconds(1)).until(driver -> {
            driver.navigate().refresh();
            List<WebElement> running = driver.findElements(By.cssSelector("[data-testid=running-now]"));
            return !running.isEmpty() && Integer.parseInt(running.get(0).getText()) >= 1;
        });
        screenshot("19-fleet-stats");

        browser.get(url("/console/templates"));
        waitFor(By.cssSelector("tr[data-template=minimal]"));
        assertThat(browser.findElement(By.cssSelector("tr[data-template=minimal]")).findElements(By.tagName("button")))
                .as("minimal can never be deleted, so no delete button").isEmpty();
        screenshot("20-templates");
    }

    @Test
    @Order(8)
    void aTemplatePageListsItsVersionsRollsLatestBackAndRevokesAVersion() throws Exception {
        ApiTestClient api = STACK.client();
        String name = uniqueName("versioned");
        for (String recipe : List.of("RUN echo one > /f", "RUN echo two > /f")) {
            ApiTestClient.Reply submitted = api.post("/v1/admin/builds", STACK.adminKey,
                    Map.of("name", name, "skip_pre_post", true, "recipe", List.of(recipe)));
            assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(202);
            String buildId = submitted.body().path("id").asText();
            BUILDS.add(buildId);
            JsonNode build = Await.until(BUILD_WAIT, () -> api.get("/v1/admin/builds/" + buildId, STACK.adminKey).body(),
                    body -> Set.of("success", "failed", "cancelled").contains(body.path("status").asText()), "build " + buildId);
            assertThat(build.path("status").asText()).as("%s", build).isEqualTo("success");
        }

        browser.get(url("/console/templates"));
        waitFor(By.cssSelector("tr[data-template='" + name + "'] a")).click();
        waitFor(By.cssSelector("[data-testid=versions]"));
        assertThat(browser.getCurrentUrl()).endsWith("/console/templates/" + name);
        assertThat(browser.findElements(By.cssSelector("[data-testid=versions] tbody tr")))
                .extracting(row -> row.getAttribute("data-version")).containsExactly("2", "1");
        assertThat(text(By.cssSelector("tr[data-version='2'] [data-testid=tags]"))).isEqualTo("latest");

        browser.findElement(By.cssSelector("article[data-tag=latest]"))
                .findElement(By.xpath(".//button[normalize-space()='Roll back to v1']")).click();
        new WebDriverWait(browser, UI_WAIT)
                .until(ExpectedConditions.textToBe(By.cssSelector("tr[data-version='1'] [data-testid=tags]"), "latest"));
        assertThat(browser.findElements(By.cssSelector("tr[data-version='2'] [data-testid=tags]"))).isEmpty();
        assertThat(text(By.cssSelector("article[data-tag=latest] tbody tr"))).contains("v2", "v1", "rollback");
        assertThat(api.get("/v1/templates/" + name + "/tags", STACK.adminKey).body())
                .extracting(tag -> tag.path("tag").asText() + "@v" + tag.path("version").asInt()).containsExactly("latest@v1");

        browser.findElement(By.cssSelector("tr[data-version='2']")).findElement(By.xpath(".//button[normalize-space()='Revoke…']"))
                .click();
        waitFor(By.cssSelector("dialog[open] input[name=reason]")).sendKeys("CVE-2024-0001 in /f");
        browser.findElement(By.xpath("//dialog[@open]//button[normalize-space()='Revoke v2']")).click();
        assertThat(text(By.cssSelector("tr[data-version='2'] [data-testid=revoked]"))).isEqualTo("revoked");
        assertThat(text(By.cssSelector("tr[data-version='2'] [data-testid=revoke-reason]"))).isEqualTo("CVE-2024-0001 in /f");
        assertThat(browser.findElements(By.cssSelector("dialog[open]"))).isEmpty();
        assertThat(api.get("/v1/templates/" + name + "/versions", STACK.adminKey).body().get(0).path("revoked").asBoolean())
                .isTrue();
        // The API refuses a rollback onto a revoked version, so the button says so instead of offering it.
        WebElement rollBack = browser.findElement(By.cssSelector("article[data-tag=latest]"))
                .findElement(By.xpath(".//button[normalize-space()='Roll back to v2']"));
        assertThat(rollBack.isEnabled()).isFalse();
        assertThat(rollBack.getAttribute("title")).isEqualTo("v2 is revoked: a tag may not point at a revoked version");
        screenshot("21-template-versions-and-tags");
    }

    @Test
    @Order(9)
    void aTeamKeySeesNoAdminPage() throws IOException {
        browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        waitFor(By.name("api-key")).sendKeys(teamKey);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();

        waitFor(By.cssSelector("[data-testid=sandboxes]"));
        assertThat(navLabels()).containsExactly("Templates", "Sandboxes", "Fleet stats", "Projects");
        screenshot("22-team-key-sandboxes");

        for (String page : List.of("/console/builds", "/console/hosts")) {
            browser.get(url(page));
            assertThat(waitFor(By.cssSelector("[data-testid=admin-only]")).getText()).contains("needs an admin key");
        }
        screenshot("23-team-key-admin-page-refused");

        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(url("/console/templates"));
        waitFor(By.cssSelector("[data-testid=templates]"));
        screenshot("24-phone-width-templates");
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    // ---------------------------------------------------------------- helpers

    private static String url(String path) {
        return "http://127.0.0.1:" + STACK.port() + path;
    }

    private static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<String> navLabels() {
        return browser.findElements(By.cssSelector("nav ul a")).stream().map(WebElement::getText).toList();
    }

    private static void openNewBuildDialog() {
        browser.get(url("/console/builds"));
        waitFor(By.xpath("//button[normalize-space()='New build']")).click();
        waitFor(By.cssSelector("dialog[open] textarea#recipe"));
    }

    /** Replaces the editor's text as a user would: select all, delete, type. */
    private static void typeRecipe(String recipe) {
        WebElement editor = browser.findElement(By.cssSelector("dialog[open] textarea#recipe"));
        editor.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        editor.sendKeys(recipe);
        assertThat(editor.getAttribute("value")).isEqualTo(recipe);
    }

    /** Opens a step's output unless it is open already (the page keeps a step open once it was seen running). */
    private static void expand(int step) {
        WebElement details = browser.findElement(By.cssSelector("details[data-step='" + step + "']"));
        if (details.getAttribute("open") == null) {
            details.findElement(By.tagName("summary")).click();
        }
    }

    private static void submitBuild() {
        browser.findElement(By.xpath("//dialog[@open]//button[normalize-space()='Start build']")).click();
    }

    private static String buildIdFromUrl() {
        new WebDriverWait(browser, UI_WAIT).until(ExpectedConditions.urlMatches("/console/builds/bld-[^/?]+$"));
        String current = browser.getCurrentUrl();
        return current.substring(current.lastIndexOf('/') + 1);
    }

    private static WebElement waitFor(By locator) {
        return waitFor(locator, UI_WAIT);
    }

    private static WebElement waitFor(By locator, Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(200));
        wait.ignoring(StaleElementReferenceException.class);
        return wait.until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    /** As {@link #waitFor(By, Duration)}, with what the API says appended to a timeout's message. */
    private static WebElement waitFor(By locator, Duration timeout, Supplier<String> apiView) {
        try {
            return waitFor(locator, timeout);
        } catch (TimeoutException e) {
            throw new AssertionError(e.getMessage() + "\nthe API says: " + apiView.get(), e);
        }
    }

    private static String text(By locator) {
        return waitFor(locator).getText();
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path tarGz(String name, String content) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kiln-console-archive-");
        TEMP_DIRS.add(dir);
        Files.writeString(dir.resolve(name), content);
        Path archive = dir.resolve("site.tar.gz");
        Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C", dir.toString(), name)
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes())).isZero();
        return archive;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            tree.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
