package dev.ferry.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The samples of one scrape in the Prometheus text format (0.0.4), as {@code ferry status} reads
 * them: name, labels, value. Comment lines and timestamps are skipped. An immutable value.
 */
public final class Samples {
    /** One line: {@code name{label="value",...} 1.0}. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public Sample {
            Objects.requireNonNull(name, "name");
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }

    private final List<Sample> samples;

    private Samples(List<Sample> samples) {
        this.samples = List.copyOf(samples);
    }

    /**
     * Parses a scrape.
     *
     * @throws IllegalArgumentException a line that is not a sample, with its number
     */
    public static Samples parse(String text) {
        List<Sample> samples = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                samples.add(parseLine(line));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not a Prometheus sample ("
                        + e.getMessage() + "): " + line, e);
            }
        }
        return new Samples(samples);
    }

    private static Sample parseLine(String line) {
        int at = 0;
        while (at < line.length() && line.charAt(at) != '{' && line.charAt(at) != ' ') {
            at++;
        }
        String name = line.substring(0, at);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("no metric name");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at++;
            while (line.charAt(at) != '}') {
                int equals = line.indexOf('=', at);
                String key = line.substring(at, equals).strip();
                at = equals + 1;
                if (line.charAt(at) != '"') {
                    throw new IllegalArgumentException("label " + key + " has no quoted value");
                }
                StringBuilder value = new StringBuilder();
                for (at++; line.charAt(at) != '"'; at++) {
                    char c = line.charAt(at);
                    if (c == '\\') {
                        char escaped = line.charAt(++at);
                        value.append(escaped == 'n' ? '\n' : escaped);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                at++;
                if (line.charAt(at) == ',') {
                    at++;
                }
            }
            at++;
        }
        String[] rest = line.substring(at).strip().split("\\s+");
        return new Sample(name, labels, number(rest[0]));
    }

    private static double number(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    public List<Sample> all() {
        return samples;
    }

    /** The sum of every sample named {@code name} whose labels match; 0 when there is none. */
    public double sum(String name, Predicate<Map<String, String>> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && labels.test(s.labels()))
                .mapToDouble(Sample::value).sum();
    }

    /** The sum of every sample named {@code name}; 0 when there is none. */
    public double sum(String name) {
        return sum(name, labels -> true);
    }

    /** True when there is a sample named {@code name}. */
    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    /** The first value of label {@code label} on a sample named {@code name}, or null. */
    public String label(String name, String label) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().containsKey(label))
                .map(s -> s.labels().get(label)).findFirst().orElse(null);
    }
}
