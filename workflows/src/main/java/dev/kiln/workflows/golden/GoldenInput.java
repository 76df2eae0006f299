package dev.kiln.workflows.golden;

/**
 * Payload: a project's golden workflow. {@code deadlineSeconds} bounds each host's build end to end: the host's
 * script deadline and the build activity's timeout are both derived from it.
 */
public record GoldenInput(String projectId, String teamId, long deadlineSeconds) {}
