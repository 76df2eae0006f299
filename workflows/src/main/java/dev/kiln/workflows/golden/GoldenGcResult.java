package dev.kiln.workflows.golden;

/** Payload: what one garbage collection on a host removed. */
public record GoldenGcResult(int sessionDirsRemoved, int generationsRemoved, int buildDirsRemoved) {}
