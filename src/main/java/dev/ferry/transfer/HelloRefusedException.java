package dev.ferry.transfer;

import dev.ferry.wire.ProtocolException;

/**
 * The server refused a native client's HELLO: a Ferry version it does not speak, or a protocol it
 * does not accept. The client was told why in a REPLY; the connection is closed.
 */
public final class HelloRefusedException extends ProtocolException {
    public HelloRefusedException(String reason) {
        super("refused: " + reason);
    }
}
