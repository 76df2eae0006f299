package dev.kiln.api.representation;

public record CreateTeamRequest(String name, Boolean byoc) {}
