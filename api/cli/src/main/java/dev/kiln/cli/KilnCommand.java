package dev.kiln.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code kiln} itself: the options every command takes and what the commands share (the API client, the output
 * streams, the clock). The commands reach it through {@code @ParentCommand}. {@code scope = INHERIT} gives every
 * command the help options, the exit status list and the environment footer; {@code --url} and {@code --key} are
 * inherited too, so that they may come anywhere on the line.
 */
@Command(
        name = "kiln",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = KilnCommand.Version.class,
        synopsisHeading = "usage: ",
        // What a bug (an exception other than the API's refusal) exits with, after its stack trace.
        exitCodeOnExecutionException = KilnCli.EXIT_FAILED,
        exitCodeOnInvalidInput = KilnCli.EXIT_USAGE,
        description = "The admin command line of Kiln, a client of its REST API.",
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:done",
            "1:refused or failed: an API error, or a failed or cancelled build or session",
            "2:a wrong command line"},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  KILN_URL        the API, unless --url is given (default " + KilnCommand.DEFAULT_URL + ")",
            "  KILN_API_KEY    the API key, unless --key is given",
            "  KILN_ADMIN_KEY  the API key when KILN_API_KEY is unset",
            "  KILN_PROGRESS   tty or plain: how --follow draws progress, whatever stderr is"},
        subcommands = {
            BuildCommands.class, TemplateCommands.class, HostsCommand.class, GoldenCommands.class, SessionCommands.class,
            HelpCommand.class})
final class KilnCommand {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    @Option(names = "--url", paramLabel = "URL", scope = ScopeType.INHERIT, description = "the API (default: $KILN_URL)")
    private String url;

    @Option(names = "--key", paramLabel = "KEY", scope = ScopeType.INHERIT,
            description = "an API key (default: $KILN_API_KEY, else $KILN_ADMIN_KEY)")
    private String key;

    @Spec
    private CommandSpec spec;

    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final int columns;
    private final Clock clock;
    private final ObjectMapper json;
    private KilnClient client;

    KilnCommand(Map<String, String> environment, PrintStream out, PrintStream err, boolean terminal, int columns,
            Clock clock, ObjectMapper json) {
        this.environment = requireNonNull(environment, "environment is null");
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
        this.terminal = terminal;
        this.columns = columns;
        this.clock = requireNonNull(clock, "clock is null");
        this.json = requireNonNull(json, "json is null");
    }

    /** Made on first use, once the command line has said where the API is. */
    KilnClient client() {
        if (client == null) {
            String base = url != null ? url : environment.getOrDefault("KILN_URL", DEFAULT_URL);
            client = new KilnClient(base, key(), json);
        }
        return client;
    }

    /** The key the requests carry; empty when there is none. */
    String key() {
        return key != null ? key : environment.getOrDefault("KILN_API_KEY", environment.getOrDefault("KILN_ADMIN_KEY", ""));
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    Clock clock() {
        return clock;
    }

    ObjectMapper json() {
        return json;
    }

    StatusLine statusLine() {
        return new StatusLine(err, terminal, columns);
    }

    /**
     * A command line that parsed but makes no sense (a recipe file without instructions, say): reported like a
     * parse error, with the usage of the command that was run, and exit status 2.
     */
    ParameterException usageError(String message) {
        ParseResult result = spec.commandLine().getParseResult();
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return new ParameterException(result.commandSpec().commandLine(), message);
    }

    /**
     * The command list of {@code kiln --help}: every runnable command with its arguments, such as
     * {@code build submit <recipe-file>}, so that one screen shows all there is, rather than only the groups.
     */
    static String commandTree(Help help) {
        List<String[]> rows = new ArrayList<>();
        collectLeaves(help.commandSpec(), "", rows);
        // Laid out as picocli lays out its own command list: names on the left, summaries wrapped on the right.
        int names = rows.stream().mapToInt(row -> row[0].length()).max().orElse(0) + 2;
        Help.TextTable table = Help.TextTable.forColumns(help.colorScheme(),
                new Help.Column(names, 2, Help.Column.Overflow.SPAN),
                new Help.Column(help.commandSpec().usageMessage().width() - names, 2, Help.Column.Overflow.WRAP));
        rows.forEach(table::addRowValues);
        return table.toString();
    }

    private static void collectLeaves(CommandSpec spec, String prefix, List<String[]> rows) {
        // A command is in the map under each of its names and aliases; list it once.
        for (CommandLine sub : new LinkedHashSet<>(spec.subcommands().values())) {
            CommandSpec command = sub.getCommandSpec();
            String path = prefix + command.name();
            if (!command.subcommands().isEmpty()) {
                collectLeaves(command, path + " ", rows);
                continue;
            }
            StringBuilder usage = new StringBuilder(path);
            for (PositionalParamSpec positional : command.positionalParameters()) {
                boolean optional = positional.arity().min() == 0;
                usage.append(' ').append(optional ? "[" + positional.paramLabel() + "]" : positional.paramLabel());
            }
            String[] summary = command.usageMessage().header().length > 0
                    ? command.usageMessage().header() : command.usageMessage().description();
            rows.add(new String[] {usage.toString(), summary.length > 0 ? String.format(summary[0]).strip() : ""});
        }
    }

    /** {@code kiln -V}: the version the jar was built as (its manifest), or a development build run from classes. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kiln " + Optional.ofNullable(KilnCommand.class.getPackage().getImplementationVersion())
                    .orElse("(development build)")};
        }
    }
}
