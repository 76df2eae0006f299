package dev.kiln.cli;

import java.util.Optional;

/**
 * Reads {@code text/event-stream} one line at a time, as the HTML specification describes: {@code event:} names
 * the event, {@code data:} lines are joined with newlines, a blank line dispatches, lines starting with a colon are
 * comments (keep-alives), and one space after the colon is dropped. {@code id} and {@code retry} are ignored: Kiln's
 * stream replays its history on reconnect instead.
 */
public final class SseParser {
    private static final String DEFAULT_NAME = "message";

    private String name;
    private StringBuilder data;

    /** The event this line completes, if it is the blank line after one. */
    public Optional<SseEvent> line(String line) {
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.startsWith(":")) {
            return Optional.empty();
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> name = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder();
                } else {
                    data.append('\n');
                }
                data.append(value);
            }
            default -> {
                // id, retry and unknown fields
            }
        }
        return Optional.empty();
    }

    /** An event with no data is dropped, as a browser would; the name is reset either way. */
    private Optional<SseEvent> dispatch() {
        Optional<SseEvent> event = data == null
                ? Optional.empty()
                : Optional.of(new SseEvent(name == null || name.isEmpty() ? DEFAULT_NAME : name, data.toString()));
        name = null;
        data = null;
        return event;
    }
}
