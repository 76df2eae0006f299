package dev.kiln.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A PostgreSQL server of a test class's own, for tests that crash it: the machine's cluster "main" serves other
 * tests and a demo stack, and never goes down. Debian's PostgreSQL 15 binaries run as the postgres user (initdb
 * refuses root) on a free loopback port, with data, socket and log in one temp dir. It has the role and database
 * kiln/kiln that kiln-api's test configuration logs in with.
 *
 * <p>The dir goes in {@link #afterAll}, in a shutdown hook when the run ends without getting there, and in a later
 * run's {@link #sweepAbandoned} when this JVM was killed outright.
 */
final class PostgresServer implements BeforeAllCallback, AfterAllCallback {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final String PREFIX = "kiln-fault-pg-";

    private final Thread teardownAtExit = new Thread(this::removeAtExit, "kiln-fault-pg-teardown");
    private Path dir;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        sweepAbandoned();
        dir = OwnedTempDirs.create(PREFIX);
        Runtime.getRuntime().addShutdownHook(teardownAtExit);
        Commands.require("chown", "postgres:postgres", dir.toString());
        port = Ports.free();
        // trust: only this machine reaches it, on loopback and a socket in this dir.
        Commands.require(asPostgres(BIN.resolve("initdb").toString(), "--pgdata", data(dir).toString(),
                "--auth", "trust", "--username", "postgres", "--encoding", "UTF8", "--no-sync"));
        start();
        Commands.require(asPostgres(BIN.resolve("psql").toString(), "--host", dir.toString(),
                "--port", String.valueOf(port), "--username", "postgres", "--dbname", "postgres", "--quiet",
                "--set", "ON_ERROR_STOP=1",
                "--command", "CREATE ROLE kiln LOGIN CREATEDB PASSWORD 'kiln'",
                "--command", "CREATE DATABASE kiln OWNER kiln"));
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/kiln";
    }

    /** Starts the server on its dir and port, after {@link #crash} too, and returns once it accepts connections. */
    void start() throws IOException, InterruptedException {
        Commands.require(asPostgres(BIN.resolve("pg_ctl").toString(), "--pgdata", data(dir).toString(), "--log",
                dir.resolve("postgres.log").toString(), "--wait", "--timeout", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start"));
    }

    /**
     * Immediate shutdown: every connection is cut and nothing is checkpointed, so the next start runs crash recovery,
     * as after a kill -9 of the postmaster, without orphaned backends holding the shared memory.
     */
    void crash() throws IOException, InterruptedException {
        Commands.require(asPostgres(stopImmediately(dir)));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            remove(dir);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(teardownAtExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs now
            }
        }
    }

    private void removeAtExit() {
        try {
            remove(dir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not remove the test's PostgreSQL in " + dir + ": " + e);
        }
    }

    /** Earlier runs' servers whose JVM was killed before it could stop them. */
    private static void sweepAbandoned() throws IOException, InterruptedException {
        for (Path abandoned : OwnedTempDirs.abandoned(PREFIX)) {
            remove(abandoned);
        }
    }

    private static void remove(Path dir) throws IOException, InterruptedException {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(data(dir).resolve("postmaster.pid"))) {
            // Not required to succeed: a pid file outlives a server killed outright, and then there is none to stop.
            Commands.run(List.of(asPostgres(stopImmediately(dir))));
        }
        OwnedTempDirs.delete(dir);
    }

    private static String[] stopImmediately(Path dir) {
        return new String[] {BIN.resolve("pg_ctl").toString(), "--pgdata", data(dir).toString(), "--mode", "immediate",
                "--wait", "stop"};
    }

    private static Path data(Path dir) {
        return dir.resolve("data");
    }

    private static String[] asPostgres(String... command) {
        return Stream.concat(Stream.of("runuser", "-u", "postgres", "--"), Arrays.stream(command))
                .toArray(String[]::new);
    }
}
