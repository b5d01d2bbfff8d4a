package dev.ferry.transfer;

import dev.ferry.wire.FrameWatch;

/**
 * What the server agent learns from one connection's session, to run its deadlines (including
 * the per-frame pace, as a {@link FrameWatch}), a clean shutdown, its metrics and its audit log.
 * Called from the connection's thread.
 */
public interface SessionListener extends FrameWatch {
    /** The handshake is over (native) or the first frame was read (seed): the handshake deadline no longer applies. */
    void handshakeDone(String protocol);

    /** A file was opened (true) or finished, committed or discarded (false). */
    void fileOpen(boolean open);

    /**
     * A file whose COMMIT verified was handed to a commit thread (true), or its commit ended, stored
     * or refused, and its answer was given (false; called from the commit thread). A shutdown lets
     * such files finish within its grace, like open ones.
     */
    default void committing(boolean started) {
    }

    /** True when the agent is shutting down: the session ends at the next point where no file is open. */
    boolean stopRequested();

    /**
     * A file was stored, answered as a duplicate or refused; called once per such file, after the
     * inbox is updated and before the client's REPLY is written. A file abandoned by its client or
     * cut off by a broken connection has no verdict and is not reported.
     */
    default void finished(ReceivedFile file) {
    }

    /** A listener that ignores everything and never stops: for tests and tools. */
    SessionListener NONE = new SessionListener() {
        @Override
        public void handshakeDone(String protocol) {
        }

        @Override
        public void fileOpen(boolean open) {
        }

        @Override
        public boolean stopRequested() {
            return false;
        }
    };
}
