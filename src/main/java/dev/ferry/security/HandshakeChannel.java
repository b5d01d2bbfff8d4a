package dev.ferry.security;

import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Transcript;

import java.util.Map;
import java.util.Objects;

/**
 * One native connection during its handshake, after HELLO and its answer: the frame streams, the
 * running transcript (still being fed), and the key=value parameters both sides have said.
 *
 * @param hello the client's HELLO parameters
 * @param helloAnswer the server's answer parameters (including {@code server-nonce})
 */
public record HandshakeChannel(FrameReader in, FrameWriter out, Transcript transcript,
                               Map<String, String> hello, Map<String, String> helloAnswer) {
    public HandshakeChannel {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(transcript, "transcript");
        hello = Map.copyOf(hello);
        helloAnswer = Map.copyOf(helloAnswer);
    }
}
