package dev.ferry.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a file of JSON lines strictly: each line must be exactly one flat JSON object (strings,
 * numbers, booleans, nulls), with no duplicate keys and nothing after it.
 */
public final class JsonLines {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JsonLines() {
    }

    public static List<Map<String, Object>> read(Path file) {
        try {
            List<Map<String, Object>> objects = new ArrayList<>();
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new IllegalStateException(file + " does not end with a line break");
            }
            for (String line : text.split("\n")) {
                if (!line.isEmpty()) {
                    objects.add(parse(line));
                }
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Object> parse(String line) throws IOException {
        Map<String, Object> object = new LinkedHashMap<>();
        try (JsonParser in = JSON.createParser(line)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object: " + line);
            }
            for (JsonToken token = in.nextToken(); token != JsonToken.END_OBJECT; token = in.nextToken()) {
                String name = in.currentName();
                JsonToken value = in.nextToken();
                object.put(name, switch (value) {
                    case VALUE_STRING -> in.getText();
                    case VALUE_NUMBER_INT -> in.getLongValue();
                    case VALUE_NUMBER_FLOAT -> in.getDoubleValue();
                    case VALUE_TRUE -> true;
                    case VALUE_FALSE -> false;
                    case VALUE_NULL -> null;
                    default -> throw new IOException("field " + name + " is not a plain value: " + line);
                });
            }
            if (in.nextToken() != null) {
                throw new IOException("more after the object: " + line);
            }
        }
        return object;
    }
}
