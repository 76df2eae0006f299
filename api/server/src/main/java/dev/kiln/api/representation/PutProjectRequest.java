package dev.kiln.api.representation;

public record PutProjectRequest(String name, String warmupScript, Boolean autoWarm) {}
