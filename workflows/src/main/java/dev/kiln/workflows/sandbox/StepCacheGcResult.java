package dev.kiln.workflows.sandbox;

/** Payload: what one garbage collection of a host's step cache removed, and what it kept. */
public record StepCacheGcResult(int imagesRemoved, long bytesRemoved, int imagesKept, long bytesKept) {}
