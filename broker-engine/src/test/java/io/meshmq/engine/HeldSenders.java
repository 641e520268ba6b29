package io.meshmq.engine;

/**
 * Whether an application thread is held by the broker's FLOW word, from its stack.
 */
final class HeldSenders
{
    private HeldSenders()
    {
    }

    /**
     * @return true if the thread waits in the client's awaitRoom: every send passes through that method, only a held
     * one waits there.
     */
    static boolean waitsForRoom(final Thread thread)
    {
        boolean waiting = false;
        for (final StackTraceElement frame : thread.getStackTrace())
        {
            if (frame.getClassName().equals(Object.class.getName()) && frame.getMethodName().startsWith("wait"))
            {
                waiting = true;
            }
            else if (frame.getMethodName().equals("awaitRoom"))
            {
                return waiting;
            }
        }
        return false;
    }
}
