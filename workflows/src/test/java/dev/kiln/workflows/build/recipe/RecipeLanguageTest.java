package dev.kiln.workflows.build.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference builder's own test vectors, plus Kiln's fixes. */
class RecipeLanguageTest {

    @Test
    void startKeepsFlagsInTheCommand() {
        RecipeStep step = RecipeParser.parseStep("START node server.js --port=8080");
        assertThat(step.instruction()).isEqualTo(Instruction.START);
        assertThat(step.command()).isEqualTo("node server.js --port=8080");
        assertThatThrownBy(() -> RecipeParser.parseStep("START")).hasMessage("START requires a command");
    }

    @Test
    void envSplitsAtTheFirstEquals() {
        assertThat(RecipeParser.parseStep("ENV FOO=bar").arguments()).containsExactly("FOO", "bar");
        assertThat(RecipeParser.parseStep("ENV GREETING=hello world").arguments()).containsExactly("GREETING", "hello world");
        assertThat(RecipeParser.parseStep("ENV URL=http://example.com?a=1").arguments())
                .containsExactly("URL", "http://example.com?a=1");
        assertThat(RecipeParser.parseStep("ENV FOO=").arguments()).containsExactly("FOO", "");
        assertThatThrownBy(() -> RecipeParser.parseStep("ENV FOO")).hasMessage("ENV requires KEY=VALUE");
        assertThatThrownBy(() -> RecipeParser.parseStep("ENV =value")).hasMessage("ENV key must not be empty");
    }

    @Test
    void workdirKeepsSpaces() {
        assertThat(RecipeParser.parseStep("WORKDIR /my project").arguments()).containsExactly("/my project");
        assertThatThrownBy(() -> RecipeParser.parseStep("WORKDIR")).hasMessage("WORKDIR requires a path");
    }

    @Test
    void userNamesAreChecked() {
        assertThat(RecipeParser.parseStep("USER www-data").arguments()).containsExactly("www-data");
        assertThat(RecipeParser.parseStep("USER _svc1").arguments()).containsExactly("_svc1");
        assertThatThrownBy(() -> RecipeParser.parseStep("USER")).hasMessage("USER requires a username");
        assertThatThrownBy(() -> RecipeParser.parseStep("USER bad user")).hasMessage("invalid username \"bad user\"");
        assertThatThrownBy(() -> RecipeParser.parseStep("USER 1abc")).hasMessage("invalid username \"1abc\"");
    }

    @Test
    void copyTakesSourcesThenADestination() {
        assertThat(RecipeParser.parseStep("COPY a.txt b.txt /dest/").arguments()).containsExactly("a.txt", "b.txt", "/dest/");
        assertThatThrownBy(() -> RecipeParser.parseStep("COPY config.yaml"))
                .hasMessage("COPY requires at least one source and a destination");
        assertThatThrownBy(() -> RecipeParser.parseStep("COPY"))
                .hasMessage("COPY requires at least one source and a destination");
    }

