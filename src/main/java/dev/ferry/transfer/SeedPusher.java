package dev.ferry.transfer;

import dev.ferry.security.ClientSecurity;
import dev.ferry.security.SeedSender;
import dev.ferry.wire.FrameLimits;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ReplyStatus;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Compat mode: pushes files to a server of the original programs in one seed session
 * (PROTOCOL.md section 2): AUTH and KEY as the protocol needs, then FILE (the last segment of the
 * name) and DATA (the whole encoded file) for each, then CLOSE. The original servers never
 * acknowledge; they handle frames in order and close after CLOSE, so an orderly end of stream
 * after CLOSE means every file was stored, and anything else means none may be assumed stored.
 * Then CLOSE once more, as the original client does, to learn whether the server reset the
 * connection (it closed before reading all). Used by one thread; the caller owns the socket.
 */
public final class SeedPusher {
    private final ClientSecurity security;
    private final long maxFileSize;

    public SeedPusher(ClientSecurity security, long maxFileSize) {
        this.security = Objects.requireNonNull(security, "security");
        this.maxFileSize = maxFileSize;
    }

    /**
     * Sends the files and waits for the server to close.
     *
     * @return one outcome per file, in order
     * @throws IOException the session failed: no file may be considered delivered
     */
    public List<Outcome> push(Socket socket, List<SourceFile> files) throws IOException {
        FrameReader in = new FrameReader(socket.getInputStream(), FrameLimits.none());
        FrameWriter out = new FrameWriter(socket.getOutputStream());
        SeedSender sender = security.seedSession(in, out);
        List<Outcome> outcomes = new ArrayList<>();
        for (SourceFile file : files) {
            outcomes.add(send(file, sender, out));
        }
        out.writeClose();
        out.flush();
        awaitOrderlyClose(socket.getInputStream());
        confirmNothingWasRefused(out);
        return outcomes;
    }

    private Outcome send(SourceFile file, SeedSender sender, FrameWriter out) throws IOException {
        if (file.size() > maxFileSize) {
            return new Outcome.Refused(ReplyStatus.TOO_LARGE, file.relativeName() + " is " + file.size()
                    + " bytes; compat mode sends at most " + maxFileSize + " bytes (ferry.client.compat-max-file-size)"
                    + " because the original servers hold a whole file in memory");
        }
        byte[] content = new byte[(int) file.size()];
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read up to the settled size
            }
            if (buffer.hasRemaining() || channel.read(ByteBuffer.allocate(1)) > 0 || !file.unchanged()) {
                return new Outcome.Changed("it changed while it was being read");
            }
        } catch (NoSuchFileException e) {
            return new Outcome.Changed("it disappeared before it was sent");
        } catch (IOException e) {
            return new Outcome.Unreadable(e.toString());
        }
        String name = file.relativeName().substring(file.relativeName().lastIndexOf('/') + 1);
        out.writeFrame(Mode.FILE, name.getBytes(StandardCharsets.UTF_8));
        out.writeFrame(Mode.DATA, sender.encodeFile(content));
        out.flush();
        return new Outcome.Stored(name, false);
    }

    /**
     * The server's end of stream alone does not prove it read everything: one that closed in order
     * before the rest of the session arrived answers those bytes with a reset, which a read never
     * reports once the end of stream was seen. A write does, so, like the original client, send
     * CLOSE a second time: it fails only if the connection was reset.
     */
    private static void confirmNothingWasRefused(FrameWriter out) throws IOException {
        try {
            out.writeClose();
            out.flush();
        } catch (IOException e) {
            throw new IOException("the server closed the session before it had read all of it (" + e.getMessage()
                    + "); no file of the session counts as delivered", e);
        }
    }

    private static void awaitOrderlyClose(InputStream in) throws IOException {
        byte[] sink = new byte[4096];
        while (in.read(sink) >= 0) {
            // An original server sends nothing after its AUTH answer; drain whatever comes.
        }
    }
}
