package dev.kiln.api.api;

public record PutProjectRequest(String name, String warmupScript, Boolean autoWarm) {}
