package dev.ferry.security;

import java.io.IOException;

/**
 * The client side of one seed session, after its AUTH and KEY: encodes each whole file as the
 * original programs expect it in one DATA frame. Used by one thread.
 */
@FunctionalInterface
public interface SeedSender {
    byte[] encodeFile(byte[] content) throws IOException;
}
