package dev.kiln.cli.wire;

/** Where a tag of a template points ({@code TemplateTag}). */
public record TemplateTagView(String tag, int version, String movedAt) {}
