package dev.ferry.metrics;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * The agent's health as {@code /health} tells it: ok, or degraded with the reasons (each check's
 * problem, joined with "; "). An immutable value.
 *
 * @param reason null when ok
 */
public record Health(Status status, String reason) {
    /** ok: nothing to do; degraded: files are not getting through, someone should look. */
    public enum Status { OK, DEGRADED }

    private static final JsonFactory JSON = new JsonFactory();

    public Health {
        Objects.requireNonNull(status, "status");
        if ((status == Status.OK) != (reason == null)) {
            throw new IllegalArgumentException("a degraded health has a reason, an ok one has none: " + reason);
        }
    }

    /** Ok when there are no problems, else degraded with all of them. */
    public static Health of(List<String> problems) {
        return problems.isEmpty() ? new Health(Status.OK, null)
                : new Health(Status.DEGRADED, String.join("; ", problems));
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** {@code {"status":"ok"}} or {@code {"status":"degraded","reason":"..."}}, UTF-8. */
    public byte[] json() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (JsonGenerator out = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeStringField("status", ok() ? "ok" : "degraded");
            if (reason != null) {
                out.writeStringField("reason", reason);
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
