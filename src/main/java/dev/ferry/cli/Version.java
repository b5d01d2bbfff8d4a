package dev.ferry.cli;

import picocli.CommandLine;

/** {@code --version}: the version recorded in the jar's manifest at build time. */
final class Version implements CommandLine.IVersionProvider {
    static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"ferry " + current(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
