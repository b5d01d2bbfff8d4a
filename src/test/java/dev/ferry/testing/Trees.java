package dev.ferry.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Folder trees for end-to-end tests: random files, and relative name to SHA-256 maps. */
public final class Trees {
    private Trees() {
    }

    /**
     * Writes {@code size} pseudo-random bytes (seeded) to a new file, creating parent folders.
     *
     * @return the SHA-256 (hex) of what was written
     */
    public static String write(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        MessageDigest digest = sha256();
        byte[] block = new byte[64 * 1024];
        try (var out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= block.length) {
                random.nextBytes(block);
                int n = (int) Math.min(block.length, left);
                out.write(block, 0, n);
                digest.update(block, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Relative name (with '/') to SHA-256 hex of every regular file under root, skipping hidden
     * paths and files that vanish while it looks (agents delete and move files meanwhile).
     */
    public static Map<String, String> digests(Path root) {
        Map<String, String> digests = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    String name = root.relativize(file).toString().replace('\\', '/');
                    if (attributes.isRegularFile() && !name.startsWith(".") && !name.contains("/.")) {
                        try {
                            digests.put(name, sha256(file));
                        } catch (UncheckedIOException e) {
                            // gone meanwhile
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digests;
    }

    /** The temporary, partial and commit-marker files in a server's inbox ({@code .ferry/tmp}, {@code .ferry/partial}). */
    public static List<String> workFiles(Path inbox) throws IOException {
        List<String> left = new ArrayList<>();
        for (String folder : List.of(".ferry/tmp", ".ferry/partial")) {
            Path path = inbox.resolve(folder);
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.list(path)) {
                    files.forEach(p -> left.add(folder + "/" + p.getFileName()));
                }
            }
        }
        return left;
    }

    public static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), sha256())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
