package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What an operator sees: a finished build found in the Temporal Web UI of the dev server by its KilnTemplate
 * search attribute, with the workflow's static summary and one activity summary per recipe step. Drives Debian's
 * headless {@code chromium} through its {@code chromedriver} (both installed by .ci/setup.sh; nothing is downloaded)
 * and leaves screenshots in {@code api/target/browser-artifacts/}.
 */
class TemporalUiBrowserIT {
    private static final String UI = System.getProperty("kiln.temporal.ui", "http://127.0.0.1:8233");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path ARTIFACTS = Path.of(System.getProperty("basedir", "."), "target", "browser-artifacts");
    private static final Duration UI_WAIT = Duration.ofSeconds(60);
    private static final Set<String> TERMINAL = Set.of("success", "failed", "cancelled");

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static HostProcess host;
    private static String image;

    private WebDriver browser;

    @BeforeAll
    static void registerAHost() throws Exception {
        host = HostProcess.registerAndStart(STACK);
    }

    @AfterAll
    static void stopHostAndRemoveImage() throws InterruptedException {
        if (host != null) {
            host.close();
        }
        if (image != null) {
            DockerCommands.removeImages(DOCKER, List.of(image));
        }
    }

    @BeforeEach
    void startChromium() throws IOException {
        assertThat(CHROMIUM).as("Debian's chromium (bash .ci/setup.sh installs it)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver (bash .ci/setup.sh installs it)").isExecutable();
        Files.createDirectories(ARTIFACTS);
        Files.deleteIfExists(ARTIFACTS.resolve(getClass().getSimpleName() + "-failure.png"));
        Files.deleteIfExists(ARTIFACTS.resolve(getClass().getSimpleName() + "-failure.html"));
        // Explicit driver and browser paths: Selenium Manager then has nothing to look up or download.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(ARTIFACTS.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1600,1800", "--lang=en-US");
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(UI_WAIT);
    }

    @AfterEach
    void quitChromium() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void finishedBuildIsFoundByItsTemplateAndShowsItsSummaryAndOneActivitySummaryPerStep() throws Exception {
        String name = "ui-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> recipe = List.of(
                "RUN echo seen in the temporal ui > /ui.txt",
                "RUN cp /ui.txt /ui-copy.txt",
                "RUN cat /ui-copy.txt");
        ApiTestClient.Reply submitted = STACK.client().post("/v1/admin/builds", STACK.adminKey, Map.of(
                "name", name, "skip_pre_post", true, "recipe", recipe));
        assertThat(submitted.status()).as("submit %s", submitted.body()).isEqualTo(202);
        String buildId = submitted.body().path("id").asText();
        JsonNode build = Await.until(Duration.ofMinutes(3),
                () -> STACK.client().get("/v1/admin/builds/" + buildId, STACK.adminKey).body(),
                body -> TERMINAL.contains(body.path("status").asText()),
                "build " + buildId + " to finish");
        assertThat(build.path("status").asText()).as("build %s", build).isEqualTo("success");
        image = "kiln/" + build.path("template_id").asText().toLowerCase(Locale.ROOT) + ":latest";
        String workflowId = "build-" + buildId;

