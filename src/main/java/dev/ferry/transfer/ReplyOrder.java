package dev.ferry.transfer;

import dev.ferry.security.SessionCodec;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.ReplyStatus;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The REPLYs of one native session after its handshake, written in the order the protocol asks
 * for (PROTOCOL.md 3.2: one final REPLY per FILE, in order) although files are committed on other
 * threads and finish out of order. The connection's thread takes a place for each answer in turn:
 * {@link #send} for an answer it knows now, {@link #reserve} for a file whose commit runs
 * elsewhere; the thread that completes a place writes every answer that is now due.
 *
 * <p>Thread-safe. Sealing and writing happen under this object's lock, so the codec's reply side
 * (its counter) sees the replies one at a time and in order. A write that fails is kept and thrown
 * to the connection's thread by {@link #check}; the answers after it are dropped. What a REPLY may
 * say depends on that codec too: {@link #shown} and {@link #reason} keep out what it would expose.
 */
final class ReplyOrder {
    // cp1 encrypts names toward the server but only signs its REPLYs: a name or a reason that names
    // the file would reach anyone on the path in the clear, so such replies carry these instead.
    private static final String NAME_WITHHELD = "(withheld)";
    private static final String REASON_WITHHELD = "the reason is withheld because this protocol's replies are"
            + " signed, not encrypted; the server's log has it";

    /** One answer; {@code status} is null until it is known. Guarded by the enclosing ReplyOrder. */
    static final class Place {
        private ReplyStatus status;
        private String text;
    }

    private final FrameWriter out;
    private final SessionCodec codec;
    private final int maxReserved;
    private final Deque<Place> places = new ArrayDeque<>();
    private int reserved;
    private IOException failure;

    /**
     * @param maxReserved answers that may wait for their commit at once; {@link #reserve} blocks
     *                    beyond that, which stops reading from the peer until the disk catches up
     */
    ReplyOrder(FrameWriter out, SessionCodec codec, int maxReserved) {
        this.out = Objects.requireNonNull(out, "out");
        this.codec = Objects.requireNonNull(codec, "codec");
        if (maxReserved < 1) {
            throw new IllegalArgumentException("maxReserved " + maxReserved + " must be at least 1");
        }
        this.maxReserved = maxReserved;
    }

    /** Answers now, after every answer whose place was taken before. Connection thread. */
    synchronized void send(ReplyStatus status, String text) throws IOException {
        check();
        Place place = new Place();
        place.status = status;
        place.text = text;
        places.add(place);
        writeDue();
        check();
    }

    /** Takes the place of an answer that {@link #complete} gives later. Connection thread. */
    synchronized Place reserve() throws IOException {
        while (reserved >= maxReserved && failure == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while files were being committed");
            }
        }
        check();
        Place place = new Place();
        places.add(place);
        reserved++;
        return place;
    }

    /** Gives a reserved place its answer and writes what is due. Any thread; never throws. */
    synchronized void complete(Place place, ReplyStatus status, String text) {
        if (place.status != null) {
            throw new IllegalStateException("the answer of this place was already given");
        }
        place.status = Objects.requireNonNull(status, "status");
        place.text = Objects.requireNonNull(text, "text");
        reserved--;
        writeDue();
        notifyAll();
    }

    /** Waits until every reserved place has its answer (every commit handed over has ended). */
    synchronized void awaitReserved() throws InterruptedException {
        while (reserved > 0) {
            wait();
        }
    }

    /** A file's name as a REPLY may carry it: withheld when replies travel readable but names do not (cp1). */
    String shown(String name) {
        return codec.repliesInClear() ? NAME_WITHHELD : name;
    }

    /** A refusal's reason as a REPLY may carry it: withheld when replies travel readable (cp1). */
    String reason(String reason) {
        return codec.repliesInClear() ? REASON_WITHHELD : reason;
    }

    /** Throws the failure of an earlier write, if any. */
    synchronized void check() throws IOException {
        if (failure != null) {
            throw new IOException("writing a REPLY failed: " + failure.getMessage(), failure);
        }
    }

    private void writeDue() {
        boolean wrote = false;
        try {
            while (failure == null && !places.isEmpty() && places.peek().status != null) {
                Place place = places.poll();
                out.writeReply(place.status, codec.sealReply(place.status, place.text.getBytes(StandardCharsets.UTF_8)));
                wrote = true;
            }
            if (wrote) {
                out.flush();
            }
        } catch (IOException e) {
            failure = e;
        }
        if (failure != null) {
            places.clear();
        }
    }
}
