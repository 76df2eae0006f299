package dev.kiln.api.representation;

import java.time.Instant;

public record RegistrationToken(String registrationToken, Instant expiresAt) {}
