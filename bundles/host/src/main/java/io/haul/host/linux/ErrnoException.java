package io.haul.host.linux;

import java.io.IOException;

/** A system call failed; carries its errno, e.g. {@code process_vm_readv(pid 42, ...): ESRCH (No such process)}. */
public class ErrnoException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String errnoName;
    private final String operation;

    public ErrnoException(String operation, int errno) {
        super(operation + ": " + Errno.name(errno) + " (" + Errno.description(errno) + ")");
        this.errno = errno;
        this.errnoName = Errno.name(errno);
        this.operation = operation;
    }

    /** The errno value, comparable with the constants of {@link Errno}. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EPERM}. */
    public String errnoName() {
        return errnoName;
    }

    /** The call that failed, with its main arguments. */
    public String operation() {
        return operation;
    }
}
