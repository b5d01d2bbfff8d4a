package dev.ferry.server;

/**
 * A file name from a peer failed the inbox name rules, or cannot be stored under the conflict
 * policy. The message names the refused name and the rule, e.g.
 * {@code name 'a/../b' refused: segment '..' is not allowed}; control characters in the name are
 * shown escaped, so the message is safe to log.
 */
public final class InboxNameException extends Exception {
    public InboxNameException(String message) {
        super(message);
    }
}