    @Test
    void fiveLineRecipe() {
        List<RecipeStep> steps = RecipeParser.parse(List.of(
                "RUN apt-get update", "WORKDIR /app", "ENV PORT=8080", "START node server.js", "RUN --timeout=2m npm test"));
        assertThat(steps).hasSize(5);
        assertThat(steps.get(1).instruction()).isEqualTo(Instruction.WORKDIR);
        assertThat(steps.get(3).instruction()).isEqualTo(Instruction.START);
        assertThat(steps.get(4).timeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void emptyContextLeavesTheCommandAlone() {
        assertThat(new ExecutionContext("", Map.of(), "root").wrap("npm install")).isEqualTo("npm install");
    }

    @Test
    void workdirAndEnvPrefixTheCommand() {
        assertThat(new ExecutionContext("/app", Map.of(), null).wrap("npm install"))
                .isEqualTo("cd '/app' && /bin/sh -c 'npm install'");
        assertThat(new ExecutionContext("", Map.of("PORT", "8080"), null).wrap("node server.js"))
                .isEqualTo("PORT='8080' /bin/sh -c 'node server.js'");
    }

    @Test
    void quotesInsideCommandsAndValuesAreEscaped() {
        assertThat(new ExecutionContext("/app", Map.of(), null).wrap("echo 'hello'"))
                .isEqualTo("cd '/app' && /bin/sh -c 'echo '\\''hello'\\'''");
        assertThat(new ExecutionContext("", Map.of("MSG", "it's"), null).wrap("echo $MSG"))
                .isEqualTo("MSG='it'\\''s' /bin/sh -c 'echo $MSG'");
    }

    @Test
    void variablesAreAssignedInKeyOrder() {
        assertThat(new ExecutionContext("", Map.of("PATH", "/bin", "FOO", "x"), null).wrap("true"))
                .isEqualTo("FOO='x' PATH='/bin' /bin/sh -c 'true'");
    }

    @Test
    void nonRootUserWrapsInSu() {
        assertThat(new ExecutionContext("", Map.of(), "app").wrap("id"))
                .isEqualTo("su 'app' -s /bin/sh -c '/bin/sh -c '\\''id'\\'''");
    }

    @Test
    void startDetachesWithNohup() {
        assertThat(new ExecutionContext("", Map.of(), null).wrapStart("python3 app.py"))
                .isEqualTo("nohup /bin/sh -c 'python3 app.py' >/dev/null 2>&1 &");
        assertThat(new ExecutionContext("/srv", Map.of("A", "1"), null).wrapStart("run"))
                .isEqualTo("cd '/srv' && A='1' nohup /bin/sh -c 'run' >/dev/null 2>&1 &");
    }

    @Test
    void envValuesExpandOnceAgainstTheCurrentEnvironment() {
        Map<String, String> env = Map.of("PATH", "/usr/bin", "FOO", "hello", "BAR", "world", "VAR1", "a", "VAR2", "b");
        assertThat(EnvExpander.expand("$PATH", env)).isEqualTo("/usr/bin");
        assertThat(EnvExpander.expand("${PATH}", env)).isEqualTo("/usr/bin");
        assertThat(EnvExpander.expand("/opt/venv/bin:$PATH", env)).isEqualTo("/opt/venv/bin:/usr/bin");
        assertThat(EnvExpander.expand("$UNSET", env)).isEmpty();
        assertThat(EnvExpander.expand("${UNSET}", env)).isEmpty();
        assertThat(EnvExpander.expand("$$", env)).isEqualTo("$");
        assertThat(EnvExpander.expand("price is $$100", env)).isEqualTo("price is $100");
        assertThat(EnvExpander.expand("${FOO}_${BAR}", env)).isEqualTo("hello_world");
        assertThat(EnvExpander.expand("$VAR1$VAR2", env)).isEqualTo("ab");
        assertThat(EnvExpander.expand("$", env)).isEqualTo("$");
        assertThat(EnvExpander.expand("${", env)).isEqualTo("${");
        assertThat(EnvExpander.expand("${}", env)).isEmpty();
    }

    @Test
    void envStepExpandsOnceAndTheResultIsNeverReexpanded() {
        ExecutionContext context = new ExecutionContext("", Map.of("PATH", "/usr/bin"), null)
                .withEnv("PATH", "/opt/bin:$PATH")
                .withEnv("LITERAL", "$$HOME");
        assertThat(context.env()).containsEntry("PATH", "/opt/bin:/usr/bin").containsEntry("LITERAL", "$HOME");
        assertThat(context.wrap("true")).contains("LITERAL='$HOME'");
    }

    @Test
    void userSetsHome() {
        assertThat(new ExecutionContext("", Map.of(), null).withUser("app").env()).containsEntry("HOME", "/home/app");
        assertThat(new ExecutionContext("", Map.of(), "app").withUser("root").env()).containsEntry("HOME", "/root");
    }

    @Test
    void shellQuoting() {
        assertThat(Shell.quote("")).isEqualTo("''");
        assertThat(Shell.quote("it's fine")).isEqualTo("'it'\\''s fine'");
        assertThat(Shell.quote("a'b'c")).isEqualTo("'a'\\''b'\\''c'");
    }

    @Test
    void healthcheckFlagsAndDefaults() {
        Healthcheck all = Healthcheck.parse("--interval=5s --timeout=2s --start-period=15s --retries=3 ping -c 1 8.8.8.8");
        assertThat(all).isEqualTo(new Healthcheck(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(15), 3,
                "ping -c 1 8.8.8.8"));
        assertThat(Healthcheck.parse("--timeout=5s my-custom-check --verbose").timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(Healthcheck.parse("--timeout=5s my-custom-check --verbose").command()).isEqualTo("my-custom-check --verbose");
        assertThat(Healthcheck.parse("--retries=5 test.sh").retries()).isEqualTo(5);
        assertThat(Healthcheck.parse("--interval=2s command-with-dash --flag=value").command())
                .isEqualTo("command-with-dash --flag=value");
        Healthcheck defaults = Healthcheck.parse("curl -f localhost:8080");
        assertThat(defaults.interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.startPeriod()).isZero();
        assertThat(defaults.retries()).isZero();
    }

    @Test
    void healthcheckErrors() {
        assertThatThrownBy(() -> Healthcheck.parse("")).isInstanceOf(RecipeException.class);
        assertThatThrownBy(() -> Healthcheck.parse("   ")).isInstanceOf(RecipeException.class);
        assertThatThrownBy(() -> Healthcheck.parse("--interval=5s --retries=2")).hasMessageContaining("command is required");
        assertThatThrownBy(() -> Healthcheck.parse("--bogus=1 cmd")).hasMessageContaining("unknown flag --bogus");
        assertThatThrownBy(() -> Healthcheck.parse("--interval=5smiles cmd")).isInstanceOf(RecipeException.class);
        assertThatThrownBy(() -> Healthcheck.parse("--retries=five cmd")).hasMessageContaining("--retries");
        assertThatThrownBy(() -> Healthcheck.parse("--interval cmd")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Healthcheck.parse("--interval=0s cmd")).hasMessageContaining("greater than zero");
    }
}
