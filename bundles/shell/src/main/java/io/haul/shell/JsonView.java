package io.haul.shell;

/**
 * A command's DTO asked for with {@code --json}: the same object the converter formats for people, formatted as
 * JSON instead ({@link HaulConverter}); a pipe gets the DTO itself from {@link #value()}.
 */
public record JsonView(Object value) {
}
