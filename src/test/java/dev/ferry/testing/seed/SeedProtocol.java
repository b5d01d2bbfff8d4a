package dev.ferry.testing.seed;

import java.util.Locale;

/**
 * The four pairs of original programs (PROTOCOL.md section 2): ClientWithoutSecurity /
 * ServerWithoutSecurity ({@link #PLAIN}) and the ...WithSecurityAP, ...CP1 and ...CP2 pairs.
 */
public enum SeedProtocol {
    PLAIN, AP, CP1, CP2;

    /** The protocol named as in {@code ferry.security.protocol}: plain, ap, cp1 or cp2. */
    public static SeedProtocol of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }

    /** Whether the pair runs the AUTH exchange: every pair but the one without security. */
    public boolean authenticates() {
        return this != PLAIN;
    }
}
