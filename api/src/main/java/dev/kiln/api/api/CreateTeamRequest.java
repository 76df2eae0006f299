package dev.kiln.api.api;

public record CreateTeamRequest(String name, Boolean byoc) {}
