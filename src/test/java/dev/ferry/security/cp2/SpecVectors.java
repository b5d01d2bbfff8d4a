package dev.ferry.security.cp2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the flat JSON vector files of the Fernet specification (test resources fernet/): an array
 * of objects whose values are strings without escapes, numbers, or arrays of numbers. Values come
 * back as their text ({@code "[0, 1]"} for arrays).
 */
final class SpecVectors {
    private static final Pattern OBJECT = Pattern.compile("\\{([^{}]*)}");
    private static final Pattern FIELD = Pattern.compile(
            "\"(\\w+)\"\\s*:\\s*(?:\"([^\"\\\\]*)\"|(\\[[^\\]]*])|([-+0-9.eE]+))");

    private SpecVectors() {
    }

    static List<Map<String, String>> read(String name) throws IOException {
        String text;
        try (InputStream in = SpecVectors.class.getResourceAsStream("/fernet/" + name)) {
            if (in == null) {
                throw new IOException("test resource fernet/" + name + " is missing");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Map<String, String>> vectors = new ArrayList<>();
        Matcher object = OBJECT.matcher(text);
        while (object.find()) {
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher field = FIELD.matcher(object.group(1));
            while (field.find()) {
                String value = field.group(2) != null ? field.group(2) : field.group(3) != null ? field.group(3) : field.group(4);
                fields.put(field.group(1), value);
            }
            vectors.add(fields);
        }
        if (vectors.isEmpty()) {
            throw new IOException("fernet/" + name + " holds no vectors");
        }
        return vectors;
    }

    static byte[] bytes(String numberArray) {
        String[] numbers = numberArray.replaceAll("[\\[\\]\\s]", "").split(",");
        byte[] bytes = new byte[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            bytes[i] = (byte) Integer.parseInt(numbers[i]);
        }
        return bytes;
    }
}
