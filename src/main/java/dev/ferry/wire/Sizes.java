package dev.ferry.wire;

/** Byte counts as people read them, for messages and logs: {@code 16 MiB}, {@code 1.5 GiB}, {@code 812 bytes}. */
public final class Sizes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Sizes() {
    }

    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.1f", value);
        return number + " " + UNITS[unit];
    }
}
