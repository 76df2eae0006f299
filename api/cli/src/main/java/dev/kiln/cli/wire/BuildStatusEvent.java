package dev.kiln.cli.wire;

/** The data of a build's {@code status} event ({@code BuildStatusEvent}); the terminal one is the stream's last. */
public record BuildStatusEvent(
        String status, int totalSteps, BuildErrorView error, String templateId, String cancelledBy) {}
