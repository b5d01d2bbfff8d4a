package dev.ferry.transfer;

/**
 * What a server accepts from one peer.
 *
 * @param maxFileSize the largest native file ({@code ferry.server.max-file-size})
 * @param maxBlock the largest DATA plaintext per frame ({@code ferry.server.max-block})
 * @param seedMaxFileSize the largest seed file, which arrives as one frame ({@code ferry.server.seed-max-file-size})
 */
public record ReceptionLimits(long maxFileSize, int maxBlock, long seedMaxFileSize) {
    /** Largest FILE payload: a sealed header or a seed path. */
    public static final int MAX_HEADER = 16 * 1024;
    /** Largest HELLO payload. */
    public static final int MAX_HELLO = 4 * 1024;
    /** Largest handshake payload (AUTH, KEY, CLIENT-AUTH: nonces, wrapped keys, certificate chains). */
    public static final int MAX_HANDSHAKE = 64 * 1024;

    public ReceptionLimits {
        if (maxFileSize < 0 || maxBlock < 1024 || seedMaxFileSize < 0) {
            throw new IllegalArgumentException("invalid reception limits: " + maxFileSize + ", " + maxBlock
                    + ", " + seedMaxFileSize);
        }
    }
}
