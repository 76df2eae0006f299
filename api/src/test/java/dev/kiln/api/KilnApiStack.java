package dev.kiln.api;

import dev.kiln.db.TestDatabase;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real kiln-api on a random port, over a fresh PostgreSQL database and the shared Temporal dev server.
 * Each stack polls its own control task queue, so concurrent or leftover runs never take its tasks.
 */
final class KilnApiStack implements BeforeAllCallback, AfterAllCallback {
    final String adminKey = "kiln_it_admin_" + UUID.randomUUID();
    final String controlTaskQueue = "kiln-control-it-" + UUID.randomUUID();
    private final TestDatabase database = new TestDatabase();
    private DropwizardTestSupport<KilnApiConfiguration> app;
    private ApiTestClient client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        database.beforeAll(context);
        app = new DropwizardTestSupport<>(KilnApiApplication.class, ResourceHelpers.resourceFilePath("kiln-test.yml"),
                ConfigOverride.config("database.url", database.jdbcUrl()),
                ConfigOverride.config("adminKey", adminKey),
                ConfigOverride.config("temporal.controlTaskQueue", controlTaskQueue));
        app.before();
        client = new ApiTestClient(app.getLocalPort());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (app != null) {
            app.after();
        }
        database.afterAll(context);
    }

    ApiTestClient client() {
        return client;
    }

    int port() {
        return app.getLocalPort();
    }

    TestDatabase database() {
        return database;
    }
}
