package io.meshmq.jms;

import io.meshmq.client.ClientException;
import io.meshmq.protocol.ErrorCode;
import jakarta.jms.IllegalStateException;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.InvalidClientIDRuntimeException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.InvalidDestinationRuntimeException;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.InvalidSelectorRuntimeException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.MessageNotWriteableRuntimeException;
import jakarta.jms.ResourceAllocationException;
import jakarta.jms.ResourceAllocationRuntimeException;
import jakarta.jms.TransactionInProgressException;
import jakarta.jms.TransactionInProgressRuntimeException;
import jakarta.jms.TransactionRolledBackException;
import jakarta.jms.TransactionRolledBackRuntimeException;

/**
 * Maps client core failures to JMS exceptions, and checked JMS exceptions to their runtime twins for the
 * simplified API.
 */
public final class JmsExceptions
{
    private JmsExceptions()
    {
    }

    public static JMSException from(final ClientException ex)
    {
        final JMSException jms;
        switch (ex.code())
        {
            case ErrorCode.INVALID_DESTINATION: jms = new InvalidDestinationException(ex.getMessage()); break;
            case ErrorCode.ILLEGAL_STATE: jms = new IllegalStateException(ex.getMessage()); break;
            case ErrorCode.INVALID_SELECTOR: jms = new InvalidSelectorException(ex.getMessage()); break;
            case ErrorCode.SECURITY: jms = new JMSSecurityException(ex.getMessage()); break;
            case ErrorCode.INVALID_CLIENT_ID: jms = new InvalidClientIDException(ex.getMessage()); break;
            case ErrorCode.ADDRESS_FULL: jms = new ResourceAllocationException(ex.getMessage(), "ADDRESS_FULL"); break;
            case ErrorCode.CONNECTION_LIMIT:
                jms = new ResourceAllocationException(ex.getMessage(), "CONNECTION_LIMIT");
                break;
            case ClientException.ROLLED_BACK:
                jms = new TransactionRolledBackException(ex.getMessage(), "ROLLED_BACK_BY_FAILOVER");
                break;
            case ClientException.IN_DOUBT:
                // Not a TransactionRolledBackException: the broker may have applied it (what it consumed is gone).
                jms = new JMSException(ex.getMessage(), "COMMIT_IN_DOUBT");
                break;
            default: jms = new JMSException(ex.getMessage(), codeName(ex.code())); break;
        }
        jms.setLinkedException(ex);
        jms.initCause(ex);
        return jms;
    }

    private static String codeName(final int code)
    {
        switch (code)
        {
            case ClientException.CONNECTION_LOST: return "CONNECTION_LOST";
            case ClientException.TIMEOUT: return "TIMEOUT";
            case ClientException.RECONNECTING: return "RECONNECTING";
            case ClientException.FAILED_OVER: return "FAILED_OVER";
            case ClientException.IN_DOUBT: return "COMMIT_IN_DOUBT";
            case ClientException.SEND_IN_DOUBT: return "SEND_IN_DOUBT";
            default: return "MESHMQ-" + code;
        }
    }

    public static JMSRuntimeException toRuntime(final JMSException ex)
    {
        final JMSRuntimeException r;
        if (ex instanceof IllegalStateException)
        {
            r = new IllegalStateRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof InvalidDestinationException)
        {
            r = new InvalidDestinationRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof InvalidSelectorException)
        {
            r = new InvalidSelectorRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof JMSSecurityException)
        {
            r = new JMSSecurityRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof InvalidClientIDException)
        {
            r = new InvalidClientIDRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof MessageFormatException)
        {
            r = new MessageFormatRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof MessageNotWriteableException)
        {
            r = new MessageNotWriteableRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof ResourceAllocationException)
        {
            r = new ResourceAllocationRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof TransactionInProgressException)
        {
            r = new TransactionInProgressRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else if (ex instanceof TransactionRolledBackException)
        {
            r = new TransactionRolledBackRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        else
        {
            r = new JMSRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        return r;
    }
}
