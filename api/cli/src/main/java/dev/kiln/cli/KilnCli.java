package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.kiln.cli.wire.WireJson;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code kiln}: the admin command line of Kiln, a client of the REST API (java.net.http and Jackson), its commands
 * parsed by picocli ({@link KilnCommand} and the command classes under it). Exit status: 0 done, 1 refused or failed
 * (an API error, a failed or cancelled build or session), 2 a wrong command line.
 */
public final class KilnCli {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private final Map<String, String> environment;
    private final boolean terminal;
    private final int columns;
    private final Clock clock;

    /**
     * @param environment where KILN_URL and the key are read
     * @param terminal stderr is a terminal: progress is drawn in place
     * @param columns the terminal's width
     */
    public KilnCli(Map<String, String> environment, boolean terminal, int columns, Clock clock) {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.terminal = terminal;
        this.columns = columns;
        this.clock = requireNonNull(clock, "clock is null");
    }

    public static void main(String[] args) {
        // The launcher knows whether stderr is a terminal; Java 17 cannot tell for stderr alone.
        String forced = System.getenv().getOrDefault("KILN_PROGRESS", "");
        boolean terminal = switch (forced) {
            case "tty" -> true;
            case "plain" -> false;
            default -> Boolean.getBoolean("kiln.cli.terminal") || System.console() != null;
        };
        int columns = Integer.getInteger("kiln.cli.columns", parseInt(System.getenv("COLUMNS"), 100));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, UTF_8);
        int status = new KilnCli(System.getenv(), terminal, columns, Clock.systemUTC()).run(args, out, err);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs one command; never calls System.exit, so that tests run it in-process. */
    public int run(String[] args, PrintStream out, PrintStream err) {
        KilnCommand kiln = new KilnCommand(environment, out, err, terminal, columns, clock, WireJson.mapper());
        CommandLine commandLine = new CommandLine(kiln)
                .setOut(new PrintWriter(new OutputStreamWriter(out, UTF_8), true))
                .setErr(new PrintWriter(new OutputStreamWriter(err, UTF_8), true))
                // The same help on a terminal and in a pipe, and in tests.
                .setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF))
                .setParameterExceptionHandler(KilnCli::reportUsageMistake)
                .setExecutionExceptionHandler((e, command, parsed) -> reportApiError(e, command, kiln));
        commandLine.getCommandSpec().usageMessage().sectionMap()
                .put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, KilnCommand::commandTree);
        int status = commandLine.execute(args);
        commandLine.getOut().flush();
        commandLine.getErr().flush();
        return status;
    }

    /**
     * The mistake, then the nearest option or command if it was a typo; else, for a group such as {@code build}, its
     * whole help (the list of what it offers), and for a command its synopsis and where to read more.
     */
    private static int reportUsageMistake(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("kiln: " + describe(e));
        if (UnmatchedArgumentException.printSuggestions(e, err)) {
            err.flush();
            return EXIT_USAGE;
        }
        if (!command.getSubcommands().isEmpty()) {
            command.usage(err);
        } else {
            Help help = command.getHelp();
            err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
            err.println("see: " + command.getCommandSpec().qualifiedName() + " --help");
        }
        err.flush();
        return EXIT_USAGE;
    }

    /**
     * Picocli's message, except for missing arguments, which are named by the first line of their description
     * ({@code missing the build id}) rather than by their label.
     */
    private static String describe(ParameterException e) {
        if (e instanceof MissingParameterException missing
                && missing.getMissing().stream().allMatch(arg -> arg.isPositional() && arg.description().length > 0)) {
            return "missing " + missing.getMissing().stream().map(arg -> arg.description()[0])
                    .collect(Collectors.joining(" and "));
        }
        String message = e.getMessage();
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    /** The API's refusal as {@code 409 code: message} and exit status 1; anything else is a bug, shown as one. */
    private static int reportApiError(Exception e, CommandLine command, KilnCommand kiln) throws Exception {
        if (!(e instanceof ApiError error)) {
            throw e;
        }
        PrintWriter err = command.getErr();
        err.println("kiln: " + (error.status() == 0 ? error.getMessage() : error));
        if (error.status() == 401 && kiln.key().isEmpty()) {
            err.println("kiln: no API key: set KILN_API_KEY (or KILN_ADMIN_KEY)");
        }
        err.flush();
        return EXIT_FAILED;
    }

    private static int parseInt(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
