package dev.ferry.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the key and certificate files named by the settings held at one moment (their SHA-256), so
 * that a reload sees a renewed certificate at an unchanged path. Only the digests are kept, never
 * the content.
 *
 * @param digests key (e.g. {@code ferry.security.server-cert}) to the SHA-256 of its file, "absent"
 *                or "unreadable"; keys set to "" are left out
 */
public record SecurityFiles(Map<String, String> digests) {
    /** The keys whose value is a key or certificate file. */
    public static final List<String> KEYS = List.of("ferry.security.ca-cert", "ferry.security.server-cert",
            "ferry.security.server-key", "ferry.security.client-cert", "ferry.security.client-key",
            "ferry.server.client-ca");

    /** No files (for settings whose files are not compared). */
    public static final SecurityFiles NONE = new SecurityFiles(Map.of());

    public SecurityFiles {
        digests = Map.copyOf(digests);
    }

    /** Reads the files the settings name now. */
    public static SecurityFiles read(FerrySettings settings) {
        Map<String, String> digests = new TreeMap<>();
        for (String key : KEYS) {
            String value = settings.config().getString(key).trim();
            if (!value.isEmpty()) {
                digests.put(key, digest(Path.of(value)));
            }
        }
        return new SecurityFiles(digests);
    }

    private static String digest(Path file) {
        if (!Files.exists(file)) {
            return "absent";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            return "unreadable";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
