package dev.ferry.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the {@code ferry.} keys of a configuration that {@code reference.conf} does not define and,
 * for each, suggests the known key closest by edit distance, so a typo fails at start instead of
 * falling back to a default silently. Keys outside {@code ferry.} belong to others and are ignored.
 */
final class UnknownKeys {
    private UnknownKeys() {
    }

    /**
     * Adds to {@code problems} one message per unknown {@code ferry.} key of {@code config}, naming
     * where it was set and, when one is close enough, the key that was probably meant.
     */
    static void report(Config config, Config reference, List<String> problems) {
        Set<String> known = new TreeSet<>();
        reference.entrySet().forEach(e -> known.add(e.getKey()));
        for (Map.Entry<String, ConfigValue> entry : config.entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith("ferry.") || reference.hasPathOrNull(key)) {
                continue;
            }
            String hint = closest(key, known);
            problems.add(entry.getValue().origin().description() + ": unknown setting " + key
                    + (hint == null ? "" : " (did you mean " + hint + "?)")
                    + "; every setting is listed with its default in reference.conf");
        }
    }

    private static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    /** The Levenshtein distance: insertions, deletions and substitutions, one each. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
