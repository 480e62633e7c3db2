package io.haul.directory;

import io.haul.api.Plugin;
import io.haul.api.Usability;

/**
 * One plugin service as the directory holds it while it is registered.
 *
 * @param name    its name property
 * @param service the service object, which the directory keeps in use (so DS keeps the component active)
 * @param bundle  the symbolic name of the bundle that registered it
 * @param version that bundle's version
 * @param id      the service id: of two with the same name, the first registered (lowest id) is used
 */
record Registered(String name, Plugin service, String bundle, String version, long id) {

    /** The plugin's own answer, or why it gave none. */
    Usability usability() {
        try {
            Usability usability = service.usability();
            return usability == null ? Usability.no("the plugin gave no answer about its usability") : usability;
        } catch (RuntimeException e) {
            return Usability.no("its usability check failed: " + e);
        }
    }
}
