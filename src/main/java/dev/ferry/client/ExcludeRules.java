package dev.ferry.client;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Exclude patterns: globs on the file name and on the relative path, e.g. ".*", "*.part", "*.tmp", "*~".
 * A pattern matching any path segment excludes the file, so ".*" also hides everything inside hidden
 * folders such as .sent/ and .failed/; a pattern containing '/' can match the whole relative path
 * ("drafts/**"). Immutable and safe to use from any thread.
 */
public final class ExcludeRules {

    private final List<String> globs;
    private final List<PathMatcher> matchers;

    public ExcludeRules(List<String> globs) {
        this.globs = List.copyOf(Objects.requireNonNull(globs, "globs"));
        List<PathMatcher> compiled = new ArrayList<>(this.globs.size());
        for (String glob : this.globs) {
            if (glob.isBlank()) {
                throw new IllegalArgumentException("exclude pattern must not be blank; remove it from the list " + this.globs);
            }
            compiled.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
        this.matchers = List.copyOf(compiled);
    }

    /** True when {@code relativeName} ('/' separated, relative to the outbox) or one of its segments matches a pattern. */
    public boolean excludes(String relativeName) {
        Objects.requireNonNull(relativeName, "relativeName");
        if (relativeName.isEmpty() || matchers.isEmpty()) {
            return false;
        }
        String[] segments = relativeName.split("/");
        Path whole = Path.of(relativeName);
        for (PathMatcher matcher : matchers) {
            if (matcher.matches(whole)) {
                return true;
            }
            for (String segment : segments) {
                if (!segment.isEmpty() && matcher.matches(Path.of(segment))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ExcludeRules" + globs;
    }
}
