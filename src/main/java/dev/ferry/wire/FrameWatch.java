package dev.ferry.wire;

/**
 * Told where each frame from a peer starts and ends, so its owner can require a minimum pace per
 * frame: a peer that sends one byte a second (slowloris) never trips a per-read timeout, but does
 * trip a deadline on the whole frame. Called by the thread that reads.
 */
public interface FrameWatch {
    /** The first byte of a frame arrived. */
    default void frameStarted() {
    }

    /** The frame's payload length is known (and within its limit). */
    default void payloadExpected(long bytes) {
    }

    /** The frame's last byte was read. */
    default void frameEnded() {
    }
}
