package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.build.recipe.ExecutionContext;
import dev.kiln.workflows.build.recipe.Instruction;
import dev.kiln.workflows.build.recipe.Shell;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import dev.kiln.workflows.sandbox.StepProgress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Executes one recipe instruction in a build sandbox with the reference builder's semantics (wrenn.md 1.3): RUN and
 * START wrapped in the context, ENV without an exec, WORKDIR and USER and COPY as root. Every exec runs as root;
 * a non-root context user is applied by the {@code su} wrapping, so that the sandbox's image user never matters.
 */
final class StepRunner {

    /** Where {@code UploadArchive} unpacks the build's archive; COPY sources are relative to it. */
    static final String BUILD_FILES = "/tmp/build-files";

    /**
     * How much of each stream's end a step's heartbeat carries, for kiln-api's live log. Half the result's tail:
     * with one heartbeat a second, two in a row overlap unless a step prints more than this in a second, and two
     * tails stay well under Temporal's payload limits.
     */
    static final int HEARTBEAT_TAIL_BYTES = 4 * 1024;

    static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WORKDIR_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration USER_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Creates the user unless it exists, with a home and a login shell, and passwordless sudo. Debian has useradd;
     * busybox images may have adduser; a bare busybox (Kiln's minimal image) has neither, so the last resort
     * appends to the account files the way adduser would. The home is made and chowned even for an existing user,
     * since the context's HOME says /home/<u> whatever the account says. {@code $1} is the user name.
     */
    private static final String CREATE_USER = """
            set -e
            u=$1
            if ! id -u "$u" >/dev/null 2>&1; then
              shell=/bin/sh
              [ -x /bin/bash ] && shell=/bin/bash
              group=
              grep -q "^$u:" /etc/group && group=$u
              if command -v useradd >/dev/null 2>&1; then
                useradd -m -s "$shell" ${group:+-g "$group"} "$u"
              elif command -v adduser >/dev/null 2>&1; then
                adduser -D -s "$shell" ${group:+-G "$group"} "$u"
              else
                next_id() {
                  awk -F: '$3 >= 1000 && $3 < 60000 && $3 > m { m = $3 } END { print (m ? m + 1 : 1000) }' "$1"
                }
                if [ -n "$group" ]; then
                  gid=$(awk -F: -v g="$u" '$1 == g { print $3 }' /etc/group)
                else
                  gid=$(next_id /etc/group)
                  echo "$u:x:$gid:" >> /etc/group
                fi
                uid=$(next_id /etc/passwd)
                echo "$u:x:$uid:$gid::/home/$u:$shell" >> /etc/passwd
                if [ -f /etc/shadow ]; then echo "$u:!::0:99999:7:::" >> /etc/shadow; fi
              fi
            fi
            mkdir -p "/home/$u"
            chown "$u:$(id -g "$u")" "/home/$u"
            mkdir -p /etc/sudoers.d
            echo "$u ALL=(ALL) NOPASSWD:ALL" > "/etc/sudoers.d/$u"
            chmod 0440 "/etc/sudoers.d/$u"
            """;

    private final ContainerExec exec;

    StepRunner(ContainerExec exec) {
        this.exec = requireNonNull(exec, "exec is null");
    }

    /** The marker name of a step's execs: a retried attempt kills what the attempt before it left by this name. */
    static String execName(RunStep request) {
        return request.buildId() + "/" + request.step();
    }

    StepOutcome run(RunStep request, Consumer<StepProgress> heartbeat) {
        ExecutionContext context = context(request.context());
        Instruction instruction = Instruction.valueOf(request.instruction());
        List<String> arguments = request.arguments() == null ? List.of() : request.arguments();
        return switch (instruction) {
            case RUN -> {
                requireArguments(instruction, arguments, 1);
                ExecResult result = execute(request, context.wrap(arguments.get(0)), DEFAULT_RUN_TIMEOUT, heartbeat);
                yield outcome(request, result, context);
            }
            case START -> start(request, context, arguments, heartbeat);
            case ENV -> {
                requireArguments(instruction, arguments, 2);
                yield new StepOutcome(request.step(), 0, "", "", 0, false,
                        payload(context.withEnv(arguments.get(0), arguments.get(1))));
            }
            case WORKDIR -> workdir(request, context, arguments, heartbeat);
            case USER -> user(request, context, arguments, heartbeat);
            case COPY -> copy(request, context, arguments, heartbeat);
        };
    }

    /** Only the fork's exit code counts; what the started process prints goes to /dev/null. */
    private StepOutcome start(
            RunStep request, ExecutionContext context, List<String> arguments, Consumer<StepProgress> heartbeat) {
        requireArguments(Instruction.START, arguments, 1);
        ExecResult result = execute(request, context.wrapStart(arguments.get(0)), START_TIMEOUT, heartbeat);
        if (result.ok()) {
            return new StepOutcome(request.step(), 0, "", result.stderrTail(), result.elapsedMs(), false,
                    payload(context));
        }
        String stderr = "start failed with exit code " + result.exitCode() + ": " + result.stderrTail().strip();
        return new StepOutcome(request.step(), result.exitCode(), "", stderr, result.elapsedMs(), result.timedOut(),
                payload(context));
    }

    private StepOutcome workdir(
            RunStep request, ExecutionContext context, List<String> arguments, Consumer<StepProgress> heartbeat) {
        requireArguments(Instruction.WORKDIR, arguments, 1);
        String path = context.resolve(arguments.get(0));
        ExecResult result = execute(request, makeWorkdir(path, context.user()), WORKDIR_TIMEOUT, heartbeat);
        return outcome(request, result, result.ok() ? context.withWorkdir(path) : context);
    }

    /**
     * The reference left a new WORKDIR owned by root, so a non-root USER could not write in it (Docker's long-standing
     * WORKDIR annoyance). A directory this step creates belongs to the current user; an existing one is left alone.
     */
    static String makeWorkdir(String path, String user) {
        String quoted = Shell.quote(path);
        if (ExecutionContext.ROOT.equals(user)) {
            return "mkdir -p " + quoted;
        }
        String owner = Shell.quote(user);
        return "[ -d " + quoted + " ] || { mkdir -p " + quoted + " && chown " + owner + ":\"$(id -g " + owner + ")\" "
                + quoted + "; }";
    }

    private StepOutcome user(
            RunStep request, ExecutionContext context, List<String> arguments, Consumer<StepProgress> heartbeat) {
        requireArguments(Instruction.USER, arguments, 1);
        String name = arguments.get(0);
        if (ExecutionContext.ROOT.equals(name)) {
            return new StepOutcome(request.step(), 0, "", "", 0, false, payload(context.withUser(name)));
        }
        String command = "/bin/sh -c " + Shell.quote(CREATE_USER) + " kiln-user " + Shell.quote(name);
        ExecResult result = execute(request, command, USER_TIMEOUT, heartbeat);
        return outcome(request, result, result.ok() ? context.withUser(name) : context);
    }

    /**
     * Sources are checked before anything runs: they must stay inside the unpacked archive. Every path is quoted,
     * so sources are never globbed: a glob such as {@code .*} would match {@code ..} and reach outside.
     */
    private StepOutcome copy(
            RunStep request, ExecutionContext context, List<String> arguments, Consumer<StepProgress> heartbeat) {
        if (arguments.size() < 2) {
            throw new IllegalArgumentException("COPY needs at least one source and a destination, got " + arguments);
        }
        StringBuilder command = new StringBuilder("cp -r");
        for (String source : arguments.subList(0, arguments.size() - 1)) {
            String normalized = Path.of(source).normalize().toString();
            if (source.startsWith("/") || normalized.equals("..") || normalized.startsWith("../")) {
                String refusal = "COPY source must be a relative path within the archive: " + source;
                return new StepOutcome(request.step(), 1, "", refusal, 0, false, payload(context));
            }
            command.append(' ').append(Shell.quote(BUILD_FILES + "/" + (normalized.isEmpty() ? "." : normalized)));
        }
        String destination = context.resolve(arguments.get(arguments.size() - 1));
        command.append(' ').append(Shell.quote(destination));
        if (!ExecutionContext.ROOT.equals(context.user())) {
            String user = Shell.quote(context.user());
            // The user's login group rather than a group of the user's name, which an existing account may lack.
            command.append(" && chown -R ").append(user).append(":\"$(id -g ").append(user).append(")\" ")
                    .append(Shell.quote(destination));
        }
        return outcome(request, execute(request, command.toString(), COPY_TIMEOUT, heartbeat), context);
    }

    private ExecResult execute(
            RunStep request, String command, Duration defaultTimeout, Consumer<StepProgress> heartbeat) {
        Duration timeout = request.timeoutSeconds() > 0 ? Duration.ofSeconds(request.timeoutSeconds()) : defaultTimeout;
        return exec.run(ExecRequest.asRoot(request.containerId(), execName(request), command, timeout),
                HEARTBEAT_TAIL_BYTES, heartbeat);
    }

    private static void requireArguments(Instruction instruction, List<String> arguments, int count) {
        if (arguments.size() != count) {
            throw new IllegalArgumentException(
                    instruction + " takes " + count + " argument(s), got " + arguments.size() + ": " + arguments);
        }
    }

    private static StepOutcome outcome(RunStep request, ExecResult result, ExecutionContext context) {
        return new StepOutcome(request.step(), result.exitCode(), result.stdoutTail(), result.stderrTail(),
                result.elapsedMs(), result.timedOut(), payload(context));
    }

    /** An empty workdir means none, and a null or empty user means root, as in the payload. */
    static ExecutionContext context(StepContext payload) {
        if (payload == null) {
            return new ExecutionContext("", null, null);
        }
        return new ExecutionContext(payload.workdir(), payload.env(), payload.user());
    }

    /** Sorted, so that the same context always serialises the same way in workflow history. */
    static StepContext payload(ExecutionContext context) {
        return new StepContext(context.workdir(), new TreeMap<>(context.env()), context.user());
    }
}
