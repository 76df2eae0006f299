package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/** Identifiers, secrets and their hashes. */
public final class Ids {
    /** 36^25 is the smallest power of 36 above 2^128, so every UUID fits in 25 base36 digits. */
    private static final int ID_DIGITS = 25;

    public static final String PLATFORM_TEAM_ID = "team-0000000000000000000000000";
    public static final String MINIMAL_TEMPLATE_ID = "tpl-0000000000000000000000000";
    public static final String MINIMAL_TEMPLATE_NAME = "minimal";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    /** A new id such as {@code host-0k3...}: the prefix, a dash and a random UUID in lowercase base36. */
    public static String newId(String prefix) {
        requireNonNull(prefix, "prefix");
        UUID uuid = UUID.randomUUID();
        byte[] bytes = ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits())
                .array();
        String digits = new BigInteger(1, bytes).toString(36);
        return prefix + "-" + "0".repeat(ID_DIGITS - digits.length()) + digits;
    }

    public static String sha256Hex(String value) {
        requireNonNull(value, "value");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** A secret of {@code bytes} random bytes, as lowercase hex. */
    public static String randomTokenHex(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        byte[] token = new byte[bytes];
        RANDOM.nextBytes(token);
        return HexFormat.of().formatHex(token);
    }
}
