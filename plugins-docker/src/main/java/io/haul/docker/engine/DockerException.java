package io.haul.docker.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Docker engine refused or failed a request, or could not be reached. The message is for users, e.g.
 * {@code docker engine at /run/docker.sock: 404 No such container: web} or
 * {@code no Docker engine answers at /run/docker.sock: Connection refused}.
 */
public final class DockerException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String socket;
    private final int status;
    private final String engineMessage;
    private final String request;

    private DockerException(String message, Path socket, int status, String engineMessage, String request,
            Throwable cause) {
        super(message, cause);
        this.socket = socket.toString();
        this.status = status;
        this.engineMessage = engineMessage == null ? "" : engineMessage;
        this.request = request;
    }

    /** The engine answered {@code status}, an error; {@code engineMessage} is its "message" text. */
    static DockerException answered(Path socket, String request, int status, String engineMessage) {
        String text = engineMessage == null || engineMessage.isBlank() ? "(no message)" : engineMessage.strip();
        return new DockerException("docker engine at " + socket + ": " + status + " " + text, socket, status,
                engineMessage, request, null);
    }

    /** Like {@link #answered(Path, String, int, String)}, with what the engine's words (if any) leave unsaid. */
    static DockerException answered(Path socket, String request, int status, String engineMessage, String hint) {
        String text = engineMessage == null || engineMessage.isBlank() ? hint : engineMessage.strip() + " (" + hint + ")";
        return new DockerException("docker engine at " + socket + ": " + status + " " + text, socket, status,
                engineMessage, request, null);
    }

    /** Nothing accepted a connection on the socket (missing, refused, not allowed, timed out). */
    static DockerException unreachable(Path socket, String request, String reason, Throwable cause) {
        return new DockerException("no Docker engine answers at " + socket + ": " + reason, socket, 0, null,
                request, cause);
    }

    /** The exchange failed after the connection was made: it broke, timed out or was interrupted. */
    static DockerException failed(Path socket, String request, String what, Throwable cause) {
        return new DockerException("docker engine at " + socket + ": " + what, socket, 0, null, request, cause);
    }

    /** The engine's socket. */
    public String socket() {
        return socket;
    }

    /** The HTTP status the engine answered, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** The engine's own "message" text, or "" when it gave none (or did not answer). */
    public String engineMessage() {
        return engineMessage;
    }

    /** The request, e.g. {@code POST /v1.41/containers/web/start}, for logs. */
    public String request() {
        return request;
    }

    /** The engine answered that the resource does not exist. */
    public boolean isNotFound() {
        return status == 404;
    }

    /** The engine answered that the request conflicts with the resource's state (a name in use, a running container). */
    public boolean isConflict() {
        return status == 409;
    }

    /** No HTTP answer came: unreachable engine, broken connection, timeout or interruption. */
    public boolean isWithoutAnswer() {
        return status == 0;
    }
}
