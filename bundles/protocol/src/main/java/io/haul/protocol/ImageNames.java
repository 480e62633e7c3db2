package io.haul.protocol;

import java.util.regex.Pattern;

/**
 * The names an image file may have on the wire: a plain file name as CRIU writes them ({@code pages-1.img},
 * {@code core-42.img}), so nothing a peer sends can land outside the migration's folder.
 */
public final class ImageNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private ImageNames() {
    }

    public static String check(String name) throws ProtocolException {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new ProtocolException("protocol.bad-image-name", "refused an image named '" + printable(name)
                    + "': image names are plain file names (letters, digits, '.', '_', '-'), without '/' or '..'");
        }
        return name;
    }

    private static String printable(String name) {
        if (name == null) {
            return "";
        }
        String shown = name.length() > 80 ? name.substring(0, 80) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
