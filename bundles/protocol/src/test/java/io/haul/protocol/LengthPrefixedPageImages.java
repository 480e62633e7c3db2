package io.haul.protocol;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A stand-in for the page recipes (the pages bundle's reader is fuzzed there): an unsigned short length and
 * that many bytes, which become the file. Enough for {@link ImageStream#receive} to take its recipe branch and
 * check the rebuilt size against the header's.
 */
final class LengthPrefixedPageImages implements PageImages {

    @Override
    public boolean handles(String name) {
        return name.startsWith("pages-");
    }

    @Override
    public void send(Path file, OutputStream out) {
        throw new UnsupportedOperationException("receive only");
    }

    @Override
    public void receive(InputStream in, Path target) throws IOException {
        int length = new DataInputStream(in).readUnsignedShort();
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new EOFException("the stand-in recipe ended after " + bytes.length + " of " + length + " bytes");
        }
        Files.write(target, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
}
