package dev.kiln.workflows.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Heartbeat details of a running step: how long it has run, how much it has printed on both streams, and the last
 * few KiB of each stream ({@code null} from hosts older than the tails, and from execs that do not send them).
 * kiln-api decodes it from the pending RunStep activity and turns successive tails into live {@code log} events.
 *
 * <p>Components are only ever added: running histories and older hosts send the shorter shape, which decodes with
 * the new components null. Unknown properties are ignored because hosts and kiln-api upgrade separately, and the
 * SDK's default JSON converter fails on them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StepProgress(long elapsedMs, long outputBytes, String stdoutTail, String stderrTail) {

    /** Progress without the output itself. */
    public StepProgress(long elapsedMs, long outputBytes) {
        this(elapsedMs, outputBytes, null, null);
    }
}
