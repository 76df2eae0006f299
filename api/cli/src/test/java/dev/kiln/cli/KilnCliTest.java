package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The command line as a whole: help, usage mistakes, the global options and environment, and how errors exit. */
class KilnCliTest {
    @RegisterExtension
    final FakeKilnApi api = new FakeKilnApi();

    @Test
    void usageMistakesExitTwoAndUnreachableApisExitOne() {
        assertThat(api.run()).isEqualTo(2);
        assertThat(api.run("build", "frobnicate")).isEqualTo(2);
        assertThat(api.run("build", "get")).isEqualTo(2);
        assertThat(api.err()).contains("missing the build id").contains("usage: kiln");
        assertThat(api.run("help")).isZero();
        assertThat(api.out()).contains("build submit <recipe-file>");

        api.stop();
        assertThat(api.run("hosts")).isEqualTo(1);
        assertThat(api.err()).contains("cannot reach Kiln at http://127.0.0.1:");
    }

    @Test
    void helpListsEveryCommandWithItsArgumentsTheExitStatusesAndTheEnvironment() {
        assertThat(api.run("--help")).isZero();

        assertThat(api.out())
                .startsWith("usage: kiln ")
                .contains("build submit <recipe-file>", "build follow <id>", "build get <id>", "build list",
                        "build cancel <id>", "hosts", "golden status <project>", "session start <project>",
                        "templates versions <name>", "templates rollback <name> [<tag>]",
                        "templates revoke <name> <version>")
                .contains("2   a wrong command line")
                .contains("KILN_URL", "KILN_API_KEY", "KILN_ADMIN_KEY", "KILN_PROGRESS");
        assertThat(api.err()).isEmpty();
    }

    @Test
    void everyCommandHasItsOwnGeneratedHelpAndSendsNothing() {
        assertThat(api.run("build", "--help")).isZero();
        assertThat(api.out()).startsWith("usage: kiln build ").contains("submit", "follow", "get", "list", "cancel");

        assertThat(api.run("build", "submit", "--help")).isZero();
        assertThat(api.out()).contains("usage: kiln build submit ")
                .contains("<recipe-file>", "--name=NAME", "--base=TEMPLATE", "--healthcheck=CMD", "--archive=FILE",
                        "--vcpus=N", "--memory-mb=N", "--skip-pre-post", "--follow", "--url=URL", "--key=KEY");

        assertThat(api.run("help", "session")).isZero();
        assertThat(api.out()).contains("usage: kiln session ").contains("start");

        assertThat(api.run("build", "list", "-h")).isZero();
        assertThat(api.out()).contains("--status=STATUS", "only the builds in this status: pending, running,")
                .contains("success, failed, cancelled");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void mistakesAreUsageErrorsThatNameTheProblem() {
        assertThat(api.run("build", "submit", "r.txt", "--folow")).isEqualTo(2);
        assertThat(api.err()).contains("unknown option: '--folow'").contains("--follow");

        assertThat(api.run("build", "submit", "r.txt", "--name")).isEqualTo(2);
        assertThat(api.err()).contains("missing required parameter for option '--name'");

        assertThat(api.run("build", "submit", "r.txt", "--follow=yes")).isEqualTo(2);
        assertThat(api.err()).contains("invalid value for option '--follow': 'yes'");

        assertThat(api.run("build", "get", "a", "b")).isEqualTo(2);
        assertThat(api.err()).contains("unmatched argument at index 3: 'b'");

        assertThat(api.run("golden", "status")).isEqualTo(2);
        assertThat(api.err()).contains("missing the project id").contains("see: kiln golden status --help");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void globalOptionsMayComeAfterTheCommandAndWinOverTheEnvironment() {
        api.route("/v1/hosts", 200, "application/json", "[]");

        int status = api.runWith(Map.of("KILN_URL", "http://127.0.0.1:1", "KILN_API_KEY", "from_env"),
                "hosts", "--url", api.url(), "--key=from_line");

        assertThat(status).as(api.err()).isZero();
        assertThat(api.authorizations).containsExactly("Bearer from_line");
    }

    @Test
    void theApiKeyIsUsedBeforeTheAdminKey() {
        api.route("/v1/hosts", 200, "application/json", "[]");

        assertThat(api.runWith(Map.of("KILN_API_KEY", "team", "KILN_ADMIN_KEY", "admin"), "hosts")).isZero();

        assertThat(api.authorizations).containsExactly("Bearer team");
    }

    @Test
    void unauthorizedWithoutAKeySaysWhichVariableToSet() {
        api.route("/v1/hosts", 401, "application/json",
                "{\"error\":{\"code\":\"unauthorized\",\"message\":\"an API key is required\"}}");

        assertThat(api.runWith(Map.of(), "hosts")).isEqualTo(1);

        assertThat(api.err()).contains("kiln: 401 unauthorized: an API key is required")
                .contains("kiln: no API key: set KILN_API_KEY (or KILN_ADMIN_KEY)");
        assertThat(api.authorizations).containsExactly("null");
    }

    @Test
    void anErrorBodyThatIsNotTheApisIsReportedByStatus() {
        api.route("/v1/hosts", 502, "text/html", "<html>bad gateway</html>");

        assertThat(api.run("hosts")).isEqualTo(1);

        assertThat(api.err()).contains("kiln: 502 http_502: <html>bad gateway</html>");
    }

    @Test
    void anAnswerThisClientCannotReadIsAnErrorNotACrash() {
        api.route("/v1/hosts", 200, "application/json", "{\"hosts\":[]}");
        api.route("/v1/admin/builds/bld-1/cancel", 202, "application/json", "");

        assertThat(api.run("hosts")).isEqualTo(1);
        assertThat(api.run("build", "cancel", "bld-1")).isEqualTo(1);

        assertThat(api.err()).contains("kiln: 200 unreadable_response: the server answered 200 with a body this client"
                + " cannot read: ").contains("kiln: 202 unreadable_response: the server answered 202 with no body")
                .doesNotContain("Exception");
    }

    @Test
    void versionNamesTheClient() {
        assertThat(api.run("--version")).isZero();
        assertThat(api.out()).startsWith("kiln ");
    }
}
