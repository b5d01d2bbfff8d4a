package dev.ferry.wire;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The largest payload (M1) accepted for each mode, and the setting that controls it, so an
 * over-limit frame can be refused with a message that names the fix. A mode without a limit
 * here is not allowed at all in the current phase of the session.
 */
public final class FrameLimits {
    /** One limit: the byte count and the setting (or rule) it comes from. */
    public record Limit(long maxBytes, String source) {
        public Limit {
            if (maxBytes < 0 || maxBytes > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("frame limit out of range: " + maxBytes);
            }
            Objects.requireNonNull(source, "source");
        }
    }

    private final Map<Mode, Limit> limits;

    private FrameLimits(Map<Mode, Limit> limits) {
        this.limits = limits;
    }

    public static FrameLimits none() {
        return new FrameLimits(new EnumMap<>(Mode.class));
    }

    /** A copy with {@code mode} allowed up to {@code maxBytes}. */
    public FrameLimits with(Mode mode, long maxBytes, String source) {
        EnumMap<Mode, Limit> copy = new EnumMap<>(Mode.class);
        copy.putAll(limits);
        copy.put(mode, new Limit(maxBytes, source));
        return new FrameLimits(copy);
    }

    /** The limit for a mode, or null when the mode is not expected now. */
    public Limit limit(Mode mode) {
        return limits.get(mode);
    }
}
