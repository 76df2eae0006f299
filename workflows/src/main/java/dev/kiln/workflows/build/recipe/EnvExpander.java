package dev.kiln.workflows.build.recipe;

import java.util.Map;

/**
 * Expands ENV values once, when the ENV step runs: {@code $$} is a dollar, {@code $NAME} and {@code ${NAME}}
 * take the current value (unset is empty), and a lone {@code $} or an unclosed {@code ${} stays literal.
 */
public final class EnvExpander {
    private EnvExpander() {}

    public static String expand(String value, Map<String, String> env) {
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c != '$' || i + 1 >= value.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = value.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int close = value.indexOf('}', i + 2);
                String name = close < 0 ? null : value.substring(i + 2, close);
                if (name == null || !isName(name)) {
                    out.append("${");
                    i += 2;
                } else {
                    out.append(env.getOrDefault(name, ""));
                    i = close + 1;
                }
            } else if (isNameChar(next)) {
                int end = i + 1;
                while (end < value.length() && isNameChar(value.charAt(end))) {
                    end++;
                }
                out.append(env.getOrDefault(value.substring(i + 1, end), ""));
                i = end;
            } else {
                out.append('$');
                i++;
            }
        }
        return out.toString();
    }

    /** An empty name counts: {@code ${}} expands to nothing, as in the reference. */
    private static boolean isName(String name) {
        return name.chars().allMatch(character -> isNameChar((char) character));
    }

    private static boolean isNameChar(char c) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}
