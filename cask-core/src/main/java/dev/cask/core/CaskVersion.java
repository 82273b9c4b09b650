package dev.cask.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of this build, typed once in the parent POM: read from the jar's manifest
 * ({@code Implementation-Version}), or, where the classes are not in a jar (a build's classes
 * directory), from {@code version.properties}, which the build filters with the same version.
 */
public final class CaskVersion {
    private static final String VERSION = load();

    private CaskVersion() {}

    /** For example {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        String fromManifest = CaskVersion.class.getPackage().getImplementationVersion();
        if (fromManifest != null) return fromManifest;
        try (InputStream in = CaskVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) throw new IllegalStateException("version.properties is missing from the engine's jar");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the engine's version.properties", e);
        }
    }
}
