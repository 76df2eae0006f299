package dev.kiln.api.representation;

public record SetTagRequest(Integer version) {}
