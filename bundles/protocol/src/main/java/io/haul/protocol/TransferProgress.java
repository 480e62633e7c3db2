package io.haul.protocol;

/** Told how many bytes of a transfer are done, as they are done. */
@FunctionalInterface
public interface TransferProgress {

    TransferProgress NONE = done -> { };

    void transferred(long bytesDone);
}
