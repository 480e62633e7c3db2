package io.haul.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * How CRIU's page images travel when the destination holds pages already: as recipes rather than bytes.
 * {@link ImageStream} asks it for each file; the pages bundle's recipe format does the work.
 */
public interface PageImages {

    /** Whether this file is a page image to send as a recipe. */
    boolean handles(String name);

    /** Source side: writes the recipe of the file. */
    void send(Path file, OutputStream out) throws IOException;

    /** Destination side: reads a recipe and rebuilds the file at {@code target}, checked byte for byte. */
    void receive(InputStream in, Path target) throws IOException;
}
