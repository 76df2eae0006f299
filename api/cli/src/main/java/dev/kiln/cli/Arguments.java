package dev.kiln.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's arguments: positionals, {@code --flag}s and {@code --option value} (or {@code --option=value}).
 * Anything after {@code --} is positional. Unknown options are refused, so that a typo is not silently ignored.
 */
public final class Arguments {
    private final List<String> positionals;
    private final Map<String, String> options;

    private Arguments(List<String> positionals, Map<String, String> options) {
        this.positionals = positionals;
        this.options = options;
    }

    /**
     * @param flags options without a value
     * @param valued options that take a value
     */
    public static Arguments parse(List<String> args, Set<String> flags, Set<String> valued) {
        List<String> positionals = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                positionals.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                positionals.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                options.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                options.put(name, value);
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        return new Arguments(List.copyOf(positionals), options);
    }

    public List<String> positionals() {
        return positionals;
    }

    /** The one positional at {@code index}, named {@code what} in the error when it is missing. */
    public String positional(int index, String what) {
        if (index >= positionals.size()) {
            throw new UsageException("missing " + what);
        }
        return positionals.get(index);
    }

    /** Refuses positionals beyond the first {@code count}. */
    public Arguments atMost(int count) {
        if (positionals.size() > count) {
            throw new UsageException("unexpected argument " + positionals.get(count));
        }
        return this;
    }

    public boolean flag(String name) {
        return options.containsKey(name);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }
}
