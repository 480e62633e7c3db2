package io.haul.host.net;

/**
 * A TCP socket of a process, as {@code /proc/PID/net/tcp} and {@code tcp6} show it.
 *
 * @param localAddress  the address it is bound to ({@code 0.0.0.0} or {@code ::} for any)
 * @param localPort     its port
 * @param remoteAddress its peer's address ({@code 0.0.0.0} when it has none)
 * @param remotePort    its peer's port
 * @param state         the kernel's state: {@code 01} established, {@code 0A} listening...
 */
public record TcpSocket(String localAddress, int localPort, String remoteAddress, int remotePort, int state) {

    public static final int ESTABLISHED = 0x01;
    public static final int LISTEN = 0x0A;

    /** Bound to a loopback address: it lives and dies with its host's loopback. */
    public boolean loopback() {
        return localAddress.startsWith("127.") || localAddress.equals("::1") || localAddress.startsWith("::ffff:127.");
    }

    /** Bound to any address ({@code 0.0.0.0}, {@code ::}): it needs no particular one. */
    public boolean wildcard() {
        return localAddress.equals("0.0.0.0") || localAddress.equals("::");
    }

    @Override
    public String toString() {
        String local = endpoint(localAddress, localPort);
        return state == LISTEN ? "listening on " + local : local + " -> " + endpoint(remoteAddress, remotePort);
    }

    private static String endpoint(String address, int port) {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
