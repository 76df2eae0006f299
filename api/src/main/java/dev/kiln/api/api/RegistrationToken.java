package dev.kiln.api.api;

import java.time.Instant;

public record RegistrationToken(String registrationToken, Instant expiresAt) {}
