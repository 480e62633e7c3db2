package io.haul.shell;

import io.haul.api.backend.ContainerInfo;
import java.util.List;

/**
 * What {@code haul:ps} returns: the containers the backends found, and for each backend that could not
 * list, why (one failing backend does not hide the others' containers).
 */
public record ContainerList(List<ContainerInfo> containers, List<String> problems) {

    public ContainerList {
        containers = List.copyOf(containers);
        problems = List.copyOf(problems);
    }
}
