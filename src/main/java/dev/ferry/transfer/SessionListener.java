package dev.ferry.transfer;

import dev.ferry.wire.FrameWatch;

/**
 * What the server agent learns from one connection's session, to run its deadlines (including
 * the per-frame pace, as a {@link FrameWatch}) and a clean shutdown. Called from the connection's
 * thread.
 */
public interface SessionListener extends FrameWatch {
    /** The handshake is over (native) or the first frame was read (seed): the handshake deadline no longer applies. */
    void handshakeDone(String protocol);

    /** A file was opened (true) or finished, committed or discarded (false). */
    void fileOpen(boolean open);

    /** True when the agent is shutting down: the session ends at the next point where no file is open. */
    boolean stopRequested();

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
