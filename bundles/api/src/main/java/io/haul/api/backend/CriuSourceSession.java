package io.haul.api.backend;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import org.osgi.annotation.versioning.ConsumerType;

/** A source session whose container the engine dumps with its own CRIU, from the checked root pid. */
@ConsumerType
public non-sealed interface CriuSourceSession extends SourceSession {

    /** What CRIU must be told to dump the container, beside what the namespace handlers contribute. */
    CriuOptions dumpOptions() throws HaulException;
}
