package dev.ferry.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What a man in the middle does to Ferry's wire, as {@link TestProxy.Rewrite}s built from
 * PROTOCOL.md sections 1-3 with no project code: each parses the stream so far, finds its target
 * (a client frame, the server's AUTH signature, a REPLY), changes it, and holds back the bytes it
 * may still have to change until its target is complete. Stateless; usable on any connection.
 */
public final class Rewrites {
    /** The MODE words of PROTOCOL.md section 1. */
    public static final long FILE = 0;
    public static final long DATA = 1;
    public static final long CLOSE = 2;
    public static final long HELLO = 5;
    public static final long COMMIT = 6;

    private static final int WORD = 8;

    private Rewrites() {
    }

    /**
     * One complete piece of a stream: a client frame, a server REPLY or a {@code u64 length, bytes}
     * field of the AUTH answer.
     *
     * @param kind the MODE of a client frame, the STATUS of a REPLY, -1 for an AUTH answer field
     * @param start the offset of its first byte
     * @param payloadStart the offset of M2 (or of the field's bytes)
     * @param end the offset just after it
     */
    public record Piece(long kind, int start, int payloadStart, int end) {
        public byte[] payload(byte[] stream) {
            return Arrays.copyOfRange(stream, payloadStart, end);
        }
    }

    /** The complete client-to-server frames at the start of {@code stream}: MODE, then M1 and M2 except for CLOSE. */
    public static List<Piece> clientFrames(byte[] stream) {
        List<Piece> frames = new ArrayList<>();
        int at = 0;
        while (stream.length - at >= WORD) {
            long mode = u64(stream, at);
            if (mode == CLOSE) {
                frames.add(new Piece(mode, at, at + WORD, at + WORD));
                at += WORD;
                continue;
            }
            int end = sized(stream, at + WORD);
            if (end < 0) {
                break;
            }
            frames.add(new Piece(mode, at, at + 2 * WORD, end));
            at = end;
        }
        return frames;
    }

    /**
     * The complete server-to-client pieces at the start of {@code stream} of a native session with
     * AUTH (ap, cp1, cp2): the HELLO answer (a REPLY), the AUTH answer's signature and certificate
     * fields, then REPLYs.
     */
    public static List<Piece> serverPieces(byte[] stream) {
        List<Piece> pieces = new ArrayList<>();
        int at = 0;
        while (true) {
            boolean authField = pieces.size() == 1 || pieces.size() == 2;
            int header = authField ? 0 : WORD;
            if (stream.length - at < header + WORD) {
                return pieces;
            }
            int end = sized(stream, at + header);
            if (end < 0) {
                return pieces;
            }
            pieces.add(new Piece(authField ? -1 : u64(stream, at), at, at + header + WORD, end));
            at = end;
        }
    }

    /** Client to server: flips one bit in the middle of M2 of the first frame of {@code mode}. */
    public static TestProxy.Rewrite flipBitInClientFrame(long mode) {
        return flipBit(Rewrites::clientFrames, frames -> frames.stream().filter(f -> f.kind() == mode).findFirst()
                .orElse(null));
    }

    /** Server to client: flips one bit in the middle of the signature of the AUTH answer. */
    public static TestProxy.Rewrite flipBitInServerSignature() {
        return flipBit(Rewrites::serverPieces, pieces -> pieces.size() > 1 ? pieces.get(1) : null);
    }

    /**
     * Server to client: flips one bit in the last byte of M2 of the first REPLY after the AUTH
     * answer, which is the first file's acknowledgement when no client certificate is asked for
     * (the signature's last byte under ap and cp1, the GCM tag's under cp2).
     */
    public static TestProxy.Rewrite flipBitInFirstFileReply() {
        return (original, ended) -> {
            List<Piece> pieces = serverPieces(original);
            if (pieces.size() < 4) {
                return ended ? original : Arrays.copyOf(original, pieces.isEmpty() ? 0 : last(pieces).end());
            }
            byte[] result = original.clone();
            result[pieces.get(3).end() - 1] ^= 0x01;
            return result;
        };
    }

    /** Client to server: replaces M2 of the first frame (HELLO) with {@code edit} of it, with the new length. */
    public static TestProxy.Rewrite rewriteFirstClientFrame(UnaryOperator<byte[]> edit) {
        return (original, ended) -> {
            List<Piece> frames = clientFrames(original);
            if (frames.isEmpty()) {
                return ended ? original : new byte[0];
            }
            Piece first = frames.get(0);
            byte[] payload = edit.apply(first.payload(original));
            return ByteBuffer.allocate(2 * WORD + payload.length + original.length - first.end())
                    .putLong(first.kind()).putLong(payload.length).put(payload)
                    .put(original, first.end(), original.length - first.end()).array();
        };
    }

    /**
     * Client to server: replaces the DATA frames number {@code first} to {@code first + count - 1}
     * (from 0, counted over the whole connection; consecutive, as a file's blocks are) with what
     * {@code edit} makes of them, each frame whole (MODE, M1, M2). Holds them back until the last
     * is complete; a connection that ends before has nothing changed.
     */
    public static TestProxy.Rewrite editDataFrames(int first, int count, UnaryOperator<List<byte[]>> edit) {
        return (original, ended) -> {
            List<Piece> frames = clientFrames(original);
            List<Piece> data = frames.stream().filter(f -> f.kind() == DATA).toList();
            if (data.size() < first + count) {
                if (ended) {
                    return original;
                }
                int safe = data.size() > first ? data.get(first).start() : frames.isEmpty() ? 0 : last(frames).end();
                return Arrays.copyOf(original, safe);
            }
            List<byte[]> targets = new ArrayList<>();
            for (Piece piece : data.subList(first, first + count)) {
                targets.add(Arrays.copyOfRange(original, piece.start(), piece.end()));
            }
            int from = data.get(first).start();
            int to = data.get(first + count - 1).end();
            if (frames.indexOf(data.get(first + count - 1)) - frames.indexOf(data.get(first)) != count - 1) {
                throw new IllegalStateException("DATA frames " + first + " to " + (first + count - 1)
                        + " are not consecutive");
            }
            ByteArrayOutputStream result = new ByteArrayOutputStream();
            result.write(original, 0, from);
            edit.apply(targets).forEach(result::writeBytes);
            result.write(original, to, original.length - to);
            return result.toByteArray();
        };
    }

    /** A whole client frame: MODE, M1 = the payload's length, M2 = the payload. */
    public static byte[] frame(long mode, byte[] payload) {
        return ByteBuffer.allocate(2 * WORD + payload.length).putLong(mode).putLong(payload.length).put(payload)
                .array();
    }

    /** M2 of a whole client frame. */
    public static byte[] payloadOf(byte[] frame) {
        return Arrays.copyOfRange(frame, 2 * WORD, frame.length);
    }

    /** The whole DATA frames of {@code stream}, in order. */
    public static List<byte[]> dataFrames(byte[] stream) {
        return clientFrames(stream).stream().filter(f -> f.kind() == DATA)
                .map(f -> Arrays.copyOfRange(stream, f.start(), f.end())).toList();
    }

    private static TestProxy.Rewrite flipBit(Function<byte[], List<Piece>> parse, Function<List<Piece>, Piece> pick) {
        return (original, ended) -> {
            List<Piece> pieces = parse.apply(original);
            Piece target = pick.apply(pieces);
            if (target == null) {
                // Everything after the last complete piece may belong to the target: hold it back.
                return ended ? original : Arrays.copyOf(original, pieces.isEmpty() ? 0 : last(pieces).end());
            }
            if (target.end() == target.payloadStart()) {
                throw new IllegalStateException("the target " + target + " carries no payload to alter");
            }
            byte[] result = original.clone();
            result[(target.payloadStart() + target.end()) / 2] ^= 0x01;
            return result;
        };
    }

    private static Piece last(List<Piece> pieces) {
        return pieces.get(pieces.size() - 1);
    }

    /** The end of the {@code u64 length, bytes} field at {@code at}, or -1 while it is incomplete. */
    private static int sized(byte[] stream, int at) {
        if (stream.length - at < WORD) {
            return -1;
        }
        long length = u64(stream, at);
        if (length < 0 || length > stream.length - at - WORD) {
            return -1;
        }
        return at + WORD + (int) length;
    }

    private static long u64(byte[] stream, int at) {
        return ByteBuffer.wrap(stream, at, WORD).getLong();
    }
}