        try {
            // 1. The workflow list, filtered by the search attribute as an operator would type it.
            String query = URLEncoder.encode("KilnTemplate=\"" + name + "\"", StandardCharsets.UTF_8)
                    .replace("+", "%20");
            browser.get(UI + "/namespaces/default/workflows?query=" + query);
            By row = By.xpath("//tr[@data-testid='workflows-summary-configurable-table-row']"
                    + "[.//a[contains(@href, '/workflows/" + workflowId + "/')]]");
            // Visibility and the workflow's close lag the API's "success" a little: reload until the row says so.
            WebElement listed = new WebDriverWait(browser, UI_WAIT, Duration.ofSeconds(2)).until(driver -> {
                List<WebElement> rows = driver.findElements(row);
                if (rows.size() == 1 && statusOf(rows.get(0)).equalsIgnoreCase("completed")) {
                    return rows.get(0);
                }
                driver.navigate().refresh();
                return null;
            });
            assertThat(browser.findElements(By.xpath("//tr[@data-testid='workflows-summary-configurable-table-row']"
                    + "[.//a[contains(@href, '/workflows/build-')]]")))
                    .as("the KilnTemplate query lists this build's workflow only").hasSize(1);
            screenshot("01-workflow-list");

            // 2. Open it: the Timeline tab draws one bar per activity, labelled "<ActivityType> • <summary>".
            listed.findElement(By.xpath(".//a[contains(@href, '/workflows/" + workflowId + "/')]")).click();
            wait(UI_WAIT).until(ExpectedConditions.urlContains("/workflows/" + workflowId + "/"));
            clickTab("timeline-tab");
            List<String> stepLabels = recipe.stream().map(line -> "RunStep \u2022 " + line).toList();
            List<String> timeline = wait(UI_WAIT).until(driver -> {
                List<String> labels = texts(driver.findElements(
                        By.xpath("//span[starts-with(normalize-space(.), 'RunStep')]")));
                return labels.containsAll(stepLabels) ? labels : null;
            });
            assertThat(timeline).as("timeline labels of the RunStep activities")
                    .containsExactlyInAnyOrderElementsOf(stepLabels);
            screenshot("02-timeline");

            // 3. Event History: each RunStep's ActivityTaskScheduled event carries its summary, the recipe line.
            clickTab("history-tab");
            By summaryChips = By.xpath("//p[normalize-space(.)='Summary']/following-sibling::span[1]");
            By runStepSummaryChips = By.xpath("//tr[.//p[normalize-space(.)='Activity Type']"
                    + "/following-sibling::span[1][normalize-space(.)='RunStep']]"
                    + "//p[normalize-space(.)='Summary']/following-sibling::span[1]");
            List<WebElement> runStepChips = wait(UI_WAIT).until(driver -> {
                List<WebElement> chips = driver.findElements(runStepSummaryChips);
                return texts(chips).containsAll(recipe) ? chips : null;
            });
            assertThat(texts(runStepChips)).as("summaries of the RunStep activities in the event history")
                    .containsExactlyInAnyOrderElementsOf(recipe);
            assertThat(texts(browser.findElements(summaryChips))).as("summaries of the other host activities")
                    .contains("create build sandbox from kiln/minimal:latest", "read environment",
                            "destroy build sandbox");
            ((JavascriptExecutor) browser).executeScript(
                    "arguments[0].scrollIntoView({block: 'center'})", runStepChips.get(runStepChips.size() / 2));
            screenshot("03-event-history");

            // 4. User Metadata: the static summary set at start (BuildService.start), shown in an iframe.
            clickTab("user-metadata-tab");
            wait(UI_WAIT).until(ExpectedConditions.frameToBeAvailableAndSwitchToIt(By.id("user-metadata-summary")));
            String summary = wait(UI_WAIT).until(driver -> {
                String text = driver.findElement(By.tagName("body")).getText().strip();
                return text.startsWith("Build template ") ? text : null;
            });
            browser.switchTo().defaultContent();
            // The summary names the base version the submit resolved (#16), not only its name.
            assertThat(summary).isEqualTo("Build template " + name + " from minimal@v1 (3 steps)");
            screenshot("04-user-metadata");
        } catch (RuntimeException | AssertionError e) {
            saveFailureArtifacts();
            throw e;
        }
    }

    private static String statusOf(WebElement row) {
        try {
            return row.findElement(By.cssSelector("[data-testid='execution-status']")).getText().strip();
        } catch (NoSuchElementException | StaleElementReferenceException e) {
            return "";
        }
    }

    private static List<String> texts(List<WebElement> elements) {
        try {
            return elements.stream().map(element -> element.getText().strip()).toList();
        } catch (StaleElementReferenceException e) {
            return List.of(); // the page re-rendered under us: the wait polls again
        }
    }

    private void clickTab(String testId) {
        By tab = By.cssSelector("[data-testid='" + testId + "']");
        WebElement element = wait(UI_WAIT).until(ExpectedConditions.elementToBeClickable(tab));
        // The page scrolls inside a sticky header: bring the tab out from under it first.
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
        element.click();
        wait(UI_WAIT).until(ExpectedConditions.attributeToBe(tab, "aria-selected", "true"));
    }

    private WebDriverWait wait(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(500));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), ARTIFACTS.resolve(getClass().getSimpleName() + "-" + name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private void saveFailureArtifacts() {
        try {
            browser.switchTo().defaultContent();
            screenshot("failure");
            Files.writeString(ARTIFACTS.resolve(getClass().getSimpleName() + "-failure.html"),
                    browser.getCurrentUrl() + "\n" + browser.getPageSource());
        } catch (RuntimeException | IOException ignored) {
            // the assertion that got us here is what matters
        }
    }
}
