package dev.kiln.cli;

import java.util.ArrayList;
import java.util.List;

/** Values as a line of block characters, lowest to highest: ▁▂▃▄▅▆▇█. */
public final class Sparkline {
    private static final char[] BLOCKS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};

    private Sparkline() {}

    /**
     * One block per value, scaled so that the largest value is a full block and zero the lowest one; negative
     * values count as zero. All zeros (or an empty list) draw as the lowest block, or nothing.
     */
    public static String of(List<Double> values) {
        double max = 0;
        for (double value : values) {
            max = Math.max(max, value);
        }
        StringBuilder line = new StringBuilder(values.size());
        for (double value : values) {
            int index = max <= 0 ? 0 : (int) Math.round(Math.max(0, value) / max * (BLOCKS.length - 1));
            line.append(BLOCKS[index]);
        }
        return line.toString();
    }

    /** The last {@code width} values, or all of them when there are fewer. */
    public static String ofLast(List<Double> values, int width) {
        return of(values.subList(Math.max(0, values.size() - width), values.size()));
    }

    /**
     * Rates between consecutive samples of a cumulative counter, in units per second: {@code max(0, dv/dt)}. A pair
     * with no time between them is skipped.
     *
     * @param times sample times in milliseconds
     * @param values the counter at each time
     */
    public static List<Double> rates(List<Long> times, List<Long> values) {
        if (times.size() != values.size()) {
            throw new IllegalArgumentException("times and values differ in size");
        }
        List<Double> rates = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            long elapsedMs = times.get(i) - times.get(i - 1);
            if (elapsedMs <= 0) {
                continue;
            }
            rates.add(Math.max(0, values.get(i) - values.get(i - 1)) * 1000.0 / elapsedMs);
        }
        return rates;
    }
}
