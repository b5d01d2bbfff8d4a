package dev.ferry.testing;

import dev.ferry.testing.TestProxy.Direction;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Points of Ferry's wire where a {@link Fault} strikes, as {@link Fault.Locator}s built from
 * PROTOCOL.md sections 1 and 3 with no project code, for native sessions with server
 * authentication (ap, cp1, cp2) and no client certificate. They read only what every protocol
 * sends in the clear (MODE, STATUS and length words), so they find a point as soon as its header
 * has passed, before the frame is complete.
 */
public final class FaultPoints {
    private static final int WORD = 8;

    private FaultPoints() {
    }

    /**
     * Server to client, during the handshake: the middle of the certificate chain in the server's
     * AUTH answer (PROTOCOL.md 3.1b), which the client needs before it sends any file.
     */
    public static Fault.Locator insideServerCertificate() {
        return (connection, received) -> {
            List<Header> pieces = serverHeaders(received);
            if (pieces.size() < 3) {
                return -1;
            }
            Header certificate = pieces.get(2);
            return certificate.payloadStart() + (certificate.end() - certificate.payloadStart()) / 2;
        };
    }

    /**
     * Client to server: the middle of the DATA frame in which one file's DATA passes
     * {@code dataBytes}, i.e. inside a file larger than that, after that much of it was sent.
     */
    public static Fault.Locator insideLargeFile(long dataBytes) {
        return (connection, received) -> {
            long sinceFile = 0;
            for (Header frame : clientHeaders(received)) {
                if (frame.kind() == Rewrites.FILE) {
                    sinceFile = 0;
                } else if (frame.kind() == Rewrites.DATA) {
                    long length = frame.end() - frame.payloadStart();
                    if (sinceFile + length > dataBytes) {
                        return frame.payloadStart() + length / 2;
                    }
                    sinceFile += length;
                }
            }
            return -1;
        };
    }

    /**
     * Server to client: the first byte of the REPLY that acknowledges the first file with more
     * than {@code dataBytes} of DATA, so the server has committed it and the client never learns so.
     */
    public static Fault.Locator beforeReplyToLargeFile(long dataBytes) {
        ReplyAfterCommit reply = new ReplyAfterCommit(dataBytes);
        return (connection, received) -> {
            Header found = reply.find(connection, received);
            return found == null ? -1 : found.start();
        };
    }

    /**
     * Server to client: the middle of the payload of the REPLY that acknowledges the first file with
     * more than {@code dataBytes} of DATA: the client has its header and part of its payload.
     */
    public static Fault.Locator insideReplyToLargeFile(long dataBytes) {
        ReplyAfterCommit reply = new ReplyAfterCommit(dataBytes);
        return (connection, received) -> {
            Header found = reply.find(connection, received);
            return found == null || found.payloadStart() > received.length ? -1
                    : found.payloadStart() + (found.end() - found.payloadStart()) / 2;
        };
    }

    /**
     * Finds the REPLY to a COMMIT. Every REPLY before the first COMMIT reached the server is a
     * handshake answer or an {@code offset=} answer to a resumable FILE (the client waits for that
     * one before it sends anything more, so it has passed before any later COMMIT): the REPLY sought
     * is the first one after the handshake that begins at or after the bytes the server had sent
     * when the proxy first saw the COMMIT (this holds while the server refuses nothing).
     */
    private static final class ReplyAfterCommit {
        private final long dataBytes;
        private long previousLength;
        private long lastLength;
        private long mark = -1;

        ReplyAfterCommit(long dataBytes) {
            this.dataBytes = dataBytes;
        }

        Header find(TestProxy.Connection connection, byte[] received) {
            if (received.length != lastLength) {
                previousLength = lastLength;
                lastLength = received.length;
            }
            if (mark < 0 && committedLargeFile(connection.sent(Direction.CLIENT_TO_SERVER))) {
                mark = previousLength;
            }
            if (mark < 0) {
                return null;
            }
            List<Header> pieces = serverHeaders(received);
            for (int i = 3; i < pieces.size(); i++) {
                if (pieces.get(i).start() >= mark) {
                    return pieces.get(i);
                }
            }
            // The next REPLY begins where the last complete piece ends, once that is known.
            return null;
        }

        private boolean committedLargeFile(byte[] sent) {
            long sinceFile = 0;
            for (Header frame : clientHeaders(sent)) {
                if (frame.kind() == Rewrites.FILE) {
                    sinceFile = 0;
                } else if (frame.kind() == Rewrites.DATA) {
                    sinceFile += frame.end() - frame.payloadStart();
                } else if (frame.kind() == Rewrites.COMMIT && frame.end() <= sent.length && sinceFile > dataBytes) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A frame or field whose header is in the stream; its payload may not be complete yet. */
    private record Header(long kind, long start, long payloadStart, long end) {
    }

    /** Client frames (MODE, then M1 and M2 except for CLOSE) whose header is in {@code stream}. */
    private static List<Header> clientHeaders(byte[] stream) {
        List<Header> frames = new ArrayList<>();
        long at = 0;
        while (stream.length - at >= WORD) {
            long mode = u64(stream, at);
            if (mode == Rewrites.CLOSE) {
                frames.add(new Header(mode, at, at + WORD, at + WORD));
                at += WORD;
                continue;
            }
            if (stream.length - at < 2 * WORD) {
                break;
            }
            long length = u64(stream, at + WORD);
            if (length < 0) {
                break;
            }
            Header frame = new Header(mode, at, at + 2 * WORD, at + 2 * WORD + length);
            frames.add(frame);
            at = frame.end();
        }
        return frames;
    }

    /**
     * Server pieces whose header is in {@code stream}: the HELLO answer (a REPLY: STATUS, M1, M2),
     * the AUTH answer's signature and certificate fields (u64 length, bytes), then REPLYs.
     */
    private static List<Header> serverHeaders(byte[] stream) {
        List<Header> pieces = new ArrayList<>();
        long at = 0;
        while (true) {
            boolean authField = pieces.size() == 1 || pieces.size() == 2;
            int header = authField ? WORD : 2 * WORD;
            if (stream.length - at < header) {
                return pieces;
            }
            long length = u64(stream, at + header - WORD);
            if (length < 0) {
                return pieces;
            }
            Header piece = new Header(authField ? -1 : u64(stream, at), at, at + header, at + header + length);
            pieces.add(piece);
            at = piece.end();
        }
    }

    private static long u64(byte[] stream, long at) {
        return ByteBuffer.wrap(stream, (int) at, WORD).getLong();
    }
}
