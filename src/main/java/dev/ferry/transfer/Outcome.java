package dev.ferry.transfer;

import dev.ferry.wire.ReplyStatus;

import java.util.Objects;

/** How the push of one file ended, when the connection itself did not fail. */
public sealed interface Outcome {
    /** The server verified, forced and published the file ({@code duplicate}: it already had this version). */
    record Stored(String storedName, boolean duplicate) implements Outcome {
        public Stored {
            Objects.requireNonNull(storedName, "storedName");
        }
    }

    /** The server answered with a non-zero status; {@code reason} is its text. */
    record Refused(ReplyStatus status, String reason) implements Outcome {
        public Refused {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The source cannot be read (permissions, I/O error); sending it again would fail the same way. */
    record Unreadable(String reason) implements Outcome {
        public Unreadable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The source changed while it was being sent; it was not committed and will be sent again once it settles. */
    record Changed(String what) implements Outcome {
        public Changed {
            Objects.requireNonNull(what, "what");
        }
    }
}
