package dev.kiln.workflows.snapshot;

/** Payload: the platform template a snapshot replaced, whose image hosts must now drop; null fields: none. */
public record ReplacedTemplate(String templateId, String imageRef) {}
