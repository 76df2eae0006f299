package dev.kiln.workflows.build.recipe;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The working directory, environment and user a build's steps run with. One context flows through all phases;
 * each ENV, WORKDIR and USER step returns a new one.
 */
public record ExecutionContext(String workdir, Map<String, String> env, String user) {
    public static final String ROOT = "root";

    public ExecutionContext {
        workdir = workdir == null ? "" : workdir;
        env = Map.copyOf(env == null ? Map.of() : env);
        user = user == null || user.isEmpty() ? ROOT : user;
    }

    public ExecutionContext withEnv(String key, String rawValue) {
        Map<String, String> next = new TreeMap<>(env);
        next.put(key, EnvExpander.expand(rawValue, env));
        return new ExecutionContext(workdir, next, user);
    }

    public ExecutionContext withWorkdir(String path) {
        return new ExecutionContext(path, env, user);
    }

    public ExecutionContext withUser(String name) {
        Map<String, String> next = new TreeMap<>(env);
        next.put("HOME", ROOT.equals(name) ? "/root" : "/home/" + name);
        return new ExecutionContext(workdir, next, name);
    }

    /**
     * The context after a step that succeeded: what the host returns for it, known in advance because only ENV,
     * WORKDIR and USER change a context and none of them depends on what the sandbox holds.
     */
    public ExecutionContext afterStep(Instruction instruction, List<String> arguments) {
        return switch (instruction) {
            case ENV -> withEnv(arguments.get(0), arguments.get(1));
            case WORKDIR -> withWorkdir(resolve(arguments.get(0)));
            case USER -> withUser(arguments.get(0));
            case RUN, START, COPY -> this;
        };
    }

    /** Relative paths are taken from the working directory, or from / when there is none. */
    public String resolve(String path) {
        String base = workdir.isEmpty() ? "/" : workdir;
        return Path.of(base).resolve(path).normalize().toString();
    }

    public ExecutionContext asRoot() {
        return new ExecutionContext(workdir, env, ROOT);
    }

    /** {@code cd '<dir>' && K='v' ...} with the variables in key order, so the same context gives the same text. */
    String prefix() {
        StringBuilder prefix = new StringBuilder();
        if (!workdir.isEmpty()) {
            prefix.append("cd ").append(Shell.quote(workdir)).append(" && ");
        }
        new TreeMap<>(env).forEach((key, value) -> prefix.append(key).append('=').append(Shell.quote(value)).append(' '));
        return prefix.toString();
    }

    /** The shell text that runs a RUN command in this context. */
    public String wrap(String command) {
        if (workdir.isEmpty() && env.isEmpty() && ROOT.equals(user)) {
            return command;
        }
        return asUser(prefix() + "/bin/sh -c " + Shell.quote(command));
    }

    /** The shell text that starts a START command in the background, detached from the exec session. */
    public String wrapStart(String command) {
        return asUser(prefix() + "nohup /bin/sh -c " + Shell.quote(command) + " >/dev/null 2>&1 &");
    }

    private String asUser(String inner) {
        return ROOT.equals(user) ? inner : "su " + Shell.quote(user) + " -s /bin/sh -c " + Shell.quote(inner);
    }
}
