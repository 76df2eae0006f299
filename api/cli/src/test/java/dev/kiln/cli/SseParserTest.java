package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
    private static List<SseEvent> parse(String stream) {
        SseParser parser = new SseParser();
        List<SseEvent> events = new ArrayList<>();
        stream.lines().forEach(line -> parser.line(line).ifPresent(events::add));
        parser.line("").ifPresent(events::add);
        return events;
    }

    @Test
    void namedEventsAsKilnSendsThem() {
        List<SseEvent> events = parse("""
                event: status
                data: {"status":"running"}

                event: step-start
                data: {"step":1}

                """);
        assertThat(events).containsExactly(
                new SseEvent("status", "{\"status\":\"running\"}"), new SseEvent("step-start", "{\"step\":1}"));
    }

    @Test
    void commentsAreKeepAlivesAndIgnored() {
        assertThat(parse(": keep-alive\n\n: keep-alive\n\nevent: log\ndata: x\n\n")).containsExactly(new SseEvent("log", "x"));
    }

    @Test
    void dataLinesJoinWithNewlinesAndOnlyOneLeadingSpaceIsDropped() {
        assertThat(parse("data:first\ndata:  second\n\n")).containsExactly(new SseEvent("message", "first\n second"));
    }

    @Test
    void anEventWithoutDataIsDroppedAndItsNameForgotten() {
        assertThat(parse("event: orphan\n\ndata: next\n\n")).containsExactly(new SseEvent("message", "next"));
    }

    @Test
    void idRetryAndUnknownFieldsAreIgnored() {
        assertThat(parse("id: 7\nretry: 1000\nfoo: bar\nevent: status\ndata: {}\n\n"))
                .containsExactly(new SseEvent("status", "{}"));
    }

    @Test
    void aFieldWithoutAColonIsAFieldWithAnEmptyValue() {
        assertThat(parse("data\n\n")).containsExactly(new SseEvent("message", ""));
    }
}
