package dev.mcpcontain.platform.windows.broker;

/** A request the broker will not carry out; the message goes back to the caller as it is. */
public final class BrokerRefusal extends RuntimeException {

    public BrokerRefusal(String message) {
        super(message, null, false, false);
    }
}
