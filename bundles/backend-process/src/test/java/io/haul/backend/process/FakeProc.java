package io.haul.backend.process;

import io.haul.api.namespace.NamespaceKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a fake /proc of plain files and symbolic links under a folder, for parsing edge cases. */
final class FakeProc {

    /** The host's namespace identities; a tree overrides the kinds it has of its own. */
    static final String HOST_NS = "40265318";

    private final Path root;

    FakeProc(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The agent: /proc/self, in every host namespace, root, with pid as its NSpid. */
    FakeProc self(long pid, long euid) {
        entry("self").hostNamespaces().status("Tgid:\t" + pid + "\nUid:\t" + euid + "\t" + euid + "\t" + euid + "\t"
                + euid + "\nNSpid:\t" + pid + "\n");
        return this;
    }

    Entry process(long pid) {
        return entry(Long.toString(pid));
    }

    Entry entry(String name) {
        Path dir = root.resolve(name);
        try {
            Files.createDirectories(dir.resolve("ns"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Entry(dir);
    }

    static String hostNs(NamespaceKind kind) {
        return kind.procName() + ":[" + HOST_NS + kind.ordinal() + "]";
    }

    static final class Entry {
        private final Path dir;

        Entry(Path dir) {
            this.dir = dir;
        }

        Entry hostNamespaces() {
            for (NamespaceKind kind : NamespaceKind.values()) {
                ns(kind, hostNs(kind));
            }
            return this;
        }

        /** Host namespaces except the kinds given, which get a namespace named after {@code tag}. */
        Entry ownNamespaces(String tag, NamespaceKind... own) {
            hostNamespaces();
            for (NamespaceKind kind : own) {
                ns(kind, kind.procName() + ":[" + (4026540000L + tag.hashCode()) + "]");
            }
            return this;
        }

        Entry ns(NamespaceKind kind, String target) {
            Path link = dir.resolve("ns").resolve(kind.procName());
            try {
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of(target));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Entry status(String text) {
            return file("status", text);
        }

        /** A status with Tgid, NSpid, NSsid (when not null) and VmRSS lines. */
        Entry status(long tgid, String nsPid, String nsSid, long rssKb) {
            return status(tgid, 1, nsPid, nsSid, rssKb);
        }

        /** The same with its parent's pid. */
        Entry status(long tgid, long ppid, String nsPid, String nsSid, long rssKb) {
            return status("Name:\tx\nTgid:\t" + tgid + "\nPPid:\t" + ppid + "\nUid:\t0\t0\t0\t0\n"
                    + (nsPid == null ? "" : "NSpid:\t" + nsPid + "\n")
                    + (nsSid == null ? "" : "NSsid:\t" + nsSid + "\n")
                    + "VmRSS:\t    " + rssKb + " kB\n");
        }

        Entry stat(String text) {
            return file("stat", text + "\n");
        }

        Entry stat(long pid, String comm, long session) {
            return stat(pid + " (" + comm + ") S 1 " + session + " " + session + " 0 -1 4194560 80 0 0 0 0 0 0 0 20");
        }

        Entry cmdline(String... args) {
            return file("cmdline", args.length == 0 ? "" : String.join("\0", args) + "\0");
        }

        Entry cwd(String target) {
            try {
                Files.createSymbolicLink(dir.resolve("cwd"), Path.of(target));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        private Entry file(String name, String text) {
            try {
                Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }
}
