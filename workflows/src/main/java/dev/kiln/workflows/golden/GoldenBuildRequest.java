package dev.kiln.workflows.golden;

/**
 * Payload: one host's golden build. {@code warmupScript} is the text of the project's warm-up script, run by
 * {@code /bin/sh} on the host with {@code DOCKER_HOST} set to the build's own daemon; a blank script is a missing
 * one and fails the build. {@code deadlineSeconds} bounds the whole build on the host, from the copy of the old
 * golden to the daemon's exit. {@code incremental} starts from a copy of the current golden instead of an empty
 * data dir.
 */
public record GoldenBuildRequest(
        String projectId, String buildId, String warmupScript, long deadlineSeconds, boolean incremental) {}
