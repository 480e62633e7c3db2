package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A namespace kind CRIU dumps with the tree and recreates on restore when the tree owns it: nothing to
 * prepare on the destination beyond the kernel having the kind. Subclasses add what CRIU cannot move.
 */
abstract class CriuMovedNamespace implements NamespaceHandler {

    private final NamespaceKind kind;
    private final Path proc;

    CriuMovedNamespace(NamespaceKind kind, Path proc) {
        this.kind = kind;
        this.proc = proc;
    }

    @Override
    public NamespaceKind kind() {
        return kind;
    }

    @Override
    public Usability usability() {
        return Files.exists(proc.resolve("self/ns").resolve(kind.procName()))
                ? Usability.yes()
                : Usability.no("this kernel has no " + kind.procName() + " namespaces");
    }

    @Override
    public NamespaceState capture(long rootPid) throws HaulException {
        return new NamespaceState(kind, owns(rootPid), facts(rootPid));
    }

    @Override
    public void prepare(NamespaceState state, Path migrationDir) throws HaulException {
        Usability usability = usability();
        if (!usability.usable()) {
            throw new HaulException("namespace.unsupported", usability.reason());
        }
    }

    /** What the destination must know beyond "the tree owns one"; also where a kind refuses what CRIU cannot move. */
    Map<String, String> facts(long rootPid) throws HaulException {
        return Map.of();
    }

    Path proc() {
        return proc;
    }

    private boolean owns(long rootPid) throws HaulException {
        try {
            Path name = Path.of("ns", kind.procName());
            return !Files.readSymbolicLink(proc.resolve(Long.toString(rootPid)).resolve(name))
                    .equals(Files.readSymbolicLink(proc.resolve("self").resolve(name)));
        } catch (IOException e) {
            throw new HaulException("container.not-found", "cannot read the " + kind.procName()
                    + " namespace of pid " + rootPid + ": " + e.getMessage(), e);
        }
    }
}
