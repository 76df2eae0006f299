package dev.kiln.api;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, as Grafana panels and Prometheus rules write them: what is left
 * once strings, label matchers, ranges, grouping clauses, numbers, keywords and function calls are taken out.
 * A histogram is read through its series ({@code x_bucket}, {@code x_sum}, {@code x_count}), which is what a
 * scrape lists too, so names compare as they are.
 */
final class PromQlNames {
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+|\\[\\[\\w+]]");
    /** {@code label_values(metric, label)} in a Grafana variable: the metric is the expression, the label is not. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\s*\\((.*),\\s*[a-zA-Z_]\\w*\\s*\\)");
    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?\\w+|@\\s*[\\w.()]+");
    private static final Pattern TOKEN = Pattern.compile(
            "(?<number>0x[0-9a-fA-F]+|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)|(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");

    private PromQlNames() {}

    static Set<String> of(String expression) {
        String text = GRAFANA_VARIABLE.matcher(expression).replaceAll("");
        Matcher labelValues = LABEL_VALUES.matcher(text);
        if (labelValues.find()) {
            text = labelValues.group(1);
        } else if (text.matches("\\s*label_values\\s*\\(\\s*\\w+\\s*\\)\\s*")) {
            return Set.of();
        }
        text = STRING.matcher(text).replaceAll(" ");
        text = MATCHERS.matcher(text).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        text = OFFSET.matcher(text).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher token = TOKEN.matcher(text);
        while (token.find()) {
            String name = token.group("name");
            if (name == null || KEYWORDS.contains(name.toLowerCase())) {
                continue;
            }
            if (followedByParenthesis(text, token.end())) {
                continue; // a function or an aggregation: sum(...), rate(...), histogram_quantile(...)
            }
            names.add(name);
        }
        return names;
    }

    private static boolean followedByParenthesis(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '(';
            }
        }
        return false;
    }
}
