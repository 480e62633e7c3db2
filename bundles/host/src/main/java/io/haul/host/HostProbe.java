package io.haul.host;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Answers "what does this host have for migrations". A DS service; every call probes again for real, so the
 * answer reflects the host now (a CRIU installed a minute ago is found), and takes well under two seconds.
 */
@ProviderType
public interface HostProbe {

    /** CRIU and every kernel feature, probed now. Never throws: a failed probe is a missing feature saying why. */
    HostReport probe();

    /** Just CRIU: where it is, its version and the result of {@code criu check}. */
    CriuStatus criu();
}
