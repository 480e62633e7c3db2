package io.haul.strategy.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haul.api.Usability;
import io.haul.host.HostProbe;
import io.haul.host.KernelFeature;
import io.haul.host.internal.CriuSettings;
import io.haul.host.internal.HostProbeComponent;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

/** The strategy on this host's kernel, through the real HostProbe component. */
class CriuPreDumpStrategyHostTest {

    @Test
    void followsTheHostProbesSoftDirtyVerdict() {
        CriuSettings settings = (CriuSettings) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CriuSettings.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "criuPath" -> "";
                    case "annotationType" -> CriuSettings.class;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> System.getProperty((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        HostProbe host = new HostProbeComponent(settings, context);
        KernelFeature softDirty = host.probe().feature(KernelFeature.SOFT_DIRTY).orElseThrow();

        Usability usability = new CriuPreDumpStrategy(host).usability();

        System.out.println("FIGURE criu strategy here: " + usability + "; HostProbe: " + softDirty);
        assertEquals(softDirty.present(), usability.usable(), usability.reason());
        if (!softDirty.present()) {
            assertEquals(CriuPreDumpStrategy.NO_SOFT_DIRTY, usability.reason());
        }
    }
}
