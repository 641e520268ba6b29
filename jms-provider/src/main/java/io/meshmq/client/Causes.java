package io.meshmq.client;

/**
 * What a failure says, with what caused it: Netty wraps a TLS failure in a decoder exception and OpenSSL's engine
 * reports "General OpenSslEngine problem" over the certificate check that actually failed, so the outermost message
 * alone often does not tell the user what to fix.
 */
final class Causes
{
    private static final int MAX_DEPTH = 8;

    private Causes()
    {
    }

    /**
     * @return the messages of the failure and its causes, outermost first, each once, joined by "; caused by: ".
     */
    static String describe(final Throwable failure)
    {
        final StringBuilder said = new StringBuilder();
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause())
        {
            final String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
            if (said.indexOf(message) < 0)
            {
                said.append(said.length() == 0 ? "" : "; caused by: ").append(message);
            }
        }
        return said.toString();
    }
}
