package io.haul.eventbus;

import java.util.List;

/**
 * The addresses of Haul's event-bus API, the version of its messages and the failure codes of its replies.
 *
 * <p>Every message, request or reply or event, is a JSON object with {@code "v"}: the version of the API it
 * speaks. An agent answers a request in the version the request names, and refuses one it does not speak
 * ({@link #FAILURE_VERSION}), so a newer agent goes on serving an older client. A failure is a
 * {@code ReplyException} whose {@code failureCode()} is one of the {@code FAILURE_*} numbers and whose message is
 * Haul's stable error code, a colon and the text a person reads: {@code "migration.not-found: no migration 42"}
 * (the codes the shell prints).
 */
public final class BusApi {

    /** The version this agent speaks; also the highest. */
    public static final int VERSION = 1;
    /** The versions this agent answers in. */
    public static final List<Integer> VERSIONS = List.of(1);

    /** Request-reply: start a migration (an operator's signed request; forwarded to the source agent). */
    public static final String START = "haul.migration.start";
    /** Request-reply: one migration's record, by id or a unique start of it. */
    public static final String GET = "haul.migration.get";
    /** Request-reply: the cluster's migrations, newest first, filtered. */
    public static final String LIST = "haul.migration.list";
    /** Request-reply: cancel a migration before its commit point (an operator's signed request). */
    public static final String CANCEL = "haul.migration.cancel";
    /** Request-reply: a migration's record and the events relayed so far, for a subscriber that comes late. */
    public static final String CATCH_UP = "haul.migration.catchup";
    /** Request-reply: the agents of the cluster. */
    public static final String AGENTS = "haul.agent.list";
    /** Request-reply: what an agent's backends can migrate there ({@code haul:ps}); forwarded to that agent. */
    public static final String CONTAINERS = "haul.agent.containers";
    /** Request-reply: an agent's CRIU and kernel features ({@code haul:check}); forwarded to that agent. */
    public static final String CHECK = "haul.agent.check";
    /** Published: every progress event of every migration. */
    public static final String EVENTS = "haul.migration.events";

    /** Every request address, in the order the README lists them. */
    public static final List<String> REQUESTS = List.of(START, GET, LIST, CANCEL, CATCH_UP, AGENTS, CONTAINERS, CHECK);
    /** The requests that change something: only operators may send them. */
    public static final List<String> OPERATIONS = List.of(START, CANCEL);

    /**
     * A request's header: how many milliseconds its sender waits for the answer. An agent that forwards the request to
     * the agent it must run on gives up in time to answer within that wait ({@code agent.unreachable}), instead of
     * after its sender stopped listening. Absent: {@link #DEFAULT_WAIT_MILLIS}.
     */
    public static final String WAIT_HEADER = "haul-wait-millis";
    /** What a sender waits when it does not say: Vert.x's default send timeout, and the TCP bridge's. */
    public static final long DEFAULT_WAIT_MILLIS = 30_000;

    /** Published: the progress events of one migration. */
    public static String events(String migrationId) {
        return EVENTS + "." + migrationId;
    }

    /** The address of one agent for a request that must run there ({@code haul.agent.NAME.migration.start}). */
    public static String onAgent(String agent, String request) {
        return "haul.agent." + agent + request.substring("haul".length());
    }

    /** The body is not a JSON object, or a field is missing, of the wrong type or has a value no agent knows. */
    public static final int FAILURE_INVALID = 400;
    /** An operation without a valid signature of a certificate of the cluster CA. */
    public static final int FAILURE_UNAUTHENTICATED = 401;
    /** An operation signed by a principal that the configuration does not allow to start or cancel. */
    public static final int FAILURE_FORBIDDEN = 403;
    /** The migration, agent, backend, strategy or container named does not exist. */
    public static final int FAILURE_NOT_FOUND = 404;
    /** The request is sound but cannot be done now (the container is busy, the migration ended...). */
    public static final int FAILURE_REFUSED = 409;
    /** The body is larger than the agent accepts. */
    public static final int FAILURE_TOO_LARGE = 413;
    /** The request names a version of the API this agent does not speak ({@link #VERSIONS}). */
    public static final int FAILURE_VERSION = 426;
    /** A fault of the agent: its log says more. */
    public static final int FAILURE_INTERNAL = 500;
    /** The agent the request must run on did not answer in time. */
    public static final int FAILURE_UNREACHABLE = 504;

    private BusApi() {
    }
}
