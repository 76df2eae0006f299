package dev.kiln.workflows.template;

/** Payload: the image of a template that no longer exists (deleted, or replaced by a newer one of the same name). */
public record TemplateImage(String templateId, String imageRef) {}
