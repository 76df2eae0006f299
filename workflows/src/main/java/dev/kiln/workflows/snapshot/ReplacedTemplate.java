package dev.kiln.workflows.snapshot;

/**
 * Payload: the platform template a snapshot replaced, whose image hosts must now drop; null fields: none. Since
 * versions (#16) a snapshot replaces nothing, it adds a version, so a publish returns nulls; histories from before
 * still replay the removal they scheduled.
 */
public record ReplacedTemplate(String templateId, String imageRef) {}
